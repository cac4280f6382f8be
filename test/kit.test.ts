// The kit's program under Pulumi's mock runtime, one evaluation per level stack: every resource's
// security settings as they would reach the engine.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createHash } from "node:crypto";
import { unpackBundle } from "../components/host/hostBundle";
import { REDACTED, type PlannedResource } from "../plan/evaluate";
import { isSecretValue } from "../policy/lib/engineValues";
import { planJson } from "../plan/cli";
import { planStack, type StackPlan } from "../plan/planStack";
import { cidrWithin } from "../stacks/cidr";

const LEVELS = ["level0", "level1", "level2", "level3"] as const;
const plans: Record<string, StackPlan> = {};

beforeAll(async () => {
  for (const s of LEVELS) plans[s] = await planStack(s);
});

const ofType = (p: StackPlan, type: string): PlannedResource[] => p.evaluation.resources.filter((r) => r.type === type);
const one = (p: StackPlan, type: string): PlannedResource => {
  const rs = ofType(p, type);
  expect(rs, type).toHaveLength(1);
  return rs[0];
};
type SgRule = { protocol: string; fromPort: number; toPort: number; cidrBlocks?: string[] };

describe.each(LEVELS)("stack %s under the mock runtime", (stack) => {
  it("runs an IMDSv2-only, encrypted, key-less instance with the SSM agent's minimal statements (no managed policy)", () => {
    const vm = one(plans[stack], "aws:ec2/instance:Instance").inputs;
    expect(vm.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(vm.rootBlockDevice).toMatchObject({ encrypted: true, volumeType: "gp3" });
    expect((vm.rootBlockDevice as { kmsKeyId?: string }).kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(vm.keyName).toBeUndefined();
    expect(vm.iamInstanceProfile).toBeTruthy();
    expect(vm.userData).toBeUndefined();
    expect((vm.tags as Record<string, string>)["clawkeep:trustLevel"]).toBe(stack.slice(-1));
    // AmazonSSMManagedInstanceCore would read every SSM parameter of the account: no managed policy at all.
    expect(ofType(plans[stack], "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
    const ssm = ofType(plans[stack], "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "gw-host-ssm-agent");
    const actions = (JSON.parse(String(ssm?.inputs.policy)) as { Statement: Array<{ Action: string[] }> }).Statement.flatMap((st) => st.Action);
    expect(actions).toContain("ssmmessages:OpenDataChannel");
    expect(actions.filter((a) => /GetParameter|\*/.test(a))).toEqual([]);
  });

  it("ships gzip'd cloud-config that creates the service user and installs the pinned host bundle", () => {
    const plan = plans[stack];
    const vm = one(plan, "aws:ec2/instance:Instance");
    const text = zlib.gunzipSync(Buffer.from(String(vm.inputs.userDataBase64), "base64")).toString("utf8");
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    const doc = parseYaml(text) as { users: Array<Record<string, unknown>>; runcmd: Array<string | string[]> };
    expect(doc.users[0]).toMatchObject({ name: "openclaw", shell: "/usr/sbin/nologin", lock_passwd: true });
    const object = one(plan, "aws:s3/bucketObjectv2:BucketObjectv2");
    const files = unpackBundle(Buffer.from(String(object.inputs.contentBase64), "base64"));
    expect(files.map((f) => f.path)).toContain("/etc/openclaw/openclaw.json");
    // The user data pins exactly this object: its key and the SHA-256 of its bytes.
    const sha = createHash("sha256").update(Buffer.from(String(object.inputs.contentBase64), "base64")).digest("hex");
    expect(object.inputs.key).toBe(`host-bundle/${sha}.json.gz`);
    expect(JSON.stringify(doc.runcmd)).toContain(sha);
    expect(object.inputs).toMatchObject({ serverSideEncryption: "aws:kms" });
    expect(vm.dependencies).toContain(object.urn);
    for (const t of [text, ...files.map((f) => f.content)]) expect(t).not.toMatch(/sk-ant-[\w-]{20}|sk-proj-[\w-]{20}|AKIA[0-9A-Z]{16}|tskey-[a-z]+-[\w-]{10}/);
  });

  it("lets nothing in from outside the VPC and only HTTPS and Tailscale out", () => {
    const plan = plans[stack];
    for (const sg of ofType(plan, "aws:ec2/securityGroup:SecurityGroup")) {
      for (const rule of (sg.inputs.ingress ?? []) as SgRule[]) {
        expect(rule.fromPort <= 22 && rule.toPort >= 22).toBe(false);
        for (const c of rule.cidrBlocks ?? []) expect(cidrWithin(c, plan.model.network.vpcCidr), `${sg.name} ${c}`).toBe(true);
      }
    }
    const host = ofType(plan, "aws:ec2/securityGroup:SecurityGroup").find((s) => s.name.endsWith("host-sg"));
    const egress = (host?.inputs.egress ?? []) as SgRule[];
    expect(egress.map((r) => `${r.protocol}/${r.fromPort}`).sort()).toEqual(["tcp/443", "udp/3478", "udp/41641"]);
    const dflt = one(plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs;
    expect(dflt.ingress ?? []).toEqual([]);
    expect(dflt.egress ?? []).toEqual([]);
  });

  it("keeps KMS-encrypted flow logs for at least 90 days with rotating keys", () => {
    const plan = plans[stack];
    const flow = one(plan, "aws:ec2/flowLog:FlowLog").inputs;
    expect(flow.trafficType).toBe("ALL");
    for (const lg of ofType(plan, "aws:cloudwatch/logGroup:LogGroup")) {
      expect(lg.inputs.retentionInDays as number).toBeGreaterThanOrEqual(90);
      expect(lg.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    }
    const keys = ofType(plan, "aws:kms/key:Key");
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const k of keys) expect(k.inputs.enableKeyRotation).toBe(true);
  });

  it("stores the gateway token KMS-encrypted, written write-only, readable by the instance role alone", () => {
    const plan = plans[stack];
    const secret = ofType(plan, "aws:secretsmanager/secret:Secret").find((s) => s.name === "gw-token-secret") as PlannedResource;
    expect(secret.inputs.name).toBe(`clawkeep/${stack}/gw/gateway-token`);
    const version = ofType(plan, "aws:secretsmanager/secretVersion:SecretVersion").find((v) => v.name === "gw-token-initial")?.inputs ?? {};
    expect(version.secretString).toBeUndefined();
    expect(isSecretValue(version.secretStringWo)).toBe(true);
    const value = String((version.secretStringWo as { value: unknown }).value);
    expect(value.length).toBeGreaterThanOrEqual(43); // 32+ random bytes, base64url
    const read = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name.endsWith("read-own-secrets"));
    const doc = JSON.parse(String(read?.inputs.policy)) as { Statement: Array<{ Action: string | string[]; Resource: string | string[] }> };
    const secretStmt = doc.Statement.find((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"));
    // Its own cell's prefix only: the ARN of every secret of this cell, and no other.
    expect(secretStmt?.Resource).toEqual([`arn:aws:secretsmanager:us-east-1:123456789012:secret:clawkeep/${stack}/gw/*`]);
    // The token never reaches plan output: plan.json shows the write-only input redacted.
    const json = JSON.stringify(planJson(plan));
    expect(json).not.toContain(value);
    expect(json).toContain(REDACTED);
    expect(plan.host.userData).not.toContain(value);
  });

  it("alarms on status checks with recovery, to the KMS-encrypted topic", () => {
    const plan = plans[stack];
    const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
    const system = alarms.find((a) => a.metricName === "StatusCheckFailed_System");
    expect((system?.alarmActions as string[]).some((a) => a.includes(":ec2:recover"))).toBe(true);
    expect(one(plan, "aws:sns/topic:Topic").inputs.kmsMasterKeyId).toBeTruthy();
  });
});

describe.each(LEVELS)("credentials of %s", (stack) => {
  it("every secret: CMK, 7-day recovery, rotation <= 90 days by its own scoped function, alarms on failure", () => {
    const plan = plans[stack];
    const all = ofType(plan, "aws:secretsmanager/secret:Secret");
    expect(all.map((s) => s.name).sort()).toEqual(["gw-anthropic-key-secret", "gw-tailnet-join", "gw-token-secret"]);
    // The tailnet join key is single-use and expires within the hour: it is not rotated, it dies.
    const join = all.find((s) => s.name === "gw-tailnet-join") as PlannedResource;
    expect(join.inputs.tags).toMatchObject({ "clawkeep:credential": "one-shot", "clawkeep:expires-after-seconds": "3600" });
    const key = one(plan, "tailscale:index/tailnetKey:TailnetKey").inputs;
    expect(key).toMatchObject({ reusable: false, preauthorized: true, expiry: 3600, tags: ["tag:openclaw"] });
    const secrets = all.filter((s) => s !== join);
    const rotations = ofType(plan, "aws:secretsmanager/secretRotation:SecretRotation");
    const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
    for (const s of secrets) {
      expect(s.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
      expect(s.inputs.recoveryWindowInDays).toBe(7);
      const rot = rotations.find((r) => r.inputs.secretId === s.state.id);
      const days = (rot?.inputs.rotationRules as { automaticallyAfterDays: number }).automaticallyAfterDays;
      expect(days).toBe(s.name === "gw-token-secret" ? 30 : 90);
      const fn = ofType(plan, "aws:lambda/function:Function").find((f) => f.state.arn === rot?.inputs.rotationLambdaArn) as PlannedResource;
      expect(fn.inputs.runtime).toBe("nodejs22.x");
      expect(fn.inputs.reservedConcurrentExecutions).toBe(2);
      const perm = ofType(plan, "aws:lambda/permission:Permission").find((p) => p.inputs.function === fn.state.name);
      expect(perm?.inputs).toMatchObject({ principal: "secretsmanager.amazonaws.com", sourceAccount: "123456789012", sourceArn: s.state.arn });
      expect(alarms.some((a) => a.metricName === "Errors" && (a.dimensions as Record<string, string>).FunctionName === fn.state.name)).toBe(true);
      const policy = ofType(plan, "aws:secretsmanager/secretPolicy:SecretPolicy").find((p) => p.inputs.secretArn === s.state.arn);
      const doc = JSON.parse(String(policy?.inputs.policy)) as { Statement: Array<{ Effect: string; Action: string | string[]; Condition: { ArnNotLike: { "aws:PrincipalArn": string[] } } }> };
      const readDeny = doc.Statement.find((st) => st.Action === "secretsmanager:GetSecretValue");
      expect(readDeny?.Effect).toBe("Deny");
      const allowedReaders = readDeny?.Condition.ArnNotLike["aws:PrincipalArn"] ?? [];
      expect(allowedReaders).toContain(`arn:aws:iam::123456789012:role/clawkeep/${stack}/gw/clawkeep-${stack}-gw-host`);
      expect(allowedReaders).not.toContain("*");
    }
    const patterns = ofType(plan, "aws:cloudwatch/eventRule:EventRule").map((r) => JSON.parse(String(r.inputs.eventPattern)) as { detail: { eventName?: string[] } });
    expect(patterns.filter((p) => p.detail.eventName?.includes("RotationFailed"))).toHaveLength(2);
  });

  it("a new AWSCURRENT of the token or of a provider key runs the kit's pickup document on the host", () => {
    const plan = plans[stack];
    expect(ofType(plan, "clawkeep:pickup:CredentialPickupTrigger")).toHaveLength(1);
    const arnOf = (name: string) => ofType(plan, "aws:secretsmanager/secret:Secret").find((s) => s.name === name)?.state.arn;
    const rules = ofType(plan, "aws:cloudwatch/eventRule:EventRule").filter((r) => String(r.inputs.eventPattern).includes("Secret Label Updated"));
    expect(rules).toHaveLength(1);
    const pattern = JSON.parse(String(rules[0].inputs.eventPattern)) as { resources: string[]; detail: { labelUpdated: string[] } };
    expect(pattern.resources).toEqual([arnOf("gw-token-secret"), arnOf("gw-anthropic-key-secret")]);
    expect(pattern.resources.every((a) => a.startsWith("arn:aws:secretsmanager:"))).toBe(true);
    expect(pattern.detail.labelUpdated).toEqual(["AWSCURRENT"]);
    const target = ofType(plan, "aws:cloudwatch/eventTarget:EventTarget").find((t) => t.inputs.rule === rules[0].state.name);
    expect(target?.inputs.arn).toBe(`arn:aws:ssm:us-east-1:123456789012:document/clawkeep-${stack}-gw-pickup`);
    expect(JSON.parse(String(target?.inputs.input))).toEqual({ versionId: ["current"], mode: ["install"], executionTimeout: ["600"] });
  });
});

describe("egress modes", () => {
  it("public-egress: the host has its own IPv4 and there is no NAT", () => {
    expect(one(plans.level1, "aws:ec2/instance:Instance").inputs.associatePublicIpAddress).toBe(true);
    expect(ofType(plans.level1, "aws:ec2/natGateway:NatGateway")).toHaveLength(0);
  });
  it("private-nat: the host sits behind a NAT gateway without a public address", () => {
    expect(one(plans.level2, "aws:ec2/instance:Instance").inputs.associatePublicIpAddress).toBe(false);
    expect(ofType(plans.level2, "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
  });
  it.each(LEVELS)("%s: Secrets Manager and S3 through the cell's own endpoints (the secrets accept the host role only through them)", (stack) => {
    const eps = ofType(plans[stack], "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => `${String(e.inputs.vpcEndpointType)} ${String(e.inputs.serviceName).split(".").pop()}`);
    expect(eps).toEqual(expect.arrayContaining(["Interface secretsmanager", "Gateway s3"]));
    if (stack !== "level3") expect(eps).toHaveLength(2);
  });
  it("private-nat with interface endpoints: ssm, ssmmessages, secretsmanager, logs, monitoring, kms", () => {
    const eps = ofType(plans.level3, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
    expect(eps.map((e) => String(e.inputs.serviceName).split(".").pop()).sort()).toEqual(["kms", "logs", "monitoring", "secretsmanager", "ssm", "ssmmessages"]);
    for (const e of eps) expect(e.inputs.privateDnsEnabled).toBe(true);
  });
  it("sizes levels 2 and 3 to the guides' production spec", () => {
    const vm = one(plans.level3, "aws:ec2/instance:Instance").inputs;
    expect(vm.instanceType).toBe("c6i.xlarge");
    expect((vm.rootBlockDevice as { volumeSize: number }).volumeSize).toBe(100);
  });
});

describe("secrets in stack config", () => {
  it("never prints a {secure: ...} value in any plan output", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-stacks-"));
    const known = ["v1:KNOWNCIPHERTEXTaaaaaaaaaaaaaaaa", "v1:KNOWNCIPHERTEXTbbbbbbbbbbbbbbbb", "v1:KNOWNCIPHERTEXTcccccccccccccccc"];
    fs.writeFileSync(
      path.join(dir, "Pulumi.secrets.yaml"),
      `config:\n  clawkeep:trustLevel: 1\n  clawkeep:modelProviders: [anthropic, openai]\n  clawkeep:openaiProjectId: proj_abc123\n  clawkeep:openaiServiceAccountId: svc_acct_1\n  clawkeep:anthropicApiKey:\n    secure: ${known[0]}\n  clawkeep:openaiApiKey:\n    secure: ${known[1]}\n  clawkeep:openaiAdminKey:\n    secure: ${known[2]}\n`,
    );
    const plan = await planStack("secrets", { stacksDir: dir });
    const outputs = [JSON.stringify(planJson(plan)), plan.host.userData, ...plan.host.files.map((f) => f.content)];
    for (const k of known) for (const o of outputs) expect(o).not.toContain(k);
    expect(plan.knownSecrets).toEqual(known);
    // The values did reach the program, as write-only secret inputs: three initial versions, all secret.
    const versions = plan.evaluation.resources.filter((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion");
    expect(versions).toHaveLength(5); // three from config, the gateway token, the tailnet join key
    for (const v of versions) expect(isSecretValue(v.inputs.secretStringWo)).toBe(true);
    const admin = plan.evaluation.resources.find((r) => r.name === "gw-openai-admin-key");
    expect(admin?.inputs.name).toBe("clawkeep-admin/secrets/gw/openai-admin-key");
  });
});
