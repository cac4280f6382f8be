// The pack as Pulumi runs it: `@pulumi/pulumi/cmd/run-policy-pack` in policy/ (Pulumi's own ts-node
// type-checks and loads index.ts, which starts the analyzer gRPC server), spoken to as the engine does:
// Analyze with each resource's inputs, AnalyzeStack with every resource's outputs and dependencies.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzeStackRequest, AnalyzerProviderResource, AnalyzerResource, AnalyzerResourceOptions, EnforcementLevel, type AnalyzeResponse } from "@pulumi/pulumi/proto/analyzer_pb";
import type { PlannedResource } from "../../plan/evaluate";

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");

export interface PackProcess {
  child: ChildProcess;
  client: AnalyzerClient;
  stop(): void;
}

/** Starts the pack; the first line it prints is the port of its gRPC server. */
export function startPackProcess(): Promise<PackProcess> {
  const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      // Wait for the newline: a chunk may end in the middle of the number.
      const m = /^(\d+)\r?\n/m.exec(out);
      if (!m) return;
      const client = new AnalyzerClient(`127.0.0.1:${m[1]}`, grpc.credentials.createInsecure());
      resolve({
        child,
        client,
        stop: () => {
          client.close();
          if (child.exitCode === null) child.kill("SIGTERM");
        },
      });
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${err}`)));
  });
}

function unary<Req, Res>(client: AnalyzerClient, fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn.call(client, req, (e, r) => (e ? reject(e) : resolve(r))));
}

const options = () => new AnalyzerResourceOptions().setIgnorechangesList([]).setAliasesList([]).setAdditionalsecretoutputsList([]);
const struct = (v: Record<string, unknown>) => Struct.fromJavaScript(JSON.parse(JSON.stringify(v)));

export interface PackFinding {
  rule: string;
  /** The resource the finding is about; "" for a stack finding that names none. */
  urn: string;
  /** Without the policy description the server puts on the first line. */
  message: string;
  level: "mandatory" | "advisory";
}

/** What the pack answered about a set of resources; `errors` are calls the server failed (a rule that threw fails the preview). */
export interface PackAnswer {
  findings: PackFinding[];
  errors: string[];
}

function findings(res: AnalyzeResponse, urn = ""): PackFinding[] {
  return res.getDiagnosticsList().map((d) => ({
    rule: d.getPolicyname(),
    // A resource policy's diagnostic carries no URN (the engine knows which resource it asked about).
    urn: d.getUrn() || urn,
    message: d.getMessage().split("\n").slice(1).join("\n"),
    level: d.getEnforcementlevel() === EnforcementLevel.MANDATORY ? "mandatory" : "advisory",
  }));
}

/** Every resource's inputs through Analyze, then all outputs through AnalyzeStack, as a preview sends them. */
/**
 * The provider the engine hands the pack with each resource: the explicit one it names (`urn::id`), else the
 * package's default provider, whose region is the stack's (aws:region).
 */
function providerOf(r: PlannedResource, byUrn: ReadonlyMap<string, PlannedResource>, region: string | undefined): AnalyzerProviderResource | undefined {
  if (r.provider) {
    const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
    const p = byUrn.get(urn);
    return p ? new AnalyzerProviderResource().setType(p.type).setUrn(urn).setName(p.name).setProperties(struct(p.state)) : undefined;
  }
  if (!r.type.startsWith("aws:") || !region) return undefined;
  return new AnalyzerProviderResource().setType("pulumi:providers:aws").setUrn("(default aws provider)").setName("default").setProperties(struct({ region }));
}

export async function analyzeResources(client: AnalyzerClient, resources: readonly PlannedResource[], region?: string): Promise<PackAnswer> {
  const answer: PackAnswer = { findings: [], errors: [] };
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  for (const r of resources) {
    const req = new AnalyzeRequest().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(struct(r.inputs)).setOptions(options());
    try {
      answer.findings.push(...findings(await unary<AnalyzeRequest, AnalyzeResponse>(client, client.analyze, req), r.urn));
    } catch (e) {
      answer.errors.push(`Analyze ${r.type} ${r.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const stack = new AnalyzeStackRequest().setResourcesList(
    resources.map((r) => new AnalyzerResource().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(struct(r.state)).setOptions(options()).setDependenciesList(r.dependencies).setProvider(providerOf(r, byUrn, region))),
  );
  try {
    answer.findings.push(...findings(await unary<AnalyzeStackRequest, AnalyzeResponse>(client, client.analyzeStack, stack)));
  } catch (e) {
    answer.errors.push(`AnalyzeStack: ${e instanceof Error ? e.message : String(e)}`);
  }
  return answer;
}
