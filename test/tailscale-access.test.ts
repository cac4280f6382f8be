// TailscaleAccess under Pulumi's mock runtime: the resources a deployment would create for each way
// of joining, their security settings as they reach the engine, and the policy pack's verdict.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ONE_SHOT_CREDENTIAL, tailnetPolicySchema } from "../components/tailscale";
import { tailscaleJoinSecretName, tailscaleHostname } from "../components/base/names";
import type { TailscaleOptionsInput } from "../stacks/tailscale";
import { evaluateProgram, type Evaluation, type PlannedResource } from "../plan/evaluate";
import { isSecretValue } from "../policy/lib/engineValues";
import { judge } from "../policy/judge";
import { parseHujson } from "../policy/lib/hujson";

const PROGRAM = path.join(__dirname, "fixtures", "programs", "tailscale", "access.ts");
const PEOPLE = { admins: ["alice@example.com"], operators: ["bob@example.com"], viewers: ["carol@example.com"] };
const VARIANTS: Record<string, TailscaleOptionsInput> = {
  key: {},
  federated: { auth: "workload-identity", wifIssuer: "https://abc123.tokens.sts.global.api.aws", managePolicy: true, ...PEOPLE },
  unmanaged: { ...PEOPLE },
};
const evals: Record<string, Evaluation> = {};

beforeAll(async () => {
  for (const [name, options] of Object.entries(VARIANTS)) {
    evals[name] = await evaluateProgram({ program: PROGRAM, project: "clawkeep", stack: "dev", config: { "tailscaletest:options": JSON.stringify(options) } });
  }
}, 120_000);

const ofType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);
const one = (ev: Evaluation, type: string): PlannedResource => {
  const rs = ofType(ev, type);
  expect(rs, type).toHaveLength(1);
  return rs[0];
};
const doc = (v: unknown) => JSON.parse(String(v)) as { Statement: Array<Record<string, unknown>> };

describe.each(Object.keys(VARIANTS))("TailscaleAccess (%s)", (variant) => {
  const ev = () => evals[variant];

  it("evaluates without errors, and the policy pack finds nothing (the one-shot key expires within the rotation bound)", () => {
    expect(ev().errors.map((e) => e.message)).toEqual([]);
    const j = judge(ev());
    expect(j.errors).toEqual([]);
    // An auth key expires within the hour instead of rotating: secrets-rotation-max-days honours the tags
    // below. A federated identity's secret holds no credential.
    expect(j.violations.map((v) => ({ rule: v.rule, name: v.name }))).toEqual([]);
    const tags = one(ev(), "aws:secretsmanager/secret:Secret").inputs.tags as Record<string, string>;
    if (variant === "federated") expect(tags["clawkeep:credential"]).toBe("false");
    else expect(tags).toMatchObject({ "clawkeep:credential": ONE_SHOT_CREDENTIAL, "clawkeep:expires-after-seconds": "3600" });
  });

  it("delivers the join document through a Secrets Manager secret under the cell's prefix, readable by the host role only", () => {
    const secret = one(ev(), "aws:secretsmanager/secret:Secret").inputs;
    expect(secret.name).toBe(tailscaleJoinSecretName("dev", "gw"));
    expect(secret.name).toBe("clawkeep/dev/gw/tailscale-join");
    expect(String(secret.kmsKeyId)).toMatch(/^arn:aws:kms:/);
    expect(secret.recoveryWindowInDays).toBe(7);
    const policy = doc(one(ev(), "aws:secretsmanager/secretPolicy:SecretPolicy").inputs.policy);
    const readers = (policy.Statement.find((s) => s.Sid === "OnlyReadersAndManagersReadTheValue")?.Condition as { ArnNotLike: Record<string, string[]> }).ArnNotLike["aws:PrincipalArn"];
    expect(readers).toEqual(["arn:aws:iam::123456789012:role/clawkeep-dev-gw-host", "arn:aws:iam::123456789012:role/platform-admins"]);
    const version = one(ev(), "aws:secretsmanager/secretVersion:SecretVersion").inputs;
    // Written write-only: the join document never sits in the secret version's state.
    expect(version.secretString).toBeUndefined();
    expect(isSecretValue(version.secretStringWo)).toBe(true);
    expect(version.secretStringWoVersion).toBe(1);
    expect(tailscaleHostname("dev", "gw")).toBe("clawkeep-dev-gw");
  });
});

describe("joining with an auth key", () => {
  it("mints a pre-authorized, tagged, single-use key that lives an hour and is not re-minted once used", () => {
    const key = one(evals.key, "tailscale:index/tailnetKey:TailnetKey").inputs;
    expect(key).toMatchObject({ tags: ["tag:openclaw"], reusable: false, preauthorized: true, ephemeral: false, expiry: 3600, recreateIfInvalid: "never" });
    expect(ofType(evals.key, "tailscale:index/federatedIdentity:FederatedIdentity")).toEqual([]);
    expect(ofType(evals.key, "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
  });

  it("leaves the tailnet policy alone unless asked, and has no snippet without the people to name", () => {
    expect(ofType(evals.key, "tailscale:index/acl:Acl")).toEqual([]);
    expect(evals.key.outputs.policySnippet).toBe("");
    const snippet = String(evals.unmanaged.outputs.policySnippet);
    expect(ofType(evals.unmanaged, "tailscale:index/acl:Acl")).toEqual([]);
    expect(tailnetPolicySchema.safeParse(parseHujson(snippet)).success).toBe(true);
  });
});

describe("joining with workload identity federation", () => {
  it("stores no key: a federated identity for the host role, scoped to minting tagged auth keys", () => {
    expect(ofType(evals.federated, "tailscale:index/tailnetKey:TailnetKey")).toEqual([]);
    const identity = one(evals.federated, "tailscale:index/federatedIdentity:FederatedIdentity").inputs;
    expect(identity).toMatchObject({ issuer: "https://abc123.tokens.sts.global.api.aws", subject: "arn:aws:iam::123456789012:role/clawkeep-dev-gw-host", scopes: ["auth_keys"], tags: ["tag:openclaw"] });
  });

  it("lets the host role ask STS for a web identity token, for the identity's audience only", () => {
    const rp = one(evals.federated, "aws:iam/rolePolicy:RolePolicy").inputs;
    expect(rp.role).toBe("clawkeep-dev-gw-host");
    const [statement] = doc(rp.policy).Statement;
    expect(statement).toMatchObject({ Effect: "Allow", Action: "sts:GetWebIdentityToken", Resource: "*" });
    expect(Object.keys(statement.Condition as object).sort()).toEqual(["ForAnyValue:StringEquals", "StringEquals"]);
    expect((statement.Condition as Record<string, Record<string, unknown>>).StringEquals["sts:SigningAlgorithm"]).toBe("ES384");
  });

  it("manages the whole tailnet policy when asked, overwriting it with the kit's tested policy", () => {
    const acl = one(evals.federated, "tailscale:index/acl:Acl").inputs;
    expect(acl.overwriteExistingContent).toBe(true);
    expect(acl.resetAclOnDestroy).toBeUndefined();
    const policy = tailnetPolicySchema.parse(parseHujson(String(acl.acl)));
    expect(policy.groups["group:clawkeep-operators"]).toEqual(["bob@example.com"]);
    expect(acl.acl).toBe(evals.federated.outputs.policySnippet);
  });
});
