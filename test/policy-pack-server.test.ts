// The pack as Pulumi runs it: `@pulumi/pulumi/cmd/run-policy-pack` in policy/ (Pulumi's own
// ts-node type-checks and loads index.ts, which starts the analyzer gRPC server), then the engine's
// calls, GetAnalyzerInfo, Analyze (inputs) and AnalyzeStack (outputs), over gRPC. No Pulumi CLI.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateProgram, type Evaluation, type PlannedResource } from "../plan/evaluate";
import { judge } from "../policy/judge";
import { RULES } from "../policy/rules";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzeStackRequest, AnalyzerResource, AnalyzerResourceOptions, EnforcementLevel, type AnalyzeResponse, type AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";

const POLICY_DIR = path.join(__dirname, "..", "policy");
let pack: ChildProcess;
let client: AnalyzerClient;
let evaluation: Evaluation;

/** The first line the pack prints is the port of its gRPC server. */
function startPack(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
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

const unary = <Req, Res>(fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> =>
  new Promise((resolve, reject) => fn.call(client, req, (e, r) => (e ? reject(e) : resolve(r))));

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

async function serverFindings(ev: Evaluation): Promise<string[]> {
  const out: string[] = [];
  for (const r of ev.resources) out.push(...findings(await unary<AnalyzeRequest, AnalyzeResponse>(client.analyze, analyzeRequest(r)), r.urn));
  const stack = new AnalyzeStackRequest().setResourcesList(
    ev.resources.map((r) => new AnalyzerResource().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(struct(r.state)).setOptions(options()).setDependenciesList(r.dependencies)),
  );
  out.push(...findings(await unary<AnalyzeStackRequest, AnalyzeResponse>(client.analyzeStack, stack)));
  return out;
}

const offlineFindings = (ev: Evaluation) => judge(ev).violations.map((v) => `${v.rule} | ${v.urn} | ${v.message} | ${v.enforcementLevel}`);

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
    expect(levels).toEqual(Object.fromEntries(RULES.map((r) => [r.name, r.enforcementLevel])));
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
