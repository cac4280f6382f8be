// The roles' IAM behaviour under moto's IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT switched on
// through /moto-api/reset-auth): the real role documents, assumed through STS with the AWS CLI.
//
// What moto enforces: actions, Allow vs explicit Deny, and trust policies (principal). What it does
// not: conditions other than StringEquals (so MFA is not checked here; the trust document is tested
// in audit-resources) and resource ARNs for Secrets Manager, CloudWatch and Logs (it evaluates those
// calls against Resource "*"); and it names CloudWatch actions by their signing name
// ("monitoring:DescribeAlarms", not IAM's "cloudwatch:..."), so CloudWatch calls are left out. Each
// test relies only on what moto enforces, with a control showing the same call succeeding for an
// identity that is allowed it.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operatorPolicy, trustPolicy, viewerPolicy, type AccessContext } from "../components/access";
import { hostReadPolicy } from "../components/host/instanceSpec";
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from "./support/moto";
import { needTools } from "./support/tools";

interface Creds {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
}
interface CliResult {
  ok: boolean;
  out: Record<string, unknown>;
  err: string;
}

const ADMIN: Creds = { AccessKeyId: "testing", SecretAccessKey: "testing" };
const TOKEN_SECRET = "clawkeep/level1/gw/gateway-token";
const OTHER_SECRET = "payroll/db-password";
const GATEWAY_GROUP = "/clawkeep/level1/gw/gateway";

// Each test makes a handful of AWS CLI calls (~1 s of CPU each); the setup makes about thirty.
describe.skipIf(!needTools("moto_server", "aws"))("role permissions under moto's IAM enforcement", { timeout: 60_000 }, () => {
  let moto: MotoServer;
  const ids: Record<string, Creds> = {};
  let tokenArn = "";
  let otherArn = "";
  let ciphertextFile = "";

  async function aws(who: Creds, args: string[]): Promise<CliResult> {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      AWS_ACCESS_KEY_ID: who.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: who.SecretAccessKey,
      ...(who.SessionToken ? { AWS_SESSION_TOKEN: who.SessionToken } : {}),
      AWS_DEFAULT_REGION: MOTO_REGION,
      AWS_PAGER: "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    try {
      const { stdout } = await promisify(execFile)("aws", [...args, "--endpoint-url", moto.endpoint, "--output", "json"], { env });
      return { ok: true, out: stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {}, err: "" };
    } catch (e) {
      return { ok: false, out: {}, err: String((e as { stderr?: string }).stderr ?? e) };
    }
  }
  async function must(who: Creds, args: string[]): Promise<Record<string, unknown>> {
    const r = await aws(who, args);
    if (!r.ok) throw new Error(`aws ${args.join(" ")}: ${r.err}`);
    return r.out;
  }
  const denied = (r: CliResult) => !r.ok && /AccessDenied/.test(r.err);
  const expectOk = (r: CliResult, what: string) => expect(r.ok, `${what}: ${r.err}`).toBe(true);

  /** An IAM user with keys and inline policies: the identity that assumes roles, or stands in for the host role. */
  async function user(name: string, policies: Record<string, unknown>): Promise<{ arn: string; creds: Creds }> {
    const u = (await must(ADMIN, ["iam", "create-user", "--user-name", name])) as { User: { Arn: string } };
    for (const [p, doc] of Object.entries(policies)) await must(ADMIN, ["iam", "put-user-policy", "--user-name", name, "--policy-name", p, "--policy-document", JSON.stringify(doc)]);
    const k = (await must(ADMIN, ["iam", "create-access-key", "--user-name", name])) as { AccessKey: Creds };
    return { arn: u.User.Arn, creds: { AccessKeyId: k.AccessKey.AccessKeyId, SecretAccessKey: k.AccessKey.SecretAccessKey } };
  }
  async function role(name: string, trusted: string, policies: Record<string, unknown>): Promise<string> {
    const r = (await must(ADMIN, ["iam", "create-role", "--role-name", name, "--assume-role-policy-document", JSON.stringify(trustPolicy([trusted], true))])) as { Role: { Arn: string } };
    for (const [p, doc] of Object.entries(policies)) await must(ADMIN, ["iam", "put-role-policy", "--role-name", name, "--policy-name", p, "--policy-document", JSON.stringify(doc)]);
    return r.Role.Arn;
  }
  const allow = (Action: string | string[], Resource: string | string[] = "*") => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });

  beforeAll(async () => {
    moto = await startMoto();
    tokenArn = String((await must(ADMIN, ["secretsmanager", "create-secret", "--name", TOKEN_SECRET, "--secret-string", randomBytes(32).toString("base64url")])).ARN);
    otherArn = String((await must(ADMIN, ["secretsmanager", "create-secret", "--name", OTHER_SECRET, "--secret-string", randomBytes(16).toString("hex")])).ARN);
    const key = (await must(ADMIN, ["kms", "create-key"])) as { KeyMetadata: { KeyId: string; Arn: string } };
    const blob = String((await must(ADMIN, ["kms", "encrypt", "--key-id", key.KeyMetadata.KeyId, "--plaintext", Buffer.from("secret").toString("base64")])).CiphertextBlob);
    // The CLI takes binary parameters from a file.
    ciphertextFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-iam-")), "blob");
    fs.writeFileSync(ciphertextFile, Buffer.from(blob, "base64"));
    await must(ADMIN, ["logs", "create-log-group", "--log-group-name", GATEWAY_GROUP]);

    const ctx: AccessContext = {
      partition: "aws",
      accountId: MOTO_ACCOUNT,
      region: MOTO_REGION,
      instanceArn: `arn:aws:ec2:${MOTO_REGION}:${MOTO_ACCOUNT}:instance/i-0123456789abcdef0`,
      stack: "level1",
      cellName: "gw",
      sessionDocumentArn: `arn:aws:ssm:${MOTO_REGION}:${MOTO_ACCOUNT}:document/clawkeep-level1-gw-session`,
      portDocumentArn: `arn:aws:ssm:${MOTO_REGION}:${MOTO_ACCOUNT}:document/clawkeep-level1-gw-gateway-port`,
      gatewayDocumentArn: `arn:aws:ssm:${MOTO_REGION}:${MOTO_ACCOUNT}:document/clawkeep-level1-gw-gateway`,
      logGroupArns: [`arn:aws:logs:${MOTO_REGION}:${MOTO_ACCOUNT}:log-group:${GATEWAY_GROUP}`],
      dashboardArn: `arn:aws:cloudwatch::${MOTO_ACCOUNT}:dashboard/clawkeep-level1-gw`,
    };
    const person = await user("alice", { assume: allow("sts:AssumeRole") });
    // "A managed policy attached by mistake": a broad grant the operator's explicit Deny must beat.
    const mistake = allow(["secretsmanager:*", "kms:*"]);
    const roles = {
      operator: await role("gw-operator", person.arn, { operator: operatorPolicy(ctx), mistake }),
      viewer: await role("gw-viewer", person.arn, { viewer: viewerPolicy(ctx) }),
      // Control: the same mistake without the operator's Deny.
      unguarded: await role("gw-unguarded", person.arn, { mistake }),
    };
    const hostCtx = { dataKeyArn: key.KeyMetadata.Arn, region: MOTO_REGION, bundleObjectArn: `arn:aws:s3:::clawkeep-bundles/host-bundle/*`, bundleParameterArn: `arn:aws:ssm:${MOTO_REGION}:123456789012:parameter/clawkeep/level1/gw/host-bundle` };
    ids.host = (await user("gw-host", { read: hostReadPolicy({ ...hostCtx, secretArns: [tokenArn] }) })).creds;
    // Control: the host policy widened to every secret, which the kit must never ship.
    ids.widened = (await user("gw-host-widened", { read: hostReadPolicy({ ...hostCtx, secretArns: ["*"] }) })).creds;
    ids.stranger = (await user("mallory", { assume: allow("sts:AssumeRole") })).creds;
    ids.logsAdmin = (await user("logs-admin", { logs: allow("logs:*") })).creds;
    ids.alice = person.creds;

    // From here on every call is signed and judged by moto's IAM.
    const res = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: "POST", body: "0" });
    expect(res.ok).toBe(true);
    for (const [name, arn] of Object.entries(roles)) {
      const r = (await must(person.creds, ["sts", "assume-role", "--role-arn", arn, "--role-session-name", `t-${name}`])) as { Credentials: Creds };
      ids[name] = r.Credentials;
    }
  }, 180_000);
  afterAll(async () => {
    await moto?.stop();
    if (ciphertextFile) fs.rmSync(path.dirname(ciphertextFile), { recursive: true, force: true });
  });

  it("enforces trust: a principal the role does not name cannot assume it", async () => {
    const r = await aws(ids.stranger, ["sts", "assume-role", "--role-arn", `arn:aws:iam::${MOTO_ACCOUNT}:role/gw-operator`, "--role-session-name", "intruder"]);
    expect(denied(r), `${r.err} ${JSON.stringify(r.out)}`).toBe(true);
  });

  it("the operator cannot read a secret value or decrypt, even with a broad allow attached", async () => {
    expect(denied(await aws(ids.operator, ["secretsmanager", "get-secret-value", "--secret-id", TOKEN_SECRET]))).toBe(true);
    expect(denied(await aws(ids.operator, ["kms", "decrypt", "--ciphertext-blob", `fileb://${ciphertextFile}`]))).toBe(true);
    // The same broad allow without the Deny reads both: the Deny is what stops the operator.
    expectOk(await aws(ids.unguarded, ["secretsmanager", "get-secret-value", "--secret-id", TOKEN_SECRET]), "unguarded get-secret-value");
    expectOk(await aws(ids.unguarded, ["kms", "decrypt", "--ciphertext-blob", `fileb://${ciphertextFile}`]), "unguarded decrypt");
    // And the operator still works: it lists the cell's log groups.
    expectOk(await aws(ids.operator, ["logs", "describe-log-groups"]), "operator describe-log-groups");
  });

  it("the viewer lists the cell's logs but cannot change anything or read secrets", async () => {
    const groups = await aws(ids.viewer, ["logs", "describe-log-groups"]);
    expectOk(groups, "viewer describe-log-groups");
    expect((groups.out.logGroups as Array<{ logGroupName: string }>).map((g) => g.logGroupName)).toContain(GATEWAY_GROUP);
    const writes: string[][] = [
      ["logs", "create-log-group", "--log-group-name", "/x"],
      ["logs", "delete-log-group", "--log-group-name", GATEWAY_GROUP],
      ["logs", "put-retention-policy", "--log-group-name", GATEWAY_GROUP, "--retention-in-days", "1"],
      ["logs", "create-log-stream", "--log-group-name", GATEWAY_GROUP, "--log-stream-name", "forged"],
      ["secretsmanager", "get-secret-value", "--secret-id", TOKEN_SECRET],
      ["secretsmanager", "put-secret-value", "--secret-id", TOKEN_SECRET, "--secret-string", "y".repeat(40)],
      ["kms", "decrypt", "--ciphertext-blob", `fileb://${ciphertextFile}`],
    ];
    const results = await Promise.all(writes.map((w) => aws(ids.viewer, w)));
    results.forEach((r, i) => expect(denied(r), `${writes[i].slice(0, 2).join(" ")}: ${r.err}`).toBe(true));
    // The refused delete changed nothing, and an identity allowed logs:* makes the same kind of change.
    expect(((await must(ids.logsAdmin, ["logs", "describe-log-groups"])).logGroups as unknown[]).length).toBe(1);
    expectOk(await aws(ids.logsAdmin, ["logs", "create-log-group", "--log-group-name", "/x"]), "logs-admin create-log-group");
  });

  it("the instance role cannot read another application's secret; widened to '*' it could", async () => {
    expect(denied(await aws(ids.host, ["secretsmanager", "get-secret-value", "--secret-id", OTHER_SECRET]))).toBe(true);
    expect(denied(await aws(ids.host, ["secretsmanager", "list-secrets"]))).toBe(true);
    expect(denied(await aws(ids.host, ["secretsmanager", "put-secret-value", "--secret-id", TOKEN_SECRET, "--secret-string", "x".repeat(40)]))).toBe(true);
    expectOk(await aws(ids.widened, ["secretsmanager", "get-secret-value", "--secret-id", OTHER_SECRET]), "widened get-secret-value");
    expect(otherArn).toContain(OTHER_SECRET);
  });
});
