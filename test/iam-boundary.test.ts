// Issue 16's proof: every IAM policy of each level's offline plan (identity, trust, secret, bucket and key
// policies, as the program registers them) judged by a real IAM policy evaluator,
// @cloud-copilot/iam-simulate (pinned; it combines identity, resource and trust policies, models KMS's
// key-policy rule and same-account rules, and refuses unknown actions, ARNs and condition keys). One row per
// line of the guides' role table: principal x action x resource x context -> Allowed or Denied. It fails
// when any principal of the cell can escalate (change IAM, pass a broader role, stop a trail, change a key
// or secret policy, run a shell document) or when a grant the table promises is missing.
//
// The evaluator derives nothing from the principal: the harness supplies every context key AWS would
// (aws:PrincipalArn, MFA, the EC2 credential and network keys, lambda:SourceFunctionArn, resource tags).
import * as fs from "node:fs";
import * as path from "node:path";
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import type { PlannedResource } from "../plan/evaluate";
import { planStack } from "../plan/planStack";

const LEVELS = ["level0", "level1", "level2", "level3"] as const;
const ACCOUNT = "123456789012";
const MANAGED = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/iam/managedPolicies.json"), "utf8")) as Record<string, unknown>;

type Doc = { Version: string; Statement: Array<Record<string, unknown>> };
type Want = "Allowed" | "Denied";
type Ctx = Record<string, string | string[]>;

interface Role {
  name: string;
  arn: string;
  trust: Doc;
  policies: Array<{ name: string; policy: Doc }>;
}

/** The IAM side of one level's plan. */
interface Cell {
  stack: string;
  region: string;
  roles: Role[];
  role(pick: (r: Role) => boolean, what: string): Role;
  secretPolicy(arn: string): Doc | undefined;
  keyPolicy(arn: string): Doc | undefined;
  bucketPolicy(arn: string): Doc | undefined;
  tagsOf(arn: string): Record<string, string>;
  arnOf(type: string, match: (r: PlannedResource) => boolean, what: string): string;
  find(type: string, match: (r: PlannedResource) => boolean): PlannedResource | undefined;
  /** Every resource's ARN as the plan knows it. */
  vpcId: string;
  privateIp: string;
}

const asDoc = (v: unknown): Doc => (typeof v === "string" ? (JSON.parse(v) as Doc) : (v as Doc));

async function loadCell(stack: string): Promise<Cell> {
  const plan = await planStack(stack);
  expect(plan.evaluation.errors.map((e) => e.message)).toEqual([]);
  const res = plan.evaluation.resources;
  const of = (type: string) => res.filter((r) => r.type === type);
  const roles: Role[] = of("aws:iam/role:Role").map((r) => ({ name: String(r.state.name), arn: String(r.state.arn), trust: asDoc(r.inputs.assumeRolePolicy), policies: [] }));
  const roleRefs = new Map<string, Role>();
  for (const [i, r] of of("aws:iam/role:Role").entries()) for (const ref of [r.state.id, r.state.name, r.state.arn]) roleRefs.set(String(ref), roles[i]);
  const roleOf = (ref: unknown, where: string) => {
    const role = roleRefs.get(String(ref));
    if (!role) throw new Error(`${where}: role ${String(ref)} is not in the plan`);
    return role;
  };
  for (const p of of("aws:iam/rolePolicy:RolePolicy")) roleOf(p.inputs.role, p.name).policies.push({ name: p.name, policy: asDoc(p.inputs.policy) });
  for (const a of of("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
    const doc = MANAGED[String(a.inputs.policyArn)];
    // Fail closed: a managed policy the harness does not know would be judged as granting nothing.
    if (!doc) throw new Error(`${a.name}: managed policy ${String(a.inputs.policyArn)} is not in test/fixtures/iam/managedPolicies.json`);
    roleOf(a.inputs.role, a.name).policies.push({ name: String(a.inputs.policyArn), policy: doc as Doc });
  }
  for (const r of of("aws:iam/role:Role")) {
    for (const [i, p] of ((r.inputs.inlinePolicies ?? []) as Array<{ policy?: unknown }>).entries()) if (p.policy) roleOf(r.state.id, r.name).policies.push({ name: `${r.name}-inline-${i}`, policy: asDoc(p.policy) });
    if (((r.inputs.managedPolicyArns ?? []) as unknown[]).length > 0) throw new Error(`${r.name}: managedPolicyArns is not modelled here`);
  }
  const byArn = (type: string, field: string) => new Map(of(type).map((r) => [String(r.inputs[field]), asDoc(r.inputs.policy)]));
  const secretPolicies = byArn("aws:secretsmanager/secretPolicy:SecretPolicy", "secretArn");
  const buckets = new Map(of("aws:s3/bucket:Bucket").map((b) => [String(b.state.id), String(b.state.arn)]));
  const bucketPolicies = new Map(of("aws:s3/bucketPolicy:BucketPolicy").map((p) => [buckets.get(String(p.inputs.bucket)) ?? String(p.inputs.bucket), asDoc(p.inputs.policy)]));
  const keyPolicies = new Map(of("aws:kms/key:Key").map((k) => [String(k.state.arn), asDoc(k.inputs.policy)]));
  const tags = new Map(res.filter((r) => r.state.arn).map((r) => [String(r.state.arn), (r.inputs.tags ?? {}) as Record<string, string>]));
  const instance = of("aws:ec2/instance:Instance")[0];
  const find = (type: string, match: (r: PlannedResource) => boolean) => of(type).find(match);
  return {
    stack,
    region: plan.region,
    roles,
    role: (pick, what) => {
      const found = roles.filter(pick);
      if (found.length !== 1) throw new Error(`${stack}: expected one ${what} role, found ${found.map((r) => r.name).join(", ") || "none"}`);
      return found[0];
    },
    secretPolicy: (arn) => secretPolicies.get(arn),
    keyPolicy: (arn) => keyPolicies.get(arn),
    bucketPolicy: (arn) => bucketPolicies.get(arn),
    tagsOf: (arn) => tags.get(arn) ?? {},
    arnOf: (type, match, what) => {
      const r = find(type, match);
      if (!r) throw new Error(`${stack}: no ${what} (${type}) in the plan`);
      return String(r.state.arn);
    },
    find,
    vpcId: String(of("aws:ec2/vpc:Vpc")[0].state.id),
    privateIp: String(instance.state.privateIp),
  };
}

interface Row {
  who: string;
  /** The guides' table line (or the boundary) this row proves. */
  line: string;
  action: string;
  resource: string;
  context: string;
  want: Want;
  principal: string;
  identity: Array<{ name: string; policy: Doc }>;
  ctx: Ctx;
  resourcePolicy?: Doc;
}

interface Result extends Row {
  got: string;
  ok: boolean;
}

/** AWS-owned documents have no account in their ARN; the evaluator's ARN check wants one, so those run unvalidated. */
async function evaluate(row: Row): Promise<Result> {
  const sim: Simulation = {
    request: { principal: row.principal, action: row.action, resource: { resource: row.resource, accountId: ACCOUNT }, contextVariables: row.ctx },
    identityPolicies: row.identity,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: row.resourcePolicy,
  };
  const out = await runSimulation(sim, {});
  let got: string;
  if (out.resultType !== "error") got = out.overallResult;
  else if (/::document\/AWS-/.test(row.resource)) got = `${String(runUnsafeSimulation(sim, {}))} (unvalidated)`;
  else got = `ERROR ${JSON.stringify(out.errors).slice(0, 160)}`;
  const ok = row.want === "Allowed" ? got === "Allowed" : /^(Explicitly|Implicitly)Denied/.test(got);
  return { ...row, got, ok };
}

/** The rows for one level: the guides' table (Admin, Operator, Viewer, Guest), the instance role, the automation roles. */
function rowsFor(cell: Cell): Row[] {
  const { stack, region } = cell;
  const rows: Row[] = [];
  const add = (r: Row) => rows.push(r);
  const isHuman = (suffix: string) => (r: Role) => r.name.endsWith(`-${suffix}`) && /access|clawkeep-/.test(r.name) && !/rotation|host|pickup/.test(r.name);
  const admin = cell.role(isHuman("admin"), "Admin");
  const operator = cell.role(isHuman("operator"), "Operator");
  const viewer = cell.role(isHuman("viewer"), "Viewer");
  const host = cell.role((r) => JSON.stringify(r.trust).includes("ec2.amazonaws.com"), "instance");
  const rotation = cell.role((r) => r.name.includes("token-rotation"), "gateway-token rotation");
  const pickup = cell.role((r) => r.name.includes("credential-pickup"), "EventBridge pickup");

  const instance = cell.find("aws:ec2/instance:Instance", () => true) as PlannedResource;
  const instanceArn = `arn:aws:ec2:${region}:${ACCOUNT}:instance/${String(instance.state.id)}`;
  const instanceTags = (instance.inputs.tags ?? {}) as Record<string, string>;
  const token = cell.arnOf("aws:secretsmanager/secret:Secret", (r) => r.name === "gw-token-secret", "gateway token");
  const dataKey = cell.arnOf("aws:kms/key:Key", (r) => r.name.endsWith("-keys-data"), "data key");
  const dataKeyTags = cell.tagsOf(dataKey);
  const bundle = cell.find("aws:s3/bucketObjectv2:BucketObjectv2", () => true) as PlannedResource;
  const bundleBucketArn = `arn:aws:s3:::${String(cell.find("aws:s3/bucket:Bucket", (b) => b.state.id === bundle.inputs.bucket)?.inputs.bucket)}`;
  const bundleObject = `${bundleBucketArn}/${String(bundle.inputs.key)}`;
  const trail = cell.arnOf("aws:cloudtrail/trail:Trail", () => true, "trail");
  const logGroup = (suffix: string) => `arn:aws:logs:${region}:${ACCOUNT}:log-group:/clawkeep/${stack}/gw/${suffix}`;
  const rotationFn = cell.arnOf("aws:lambda/function:Function", (f) => f.name === "gw-token-rotation", "token rotation function");
  const doc = (name: string) => `arn:aws:ssm:${region}:${ACCOUNT}:document/${name}`;
  const kitDoc = (purpose: string) => doc(`clawkeep-${stack}-gw-${purpose}`);
  const awsDoc = (name: string) => `arn:aws:ssm:${region}::document/${name}`;
  const namespace = `clawkeep/${stack}/gw`;
  const otherInstance = `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0someoneelse0000`;

  const session = (role: Role, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/${name}`;
  const human = (role: Role, who: string, mfa: boolean) => ({
    who,
    principal: session(role, "alice"),
    identity: role.policies,
    ctx: { "aws:PrincipalArn": role.arn, "aws:PrincipalAccount": ACCOUNT, "aws:MultiFactorAuthPresent": String(mfa), "aws:SourceIp": "198.51.100.7", "aws:userid": "AROAEXAMPLE:alice", "aws:SecureTransport": "true" } as Ctx,
  });
  const instanceKeys = (tags: Record<string, string>): Ctx =>
    Object.fromEntries(Object.entries(tags).flatMap(([k, v]) => [[`aws:ResourceTag/${k}`, v], [`ssm:resourceTag/${k}`, v]]));
  const keyTags = (tags: Record<string, string>): Ctx => Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));

  // ---- Admin: the cell's host, keys, documents and logs; never an escalation.
  const a = (action: string, resource: string, want: Want, context: string, extra: Ctx = {}, resourcePolicy?: Doc, mfa = true) =>
    add({ ...human(admin, "Admin", mfa), line: "Admin: full configuration and key management of its cell", action, resource, context, want, ctx: { ...human(admin, "Admin", mfa).ctx, ...extra }, resourcePolicy });
  a("ec2:RebootInstances", instanceArn, "Allowed", "mfa, the cell's host", instanceKeys(instanceTags));
  a("ec2:RebootInstances", instanceArn, "Denied", "no mfa", instanceKeys(instanceTags), undefined, false);
  a("ec2:StopInstances", otherInstance, "Denied", "mfa, another cell's host", instanceKeys({ "clawkeep:stack": "prod", "clawkeep:cell": "other" }));
  a("ssm:SendCommand", kitDoc("gateway"), "Allowed", "mfa, the kit's gateway document");
  a("ssm:SendCommand", instanceArn, "Allowed", "mfa, the cell's host", instanceKeys(instanceTags));
  a("ssm:SendCommand", awsDoc("AWS-RunShellScript"), "Denied", "mfa, a shell document");
  a("ssm:StartSession", awsDoc("AWS-StartInteractiveCommand"), "Denied", "mfa, an interactive shell document");
  a("secretsmanager:PutSecretValue", token, "Allowed", "mfa, key management", {}, cell.secretPolicy(token));
  a("secretsmanager:GetSecretValue", token, "Denied", "mfa, read the key", {}, cell.secretPolicy(token));
  a("secretsmanager:PutResourcePolicy", token, "Denied", "mfa, open the secret", {}, cell.secretPolicy(token));
  a("secretsmanager:RotateSecret", token, "Denied", "mfa, rotate with another function", { "secretsmanager:RotationLambdaARN": `arn:aws:lambda:${region}:${ACCOUNT}:function:exfiltrate` }, cell.secretPolicy(token));
  a("kms:EnableKeyRotation", dataKey, "Allowed", "mfa, the cell's key", keyTags(dataKeyTags), cell.keyPolicy(dataKey));
  a("kms:PutKeyPolicy", dataKey, "Denied", "mfa, the cell's key", keyTags(dataKeyTags), cell.keyPolicy(dataKey));
  a("kms:Decrypt", dataKey, "Denied", "mfa, the cell's key", keyTags(dataKeyTags), cell.keyPolicy(dataKey));
  a("logs:Unmask", logGroup("gateway"), "Allowed", "mfa, the cell's gateway log");
  a("logs:PutRetentionPolicy", logGroup("gateway"), "Denied", "mfa, shorten the evidence");
  a("iam:GetRolePolicy", host.arn, "Allowed", "mfa, read the cell's host role");
  a("iam:PutRolePolicy", host.arn, "Denied", "mfa, widen the cell's host role");
  a("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/AnyRoleInTheAccount`, "Denied", "mfa, any role");
  a("iam:AttachRolePolicy", admin.arn, "Denied", "mfa, AdministratorAccess to itself");
  a("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`, "Denied", "mfa, pass a broader role");
  a("iam:UpdateAssumeRolePolicy", host.arn, "Denied", "mfa, let itself assume the host role");
  a("iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/backdoor`, "Denied", "mfa, a backdoor user");
  a("cloudtrail:StopLogging", trail, "Denied", "mfa, the cell's trail");
  a("cloudtrail:DeleteTrail", `arn:aws:cloudtrail:${region}:${ACCOUNT}:trail/org-trail`, "Denied", "mfa, the account's trail");
  a("ec2:ModifyInstanceAttribute", instanceArn, "Denied", "mfa, new user data (root code)", instanceKeys(instanceTags));
  a("lambda:UpdateFunctionCode", rotationFn, "Denied", "mfa, the rotation function's code");
  a("ssm:UpdateDocument", kitDoc("pickup"), "Denied", "mfa, turn a kit document into a shell");
  a("ec2:TerminateInstances", otherInstance, "Denied", "mfa, any instance");
  a("s3:GetObject", "arn:aws:s3:::payroll-bucket/2026.csv", "Denied", "mfa, another application's data");

  // ---- Operator: sessions and the gateway document, logs and dashboard, never a secret value.
  const o = (action: string, resource: string, want: Want, context: string, extra: Ctx = {}, resourcePolicy?: Doc, mfa = true) =>
    add({ ...human(operator, "Operator", mfa), line: "Operator: run workflows, no key access", action, resource, context, want, ctx: { ...human(operator, "Operator", mfa).ctx, ...extra }, resourcePolicy });
  o("ssm:StartSession", kitDoc("session"), "Allowed", "mfa, the kit's session document", { "ssm:SessionDocumentAccessCheck": "true" });
  o("ssm:StartSession", instanceArn, "Allowed", "mfa, the cell's host", { "ssm:SessionDocumentAccessCheck": "true" });
  o("ssm:StartSession", awsDoc("AWS-StartInteractiveCommand"), "Denied", "mfa, an interactive shell document", { "ssm:SessionDocumentAccessCheck": "true" });
  o("ssm:StartSession", awsDoc("AWS-StartPortForwardingSessionToRemoteHost"), "Denied", "mfa, forward to any address (the metadata service)", { "ssm:SessionDocumentAccessCheck": "true" });
  o("ssm:SendCommand", kitDoc("gateway"), "Allowed", "mfa, restart the gateway");
  o("ssm:SendCommand", instanceArn, "Allowed", "mfa, the cell's host");
  o("ssm:SendCommand", kitDoc("pickup"), "Denied", "mfa, the automation's document");
  o("ssm:SendCommand", awsDoc("AWS-RunShellScript"), "Denied", "mfa, a shell document");
  o("logs:GetLogEvents", `${logGroup("gateway")}:log-stream:i-0cell`, "Allowed", "mfa, the gateway log");
  o("cloudwatch:GetDashboard", `arn:aws:cloudwatch::${ACCOUNT}:dashboard/clawkeep-${stack}-gw`, "Allowed", "mfa, the dashboard");
  o("logs:Unmask", logGroup("gateway"), "Denied", "mfa, unmask");
  for (const mfa of [true, false]) o("secretsmanager:GetSecretValue", token, "Denied", `mfa=${mfa}, the gateway token`, {}, cell.secretPolicy(token), mfa);
  o("kms:Decrypt", dataKey, "Denied", "mfa, the data key", keyTags(dataKeyTags), cell.keyPolicy(dataKey));
  o("iam:PutRolePolicy", operator.arn, "Denied", "mfa, widen itself");
  o("iam:PassRole", host.arn, "Denied", "mfa, pass the host role");

  // ---- Viewer: read-only, masked.
  const v = (action: string, resource: string, want: Want, context: string, resourcePolicy?: Doc) =>
    add({ ...human(viewer, "Viewer", false), line: "Viewer: read-only logs and outputs", action, resource, context, want, resourcePolicy });
  v("logs:GetLogEvents", `${logGroup("gateway")}:log-stream:i-0cell`, "Allowed", "the gateway log");
  v("cloudwatch:GetDashboard", `arn:aws:cloudwatch::${ACCOUNT}:dashboard/clawkeep-${stack}-gw`, "Allowed", "the dashboard");
  v("logs:Unmask", logGroup("gateway"), "Denied", "unmask");
  v("secretsmanager:GetSecretValue", token, "Denied", "the gateway token", cell.secretPolicy(token));
  v("ssm:StartSession", instanceArn, "Denied", "a session on the host");
  v("ec2:StopInstances", instanceArn, "Denied", "stop the host");
  v("iam:PutRolePolicy", viewer.arn, "Denied", "widen itself");

  // ---- Trust: who becomes each role.
  const assume = (who: string, line: string, principal: string, role: Role, want: Want, context: string, ctx: Ctx = {}) =>
    add({ who, line, principal, identity: principal.includes(":user/") ? [{ name: "may-assume", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] } }] : [], action: "sts:AssumeRole", resource: role.arn, context, want, ctx: { "aws:PrincipalArn": principal, "aws:PrincipalAccount": ACCOUNT, ...ctx }, resourcePolicy: role.trust });
  const person = `arn:aws:iam::${ACCOUNT}:user/alice`;
  assume("Admin (trust)", "Admin: MFA", person, admin, "Allowed", "a person of the account, mfa", { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60" });
  assume("Admin (trust)", "Admin: MFA", person, admin, "Denied", "a person of the account, no mfa", { "aws:MultiFactorAuthPresent": "false" });
  assume("Operator (trust)", "Operator: MFA", person, operator, "Allowed", "a person of the account, mfa", { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60" });
  assume("Operator (trust)", "Operator: MFA", person, operator, "Denied", "a person of the account, no mfa", { "aws:MultiFactorAuthPresent": "false" });
  assume("Viewer (trust)", "Viewer: read-only", person, viewer, "Allowed", "a person of the account");
  assume("Instance role (trust)", "the instance role: EC2 only", "ec2.amazonaws.com", host, "Allowed", "EC2");
  assume("Instance role (trust)", "the instance role: EC2 only", person, host, "Denied", "a person of the account", { "aws:MultiFactorAuthPresent": "true" });
  assume("Guest", "Guest: nothing in AWS", person, host, "Denied", "no role exists for a guest; not even the host's", { "aws:MultiFactorAuthPresent": "true" });

  // ---- The instance role: its own secrets and bundle, only from its host; its logs and metrics; the SSM agent's minimum.
  const hostCtx = (where: string): Ctx => {
    const base: Ctx = {
      "aws:PrincipalArn": host.arn,
      "aws:PrincipalAccount": ACCOUNT,
      "ec2:SourceInstanceARN": instanceArn,
      "aws:EC2InstanceSourceVPC": cell.vpcId,
      "aws:EC2InstanceSourcePrivateIPv4": cell.privateIp,
      "aws:SecureTransport": "true",
    };
    const onHost = { "aws:SourceVpc": cell.vpcId, "aws:SourceVpce": "vpce-0cell00000000000", "aws:VpcSourceIp": cell.privateIp };
    if (where === "on the host") return { ...base, ...onHost };
    if (where === "copied, used from the internet") return { ...base, "aws:SourceIp": "192.0.2.66" };
    if (where === "copied, used through another VPC's endpoint") return { ...base, "aws:SourceVpc": "vpc-0attacker000000", "aws:SourceVpce": "vpce-0attacker00000", "aws:VpcSourceIp": "10.9.9.9" };
    if (where === "the role on another instance") return { ...base, ...onHost, "ec2:SourceInstanceARN": otherInstance, "aws:VpcSourceIp": "10.42.1.99", "aws:EC2InstanceSourcePrivateIPv4": "10.42.1.99" };
    throw new Error(where);
  };
  const h = (action: string, resource: string, want: Want, where: string, resourcePolicy?: Doc, extra: Ctx = {}, what = "") =>
    add({ who: "Instance role", line: "the instance role: its own secrets, bundle, logs and metrics, from its host", principal: session(host, String(instance.state.id)), identity: host.policies, action, resource, context: what ? `${where}, ${what}` : where, want, ctx: { ...hostCtx(where), ...extra }, resourcePolicy });
  for (const where of ["on the host", "copied, used from the internet", "copied, used through another VPC's endpoint", "the role on another instance"]) {
    h("secretsmanager:GetSecretValue", token, where === "on the host" ? "Allowed" : "Denied", where, cell.secretPolicy(token));
  }
  h("s3:GetObject", bundleObject, "Allowed", "on the host", cell.bucketPolicy(bundleBucketArn));
  h("s3:GetObject", bundleObject, "Denied", "copied, used from the internet", cell.bucketPolicy(bundleBucketArn));
  const viaSecretsManager = { "kms:ViaService": `secretsmanager.${region}.amazonaws.com`, "aws:ViaAWSService": "true", "aws:CalledVia": ["secretsmanager.amazonaws.com"] };
  h("kms:Decrypt", dataKey, "Allowed", "on the host", cell.keyPolicy(dataKey), { ...viaSecretsManager, ...keyTags(dataKeyTags) }, "via Secrets Manager");
  h("kms:Decrypt", dataKey, "Denied", "on the host", cell.keyPolicy(dataKey), keyTags(dataKeyTags), "directly");
  h("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:clawkeep-admin/${stack}/gw/openai-admin-key-AbCdEf`, "Denied", "on the host", undefined, {}, "the OpenAI admin key");
  h("logs:PutLogEvents", `${logGroup("gateway")}:log-stream:i-0cell`, "Allowed", "on the host", undefined, {}, "its log group");
  h("logs:PutLogEvents", `arn:aws:logs:${region}:${ACCOUNT}:log-group:/aws/other-app:log-stream:x`, "Denied", "on the host", undefined, {}, "another group");
  h("cloudwatch:PutMetricData", "*", "Allowed", "on the host", undefined, { "cloudwatch:namespace": namespace }, "its namespace");
  h("cloudwatch:PutMetricData", "*", "Denied", "on the host", undefined, { "cloudwatch:namespace": "AWS/EC2" }, "namespace AWS/EC2");
  h("ssm:UpdateInstanceInformation", instanceArn, "Allowed", "on the host");
  h("ssmmessages:OpenDataChannel", "*", "Allowed", "on the host");
  h("ssm:GetParameter", `arn:aws:ssm:${region}:${ACCOUNT}:parameter/prod/db/password`, "Denied", "on the host");
  h("iam:PutRolePolicy", host.arn, "Denied", "on the host");
  h("iam:PassRole", admin.arn, "Denied", "on the host");

  // ---- Automation: the gateway-token rotation function and EventBridge's pickup, kit documents only.
  const fromFn = { "aws:PrincipalArn": rotation.arn, "aws:PrincipalAccount": ACCOUNT, "lambda:SourceFunctionArn": rotationFn };
  const r = (action: string, resource: string, want: Want, context: string, ctx: Ctx, resourcePolicy?: Doc) =>
    add({ who: "Token rotation", line: "automation: the rotation function, its own secret and the pickup document", principal: session(rotation, "gw-token-rotation"), identity: rotation.policies, action, resource, context, want, ctx, resourcePolicy });
  r("secretsmanager:PutSecretValue", token, "Allowed", "from its function", fromFn, cell.secretPolicy(token));
  r("ssm:SendCommand", kitDoc("pickup"), "Allowed", "from its function", fromFn);
  r("ssm:SendCommand", instanceArn, "Allowed", "from its function", fromFn);
  r("ssm:GetCommandInvocation", "*", "Allowed", "from its function (no resource types exist)", fromFn);
  r("ssm:SendCommand", awsDoc("AWS-RunShellScript"), "Denied", "from its function, a shell document", fromFn);
  r("ssm:SendCommand", kitDoc("gateway"), "Denied", "from its function, another document", fromFn);
  const copied = { "aws:PrincipalArn": rotation.arn, "aws:PrincipalAccount": ACCOUNT };
  r("secretsmanager:GetSecretValue", token, "Denied", "credentials copied out of the function", copied, cell.secretPolicy(token));
  r("ssm:GetCommandInvocation", "*", "Denied", "credentials copied out of the function", copied);
  r("iam:PutRolePolicy", rotation.arn, "Denied", "from its function", fromFn);
  const events = { "aws:PrincipalArn": pickup.arn, "aws:PrincipalAccount": ACCOUNT };
  const p = (action: string, resource: string, want: Want, context: string) =>
    add({ who: "Pickup (EventBridge)", line: "automation: EventBridge runs the pickup document", principal: session(pickup, "events"), identity: pickup.policies, action, resource, context, want, ctx: events });
  p("ssm:SendCommand", kitDoc("pickup"), "Allowed", "the pickup document");
  p("ssm:SendCommand", instanceArn, "Allowed", "the cell's host");
  p("ssm:SendCommand", awsDoc("AWS-RunShellScript"), "Denied", "a shell document");
  p("ssm:SendCommand", otherInstance, "Denied", "another host");
  return rows;
}

/** Escalations no principal of the cell may perform, with the most favourable context it can have. */
const ESCALATIONS: Array<[string, (cell: Cell, self: Role) => string]> = [
  ["iam:PutRolePolicy", (_c, self) => self.arn],
  ["iam:AttachRolePolicy", (_c, self) => self.arn],
  ["iam:UpdateAssumeRolePolicy", (_c, self) => self.arn],
  ["iam:CreateRole", () => `arn:aws:iam::${ACCOUNT}:role/new-admin`],
  ["iam:CreateAccessKey", () => `arn:aws:iam::${ACCOUNT}:user/someone`],
  ["iam:PassRole", () => `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`],
  ["sts:AssumeRole", () => `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`],
  ["cloudtrail:StopLogging", (c) => c.arnOf("aws:cloudtrail/trail:Trail", () => true, "trail")],
  ["cloudtrail:DeleteTrail", (c) => c.arnOf("aws:cloudtrail/trail:Trail", () => true, "trail")],
  ["kms:PutKeyPolicy", (c) => c.arnOf("aws:kms/key:Key", (k) => k.name.endsWith("-keys-data"), "data key")],
  ["secretsmanager:PutResourcePolicy", (c) => c.arnOf("aws:secretsmanager/secret:Secret", (s) => s.name === "gw-token-secret", "token")],
  ["ec2:ModifyInstanceAttribute", (c) => `arn:aws:ec2:${c.region}:${ACCOUNT}:instance/${String(c.find("aws:ec2/instance:Instance", () => true)?.state.id)}`],
  ["lambda:UpdateFunctionCode", (c) => c.arnOf("aws:lambda/function:Function", (f) => f.name === "gw-token-rotation", "rotation function")],
  ["ssm:UpdateDocument", (c) => `arn:aws:ssm:${c.region}:${ACCOUNT}:document/clawkeep-${c.stack}-gw-pickup`],
  ["ssm:SendCommand", (c) => `arn:aws:ssm:${c.region}::document/AWS-RunShellScript`],
];

function escalationRows(cell: Cell): Row[] {
  return cell.roles.flatMap((self) =>
    ESCALATIONS.map(([action, target]) => {
      const resource = target(cell, self);
      return {
        who: self.name,
        line: "nobody escalates",
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${self.name}/x`,
        identity: self.policies,
        action,
        resource,
        context: "mfa, from its own function",
        want: "Denied" as Want,
        ctx: { "aws:PrincipalArn": self.arn, "aws:PrincipalAccount": ACCOUNT, "aws:MultiFactorAuthPresent": "true", "lambda:SourceFunctionArn": `arn:aws:lambda:${cell.region}:${ACCOUNT}:function:gw-token-rotation` },
      };
    }),
  );
}

const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
const short = (arn: string) => arn.replace("arn:aws:", "").replace(`:${ACCOUNT}`, "").replace(/us-east-1/g, "");

function table(stack: string, results: Result[]): string {
  const lines = [`${stack}: principal x action x resource x context -> evaluator (want)`];
  lines.push(`${pad("principal", 22)} ${pad("action", 36)} ${pad("resource", 46)} ${pad("context", 46)} ${pad("want", 8)} ${pad("evaluator", 32)} ok`);
  for (const r of results) lines.push(`${pad(r.who, 22)} ${pad(r.action, 36)} ${pad(short(r.resource), 46)} ${pad(r.context, 46)} ${pad(r.want, 8)} ${pad(r.got, 32)} ${r.ok ? "yes" : "NO"}`);
  const per = new Map<string, { allowed: number; denied: number; wrong: number }>();
  for (const r of results) {
    const c = per.get(r.who) ?? { allowed: 0, denied: 0, wrong: 0 };
    if (r.got === "Allowed") c.allowed++;
    else c.denied++;
    if (!r.ok) c.wrong++;
    per.set(r.who, c);
  }
  lines.push(`counts: ${[...per].map(([who, c]) => `${who} ${c.allowed} allowed / ${c.denied} denied${c.wrong ? ` (${c.wrong} NOT as the table wants)` : ""}`).join("; ")}`);
  return lines.join("\n");
}

describe.each(LEVELS)("IAM of %s, judged by @cloud-copilot/iam-simulate", (stack) => {
  let cell: Cell;
  beforeAll(async () => {
    cell = await loadCell(stack);
  }, 120_000);

  it("the guides' role table holds: every row as the table says, and no principal can escalate", async () => {
    const results = await Promise.all(rowsFor(cell).map(evaluate));
    console.log(table(stack, results));
    const sweep = await Promise.all(escalationRows(cell).map(evaluate));
    const escalations = sweep.filter((r) => !r.ok);
    console.log(`${stack}: escalation sweep, ${cell.roles.length} roles x ${ESCALATIONS.length} actions: ${sweep.length - escalations.length} denied, ${escalations.length} not denied`);
    for (const e of escalations) console.log(`  ESCALATION ${e.who} ${e.action} ${short(e.resource)} -> ${e.got}`);
    expect(results.filter((r) => !r.ok).map((r) => `${r.who}: ${r.action} ${short(r.resource)} (${r.context}) -> ${r.got}, want ${r.want}`)).toEqual([]);
    expect(escalations.map((r) => `${r.who}: ${r.action} ${short(r.resource)} -> ${r.got}`)).toEqual([]);
  }, 120_000);

  it("the evaluator refuses what it cannot judge (a typo'd action), so a clean table means something", async () => {
    const out = await runSimulation(
      {
        request: { principal: `arn:aws:iam::${ACCOUNT}:user/x`, action: "secretsmanager:GetSecretVaule", resource: { resource: "*", accountId: ACCOUNT }, contextVariables: {} },
        identityPolicies: [{ name: "p", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }] } }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    expect(out.resultType).toBe("error");
  });

  it("the guides' Guest has no role: the only roles people assume are Admin, Operator and Viewer", () => {
    const people = cell.roles.filter((r) => JSON.stringify(r.trust).includes('"AWS"'));
    expect(people.map((r) => r.name.replace(/^.*-(admin|operator|viewer)$/, "$1")).sort()).toEqual(["admin", "operator", "viewer"]);
  });
});
