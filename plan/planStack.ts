// The offline plan of one stack of this kit: config -> model -> resources (mock runtime) -> cost,
// host files and (with the policy pack) violations. Used by the CLI, the tests and the bench.
import * as path from "node:path";
import { renderHost, hostFacts, type RenderedHost } from "../components/host/hostFiles";
import { CONFIG_NAMESPACE, SECRET_KEYS, applyOverrides, parseStackConfig, readStackFile, type StackModel } from "../stacks";
import { renderTailnetPolicy, tailnetPolicyHujson } from "../components/tailscale/policy";
import type { ChecklistEntry } from "../policy/checklist";
import { judge, type Judgement } from "../policy/judge";
import { estimateCost, type CostEstimate } from "./cost";
import { MOCK_ACCOUNT } from "./mocks";
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

export interface StackPlan {
  stack: string;
  region: string;
  trustLevel: number;
  model: StackModel;
  evaluation: Evaluation;
  rows: PlannedRow[];
  cost: CostEstimate;
  host: RenderedHost;
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

export function toRows(resources: PlannedResource[], knownSecrets: string[]): PlannedRow[] {
  return resources
    .filter((r) => r.custom)
    .map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      parent: r.parent,
      security: describeSecurity(r.type, r.inputs),
      inputs: redact(r.inputs, knownSecrets),
    }));
}

export interface PlanOptions {
  overrides?: string[];
  /** Folder of Pulumi.<stack>.yaml files; the kit's stacks/ by default. */
  stacksDir?: string;
  progress?: (msg: string) => void;
}

/** Plan `stack` offline. Throws ConfigError (bad config) or ProgramLoadError (program failed). */
export async function planStack(stack: string, opts: PlanOptions = {}): Promise<StackPlan> {
  const { overrides = [], progress = () => {} } = opts;
  const file = readStackFile(stack, opts.stacksDir);
  const raw = applyOverrides(file.raw, overrides);
  const model = parseStackConfig(raw);
  const { config, secretKeys, knownSecrets } = runtimeConfig(raw, file.all);

  progress(`evaluating index.ts for stack ${stack} under the Pulumi mock runtime`);
  const evaluation = await evaluateProgram({ program: KIT_PROGRAM, project: CONFIG_NAMESPACE, stack, config, secretKeys, region: file.region });
  if (evaluation.errors.length > 0) {
    throw new ProgramLoadError(`the program failed: ${evaluation.errors.map((e) => e.message).join("; ")}`, evaluation.errors);
  }
  progress(`${evaluation.resources.length} resources registered; judging them with the policy pack, rendering host files and cost`);
  const host = renderHost(model, hostFacts(model, stack, file.region), { accountId: MOCK_ACCOUNT, stack });
  const judgement = judge(evaluation);
  return {
    stack,
    region: file.region,
    trustLevel: model.trustLevel,
    model,
    evaluation,
    rows: toRows(evaluation.resources, knownSecrets),
    cost: estimateCost(evaluation.resources, file.region),
    host,
    judgement: { ...judgement, checklist: judgement.checklist.map(creditSchema) },
    knownSecrets,
  };
}

/**
 * The tailnet policy an operator adds by hand when the kit does not manage it (tailscale.managePolicy
 * false). Without configured people it names example users, which the operator replaces.
 */
export function tailnetSnippet(model: StackModel): string | undefined {
  const ts = model.tailscale;
  if (!ts.enabled || ts.managePolicy) return undefined;
  const admins = ts.admins.length > 0 ? ts.admins : ["admin@example.com"];
  const operators = ts.operators.length > 0 ? ts.operators : ["operator@example.com"];
  return tailnetPolicyHujson(renderTailnetPolicy({ ...ts, admins, operators }, model.gateway.port));
}

/** The kit's own stacks passed the schema, so the items the schema decides are met, not "not applicable". */
export function creditSchema(entry: ChecklistEntry): ChecklistEntry {
  if (entry.status === "not-applicable" && entry.note?.includes("stacks/schema.ts")) {
    return { ...entry, status: "pass", note: entry.note.replace("decided outside the pack: ", "enforced by the stack schema: ") };
  }
  return entry;
}
