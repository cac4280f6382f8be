import { describe, expect, it } from "vitest";
import { adminPolicy, trustPolicy, type AccessContext } from "./rolePolicies";

describe("role documents", () => {
  it("trusts only named principals, never everyone", () => {
    expect(() => trustPolicy([], true)).toThrow(/at least one/);
    for (const bad of ["*", "arn:aws:iam::*:root", "123456789012", "arn:aws:sts::123456789012:assumed-role/x/y"]) {
      expect(() => trustPolicy([bad], false), bad).toThrow(/not an account root, user or role ARN/);
    }
    expect(trustPolicy(["arn:aws:iam::123456789012:root"], false).Statement[0]).not.toHaveProperty("Condition");
  });

  it("asks a fresh MFA when required", () => {
    expect(trustPolicy(["arn:aws:iam::123456789012:user/alice"], true).Statement[0]).toMatchObject({
      Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } },
    });
  });

  it("scopes Admin to its cell with MFA: no service-wide wildcard, no secret value, one Deny of every escalation", () => {
    const ctx: AccessContext = {
      partition: "aws",
      accountId: "123456789012",
      region: "us-east-1",
      stack: "level1",
      cellName: "gw",
      instanceArn: "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc",
      sessionDocumentArn: "arn:aws:ssm:us-east-1:123456789012:document/clawkeep-level1-gw-session",
      portDocumentArn: "arn:aws:ssm:us-east-1:123456789012:document/clawkeep-level1-gw-gateway-port",
      gatewayDocumentArn: "arn:aws:ssm:us-east-1:123456789012:document/clawkeep-level1-gw-gateway",
      logGroupArns: ["arn:aws:logs:us-east-1:123456789012:log-group:/clawkeep/level1/gw/gateway"],
      dashboardArn: "arn:aws:cloudwatch::123456789012:dashboard/clawkeep-level1-gw",
    };
    const doc = adminPolicy(ctx);
    const allows = doc.Statement.filter((s) => s.Effect === "Allow");
    for (const s of allows) expect(s, String(s.Sid)).toMatchObject({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
    const allowed = allows.flatMap((s) => [s.Action].flat() as string[]);
    expect(allowed.filter((a) => a.endsWith(":*") || a === "*")).toEqual([]);
    expect(allowed).not.toContain("secretsmanager:GetSecretValue");
    for (const s of allows.filter((x) => [x.Action].flat().some((a) => String(a).startsWith("secretsmanager:") && a !== "secretsmanager:ListSecrets"))) {
      expect([s.Resource].flat().every((r) => /secret:clawkeep(-admin)?\/level1\/gw\/\*$/.test(String(r))), String(s.Sid)).toBe(true);
    }
    const deny = doc.Statement.find((s) => s.Sid === "NeverEscalateOrBlind");
    expect(deny).toMatchObject({ Effect: "Deny", Resource: "*" });
    expect(deny).not.toHaveProperty("Condition");
    expect(deny?.Action).toEqual(expect.arrayContaining(["iam:Put*", "iam:Attach*", "iam:PassRole", "cloudtrail:StopLogging", "kms:PutKeyPolicy", "secretsmanager:PutResourcePolicy", "ssm:UpdateDocument"]));
  });
});
