import { describe, expect, it } from "vitest";
import { adminPolicy, trustPolicy } from "./rolePolicies";

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

  it("gives Admin the kit's services with MFA, and only the stack's secrets", () => {
    const doc = adminPolicy({ stackSecretsArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:clawkeep/level1/*" });
    for (const s of doc.Statement) expect(s, String(s.Sid)).toMatchObject({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
    const all = doc.Statement.flatMap((s) => [s.Action].flat() as string[]);
    expect(all).not.toContain("*");
    expect(all.filter((a) => a.startsWith("secretsmanager:"))).toEqual(["secretsmanager:*", "secretsmanager:ListSecrets", "secretsmanager:GetRandomPassword"]);
    expect(doc.Statement.find((s) => s.Action === "secretsmanager:*")?.Resource).toBe("arn:aws:secretsmanager:us-east-1:123456789012:secret:clawkeep/level1/*");
  });
});
