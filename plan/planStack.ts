// The offline plan of one stack of this kit: config -> model -> resources (mock runtime) -> cost,
// host files and (with the policy pack) violations. The model is parsed once, for the report and for
// config errors; the host files, user data and tailnet snippet are read back from what the evaluated
// program registered, so the plan shows exactly what `pulumi up` would ship. Used by the CLI, the
// tests and the bench.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { parse as parseYaml } from "yaml";
import type { HostFile } from "../components/base/hostFile";
import { unpackBundle } from "../components/host/bundleFormat";
import { APPLY_SCRIPT_PATH as APPLY_BUNDLE } from "../components/commands/documents";
import { bundleKey } from "../components/base/names";
import { PATHS } from "../components/base/layout";
import { CONFIG_NAMESPACE, ConfigError, SECRET_KEYS, collectOverrides, parseStackConfig, readStackFile, type ConfigIssue, type StackFile, type StackModel } from "../stacks";
import type { ChecklistEntry } from "../policy/checklist";
import { unwrapSecrets } from "../policy/lib/engineValues";
import { judge, type Judgement, type PackConfig } from "../policy/judge";
import { estimateCost, type CostEstimate } from "./cost";
import { describeSecurity } from "./describe";
import { ProgramLoadError, evaluateProgram, redact, type Evaluation, type PlannedResource } from "./evaluate";

export const KIT_PROGRAM = path.join(__dirname, "..", "index.ts");

export interface PlannedRow {
  type: string;
  name: string;
  urn: string;
  parent: string;
  security: string;
  inputs: unknown;
}

/** The gateway host as the evaluated program registered it. */
export interface PlannedHost {
  /** Every file that lands on the host: the bundle's, then those the user data writes itself. */
  files: HostFile[];
  bundle: { bucket: string; key: string; sha256: string; gz: Buffer; parameter: string };
  /** The #cloud-config document, decompressed from the instance's userDataBase64. */
  userData: string;
  userDataBase64: string;
  /** Gzipped bytes, what EC2's 16 KB limit counts. */
  userDataBytes: number;
}

export interface StackPlan {
  stack: string;
  region: string;
  trustLevel: number;
  model: StackModel;
  evaluation: Evaluation;
  rows: PlannedRow[];
  cost: CostEstimate;
  host: PlannedHost;
  /** The tailnet policy to add by hand (the program's `tailnetPolicySnippet` output), when the kit does not manage it. */
  tailnetSnippet?: string;
  judgement: Judgement;
  /** Values that must never be printed: the stack's secret config values (ciphertext offline). */
  knownSecrets: string[];
}

/** Runtime config as `pulumi up` would hold it: every value a string, secrets flagged. */
export function runtimeConfig(raw: Record<string, unknown>, others: Record<string, unknown>): { config: Record<string, string>; secretKeys: string[]; knownSecrets: string[] } {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const knownSecrets: string[] = [];
  for (const [k, v] of Object.entries(others)) {
    if (!k.startsWith(`${CONFIG_NAMESPACE}:`)) config[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  for (const [k, v] of Object.entries(raw)) {
    const key = `${CONFIG_NAMESPACE}:${k}`;
    if ((SECRET_KEYS as readonly string[]).includes(k) && v !== null && typeof v === "object" && "secure" in v) {
      const cipher = String((v as { secure: unknown }).secure);
      config[key] = cipher;
      secretKeys.push(key);
      knownSecrets.push(cipher);
      continue;
    }
    config[key] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return { config, secretKeys, knownSecrets };
}

/**
 * Every file asset or archive among the inputs gains the SHA-256 of its bytes: its path is a temporary
 * build directory that differs per run, so `--against` compares what would be uploaded, not where it lay.
 */
export function withAssetDigests(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withAssetDigests);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const file = typeof obj.archivePath === "string" ? obj.archivePath : typeof obj.path === "string" && Object.keys(obj).length === 1 ? obj.path : undefined;
  if (file !== undefined && fs.existsSync(file) && fs.statSync(file).isFile()) return { ...obj, sha256: createHash("sha256").update(fs.readFileSync(file)).digest("hex") };
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, withAssetDigests(v)]));
}

export function toRows(resources: PlannedResource[], knownSecrets: string[]): PlannedRow[] {
  return resources
    .filter((r) => r.custom)
    .map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      parent: r.parent,
      security: describeSecurity(r.type, r.inputs, r.state),
      inputs: withAssetDigests(redact(r.inputs, knownSecrets)),
    }));
}

/** A stack's config read and parsed once: the file, the overridden raw config and the model. */
export interface StackInput {
  file: StackFile;
  raw: Record<string, unknown>;
  model: StackModel;
}

/**
 * Read the stack file, apply the overrides and parse the model, reporting every problem of all three
 * in one ConfigError (each located in the stack file when it came from there).
 */
export function loadStackInput(stack: string, overrides: string[] = [], stacksDir?: string): StackInput {
  const file = readStackFile(stack, stacksDir);
  const { raw, issues } = collectOverrides(file.raw, overrides);
  const overridden = new Set(overrides.map((o) => o.slice(0, Math.max(0, o.indexOf("="))).replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "")));
  const locate = (i: ConfigIssue): ConfigIssue => {
    const top = i.key.split(".")[0];
    return i.at || overridden.has(top) || !file.positions[top] ? i : { ...i, at: file.positions[top] };
  };
  try {
    const model = parseStackConfig(raw);
    if (issues.length > 0) throw new ConfigError(issues);
    return { file, raw, model };
  } catch (e) {
    if (e instanceof ConfigError && e.issues !== issues) throw new ConfigError([...issues, ...e.issues.map(locate)]);
    throw e;
  }
}

/** The program registered something other than one gateway host with its pinned bundle (a kit bug). */
export class HostReadError extends Error {
  constructor(message: string) {
    super(`cannot read the host files from the evaluation: ${message}`);
    this.name = "HostReadError";
  }
}

/**
 * The gateway host's files as the evaluated program registered them: the instance's user data, the
 * bundle pointer it names (instance.env), the bundle object that pointer names (checked by SHA-256),
 * and the files the user data writes itself.
 */
export function hostFromEvaluation(resources: readonly PlannedResource[]): PlannedHost {
  const hosts = resources.filter((r) => r.type === "aws:ec2/instance:Instance" && typeof unwrapSecrets(r.inputs.userDataBase64) === "string");
  if (hosts.length !== 1) throw new HostReadError(`expected one instance with userDataBase64, found ${hosts.length}`);
  const userDataBase64 = unwrapSecrets(hosts[0].inputs.userDataBase64) as string;
  const gzipped = Buffer.from(userDataBase64, "base64");
  const userData = zlib.gunzipSync(gzipped).toString("utf8");
  const doc = parseYaml(userData) as { runcmd?: unknown[]; write_files?: Array<{ path: string; content: string; owner: string; permissions: string }> };
  const steps = (doc.runcmd ?? []).filter((s): s is string[] => Array.isArray(s)).map((s) => s.map(String));
  const instanceEnv = (doc.write_files ?? []).find((f) => f.path === PATHS.instanceEnvFile)?.content ?? "";
  const fact = (key: string) => new RegExp(`^${key}=(.+)$`, "m").exec(instanceEnv)?.[1];
  const parameter = fact("CLAWKEEP_BUNDLE_PARAMETER");
  const bucket = fact("CLAWKEEP_BUNDLE_BUCKET");
  if (!parameter || !bucket || !steps.some((s) => s[0] === APPLY_BUNDLE && s[1] === "--first-boot")) throw new HostReadError(`the user data of ${hosts[0].name} fetches no host bundle`);
  const pointer = resources.find((r) => r.type === "aws:ssm/parameter:Parameter" && unwrapSecrets(r.inputs.name) === parameter);
  if (!pointer) throw new HostReadError(`no SSM parameter registered under the name ${parameter} that the user data reads`);
  const sha256 = String(unwrapSecrets(pointer.inputs.insecureValue ?? pointer.inputs.value));
  const key = bundleKey(sha256);
  const object = resources.find((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && unwrapSecrets(r.inputs.key) === key);
  if (!object) throw new HostReadError(`no bucket object registered under the key ${key} that the pointer ${parameter} names`);
  const gz = Buffer.from(String(unwrapSecrets(object.inputs.contentBase64)), "base64");
  const actual = createHash("sha256").update(gz).digest("hex");
  if (actual !== sha256) throw new HostReadError(`the registered bundle ${key} has SHA-256 ${actual}, the pointer ${parameter} names ${sha256}`);
  const written: HostFile[] = (doc.write_files ?? []).map((f) => ({ path: f.path, content: f.content, owner: f.owner, mode: f.permissions }));
  // A file both carry lands twice: cloud-init writes it first, the bundle's install overwrites it.
  const bundled = unpackBundle(gz);
  const inBundle = new Set(bundled.map((f) => f.path));
  return { files: [...bundled, ...written.filter((f) => !inBundle.has(f.path))], bundle: { bucket, key, sha256, gz, parameter }, userData, userDataBase64, userDataBytes: gzipped.length };
}

export interface PlanOptions {
  overrides?: string[];
  /** Folder of Pulumi.<stack>.yaml files; the kit's stacks/ by default. */
  stacksDir?: string;
  progress?: (msg: string) => void;
  /** The stack's config, already read by loadStackInput (the CLI reads it before anything else). */
  input?: StackInput;
  /** The pack's config (rule levels and thresholds), already checked. */
  packConfig?: PackConfig;
}

/** Plan `stack` offline. Throws ConfigError (bad config) or ProgramLoadError (program failed). */
export async function planStack(stack: string, opts: PlanOptions = {}): Promise<StackPlan> {
  const { overrides = [], progress = () => {} } = opts;
  const { file, raw, model } = opts.input ?? loadStackInput(stack, overrides, opts.stacksDir);
  const { config, secretKeys, knownSecrets } = runtimeConfig(raw, file.all);

  progress(`evaluating index.ts for stack ${stack} under the Pulumi mock runtime`);
  const evaluation = await evaluateProgram({ program: KIT_PROGRAM, project: CONFIG_NAMESPACE, stack, config, secretKeys, region: file.region });
  if (evaluation.errors.length > 0) {
    throw new ProgramLoadError(`the program failed: ${evaluation.errors.map((e) => e.message).join("; ")}`, evaluation.errors, evaluation.blind, evaluation);
  }
  progress(`${evaluation.resources.length} resources registered; judging them with the policy pack, reading host files and cost`);
  const judgement = judge(evaluation, opts.packConfig, undefined, { exceptions: model.policyExceptions });
  const snippet = evaluation.outputs.tailnetPolicySnippet;
  return {
    stack,
    region: file.region,
    trustLevel: model.trustLevel,
    model,
    evaluation,
    rows: toRows(evaluation.resources, knownSecrets),
    cost: estimateCost(evaluation.resources, file.region),
    host: hostFromEvaluation(evaluation.resources),
    tailnetSnippet: typeof snippet === "string" ? snippet : undefined,
    judgement: { ...judgement, checklist: judgement.checklist.map(creditSchema) },
    knownSecrets,
  };
}

/** The kit's own stacks passed the schema, so the items the schema decides are met, not "not applicable". */
export function creditSchema(entry: ChecklistEntry): ChecklistEntry {
  if (entry.status === "not-applicable" && entry.note?.includes("stacks/schema.ts")) {
    return { ...entry, status: "pass", note: entry.note.replace("decided outside the pack: ", "enforced by the stack schema: ") };
  }
  return entry;
}
