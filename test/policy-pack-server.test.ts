// The pack as Pulumi runs it: `@pulumi/pulumi/cmd/run-policy-pack` in policy/ (Pulumi's own
// ts-node type-checks and loads index.ts, which starts the analyzer gRPC server), then the engine's
// calls, GetAnalyzerInfo, Configure, Analyze (inputs) and AnalyzeStack (outputs), over gRPC. No Pulumi
// CLI. The stack's config reaches the pack as the CLI hands it over: PULUMI_CONFIG in its environment.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateProgram, type Evaluation, type PlannedResource } from "../plan/evaluate";
import { judge, type Violation } from "../policy/judge";
import { EXCEPTIONS_RULE, exceptedMessage } from "../policy/lib/exceptions";
import { RULES } from "../policy/rules";
import { todayUtc, type PolicyException } from "../stacks";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  AnalyzeStackRequest,
  AnalyzerResource,
  AnalyzerResourceOptions,
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from "@pulumi/pulumi/proto/analyzer_pb";

const POLICY_DIR = path.join(__dirname, "..", "policy");
let pack: ChildProcess;
let client: AnalyzerClient;
let evaluation: Evaluation;

/** The first line the pack prints is the port of its gRPC server. */
function startPack(env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      // Wait for the newline: a chunk may end in the middle of the number.
      const m = /^(\d+)\r?\n/m.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${err}`)));
  });
}

const unary = <Req, Res>(fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req, on: AnalyzerClient = client): Promise<Res> =>
  new Promise((resolve, reject) => fn.call(on, req, (e, r) => (e ? reject(e) : resolve(r))));

const options = () => new AnalyzerResourceOptions().setIgnorechangesList([]).setAliasesList([]).setAdditionalsecretoutputsList([]);
const struct = (v: Record<string, unknown>) => Struct.fromJavaScript(JSON.parse(JSON.stringify(v)));

/** A resource policy's diagnostic carries no URN (the engine knows which resource it asked about). */
function findings(res: AnalyzeResponse, urn = ""): string[] {
  // The server prefixes each message with the policy's description and a newline.
  return res.getDiagnosticsList().map((d) => `${d.getPolicyname()} | ${d.getUrn() || urn} | ${d.getMessage().split("\n").slice(1).join("\n")} | ${d.getEnforcementlevel() === EnforcementLevel.MANDATORY ? "mandatory" : "advisory"}`);
}

function analyzeRequest(r: PlannedResource): AnalyzeRequest {
  return new AnalyzeRequest().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(struct(r.inputs)).setOptions(options());
}

async function serverFindings(ev: Evaluation, on: AnalyzerClient = client): Promise<string[]> {
  const out: string[] = [];
  for (const r of ev.resources) out.push(...findings(await unary<AnalyzeRequest, AnalyzeResponse>(on.analyze, analyzeRequest(r), on), r.urn));
  const stack = new AnalyzeStackRequest().setResourcesList(
    ev.resources.map((r) => new AnalyzerResource().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(struct(r.state)).setOptions(options()).setDependenciesList(r.dependencies)),
  );
  out.push(...findings(await unary<AnalyzeStackRequest, AnalyzeResponse>(on.analyzeStack, stack, on)));
  return out;
}

/** A finding as the pack reports it: an excepted one is advisory and carries its exception in the message. */
const asPackReports = (v: Violation) =>
  v.excepted ? `${v.rule} | ${v.urn} | ${exceptedMessage(v.excepted, v.message)} | advisory` : `${v.rule} | ${v.urn} | ${v.message} | ${v.enforcementLevel}`;
const offlineFindings = (ev: Evaluation, exceptions: PolicyException[] = []) => judge(ev, {}, RULES, { exceptions }).violations.map(asPackReports);

beforeAll(async () => {
  evaluation = await evaluateProgram({ program: path.join(__dirname, "fixtures/programs/policy/ec2.ts"), project: "policytest", stack: "dev", config: {} });
  const started = await startPack();
  pack = started.child;
  client = new AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  if (pack && pack.exitCode === null) pack.kill("SIGTERM");
});

describe("the policy pack under Pulumi's analyzer runtime", () => {
  it("describes every rule with its enforcement level", async () => {
    const info = await unary<Empty, AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect(info.getName()).toBe("clawkeep");
    const levels = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel() === EnforcementLevel.MANDATORY ? "mandatory" : "advisory"]));
    expect(levels).toEqual({ ...Object.fromEntries(RULES.map((r) => [r.name, r.enforcementLevel])), [EXCEPTIONS_RULE]: "mandatory" });
  });

  it("reports, resource by resource and for the stack, what the offline judge reports", async () => {
    const fromServer = await serverFindings(evaluation);
    const offline = offlineFindings(evaluation);
    expect(offline.some((v) => v.startsWith("ec2-status-check-alarm"))).toBe(true);
    expect(fromServer.sort()).toEqual(offline.sort());
  });

  // Identity, trust and resource policies, managed-policy lookups, group memberships and tailnet policies.
  it.each(["iam", "public", "secrets-store", "tailscale-open"])("agrees with the offline judge on the %s program", async (program) => {
    const ev = await evaluateProgram({ program: path.join(__dirname, `fixtures/programs/policy/${program}.ts`), project: "policytest", stack: "dev", config: {} });
    const offline = offlineFindings(ev);
    expect(offline.length).toBeGreaterThan(5);
    expect((await serverFindings(ev)).sort()).toEqual(offline.sort());
  }, 60_000);

  it("sees a pulumi.secret value decrypted, as the offline judge does", async () => {
    const token = ["sk", "ant", "api03", "Q9".repeat(20)].join("-");
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: `ANTHROPIC_API_KEY=${token}` };
    const r: PlannedResource = { urn: "urn:pulumi:dev::p::aws:ec2/instance:Instance::vm", type: "aws:ec2/instance:Instance", name: "vm", parent: "", custom: true, inputs: { userData: secret }, state: {}, dependencies: [] };
    const server = findings(await unary<AnalyzeRequest, AnalyzeResponse>(client.analyze, analyzeRequest(r)), r.urn).filter((f) => f.startsWith("no-plaintext-secrets"));
    const offline = judge({ resources: [r] }).violations.filter((v) => v.rule === "no-plaintext-secrets").map((v) => v.message);
    expect(offline.join()).toMatch(/Anthropic/);
    expect(server.map((f) => f.split(" | ")[2]).sort()).toEqual(offline.sort());
    expect(server.join()).not.toContain(token);
  });
});

const day = (offset: number) => {
  const d = new Date(`${todayUtc()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return todayUtc(d);
};
const reviewed = { reason: "break-glass access until the SSM rollout lands", reviewer: "Dana Reviewer" };
/** The stack config as the Pulumi CLI passes it to a policy pack: PULUMI_CONFIG, each value a string (objects as JSON). */
const pulumiConfig = (exceptions: unknown) => JSON.stringify({ "aws:region": "us-east-1", "clawkeep:policyExceptions": JSON.stringify(exceptions) });

describe("reviewed exceptions read from the stack config by the real pack process", () => {
  const exceptions: PolicyException[] = [
    { ruleId: "ec2-no-ssh-key-pair", resource: "bad-key", ...reviewed, expires: day(30) },
    { ruleId: "ec2-status-check-alarm", resource: "urn:pulumi:dev::policytest::*::bad-vm", ...reviewed, expires: day(90) },
    { ruleId: "ec2-ebs-encrypted", resource: "bad-volume", ...reviewed, expires: day(-1) },
  ];
  let excepting: ChildProcess;
  let on: AnalyzerClient;
  beforeAll(async () => {
    const started = await startPack({ PULUMI_CONFIG: pulumiConfig(exceptions) });
    excepting = started.child;
    on = new AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
  }, 120_000);
  afterAll(() => {
    on?.close();
    if (excepting && excepting.exitCode === null) excepting.kill("SIGTERM");
  });

  it("honors an exception by name and by URN pattern, reports the expired one, exactly as the offline judge", async () => {
    const offline = offlineFindings(evaluation, exceptions);
    const fromServer = await serverFindings(evaluation, on);
    expect(fromServer.sort()).toEqual(offline.sort());
    expect(fromServer.filter((f) => f.includes("| excepted until")).map((f) => f.split(" | ").slice(0, 2).join(" | "))).toEqual([
      "ec2-no-ssh-key-pair | urn:pulumi:dev::policytest::aws:ec2/keyPair:KeyPair::bad-key",
      "ec2-status-check-alarm | urn:pulumi:dev::policytest::aws:ec2/instance:Instance::bad-vm",
    ]);
    expect(fromServer.filter((f) => f.includes("| excepted until")).every((f) => f.endsWith("| advisory") && f.includes("reviewer Dana Reviewer"))).toBe(true);
    expect(fromServer.find((f) => f.startsWith(EXCEPTIONS_RULE))).toMatch(new RegExp(`ec2-ebs-encrypted on bad-volume.*expired on ${day(-1)}.*\\| mandatory$`));
    expect(fromServer.filter((f) => f.startsWith("ec2-ebs-encrypted | urn:pulumi:dev::policytest::aws:ebs/volume:Volume::bad-volume")).every((f) => f.endsWith("| mandatory"))).toBe(true);
  });

  it("refuses to start on an exception of a rule that takes none: exit 2 naming the rule", async () => {
    const bad = [{ ruleId: "openclaw-gateway-auth", resource: "gw", ...reviewed, expires: day(10) }];
    await expect(startPack({ PULUMI_CONFIG: pulumiConfig(bad) })).rejects.toThrow(/policy pack exited with 2: .*policyExceptions\.0\.ruleId: got "openclaw-gateway-auth"; allowed: a rule that takes exceptions; openclaw-gateway-auth takes none/s);
  }, 120_000);

  it("refuses to start on an exception expiring more than 90 days ahead", async () => {
    const bad = [{ ruleId: "ec2-no-ssh-key-pair", resource: "k", ...reviewed, expires: day(91) }];
    await expect(startPack({ PULUMI_CONFIG: pulumiConfig(bad) })).rejects.toThrow(/exited with 2: .*policyExceptions\.0\.expires: got "\d{4}-\d\d-\d\d"; allowed: a date at most 90 days ahead/s);
  }, 120_000);

  it("refuses a pack config that weakens a rule that takes no exception; takes one that weakens another", async () => {
    const configure = (levels: Record<string, EnforcementLevel>) => {
      const req = new ConfigureAnalyzerRequest();
      for (const [name, level] of Object.entries(levels)) req.getPolicyconfigMap().set(name, new PolicyConfig().setEnforcementlevel(level).setProperties(struct({})));
      return unary<ConfigureAnalyzerRequest, Empty>(on.configure, req, on);
    };
    await expect(configure({ "no-plaintext-secrets": EnforcementLevel.DISABLED })).rejects.toThrow(/no-plaintext-secrets: got "disabled"; allowed: mandatory: no-plaintext-secrets takes no exception/);
    await expect(configure({ "openclaw-gateway-auth": EnforcementLevel.ADVISORY })).rejects.toThrow(/openclaw-gateway-auth: got "advisory"/);
    await configure({ "ec2-no-ssh-key-pair": EnforcementLevel.DISABLED, "ec2-ebs-encrypted": EnforcementLevel.ADVISORY });
    const fromServer = await serverFindings(evaluation, on);
    expect(fromServer.some((f) => f.startsWith("ec2-no-ssh-key-pair"))).toBe(false);
    expect(fromServer.filter((f) => f.startsWith("ec2-ebs-encrypted")).every((f) => f.endsWith("| advisory"))).toBe(true);
    const offline = judge(evaluation, { "ec2-no-ssh-key-pair": "disabled", "ec2-ebs-encrypted": "advisory" }, RULES, { exceptions }).violations.map(asPackReports);
    expect(fromServer.sort()).toEqual(offline.sort());
  });
});
