// `npm run plan -- --stack S --against DIR`: what this plan does to a cell running the plan an earlier
// `--out DIR` wrote (DIR/plan.json and DIR/host/). Host files are compared byte for byte (and mode and
// owner), resources input by input, matched by URN; each change is classified by
// components/base/changeEffects.ts (resources) and components/host/effects.ts (host files, from the actions
// apply-bundle runs), and the strongest effect is the verdict for the running cell.
// Resources match by URN without its stack part, so a plan of another stack (level0 against level1: a
// promotion) compares resource by resource too.
import * as fs from "node:fs";
import * as path from "node:path";
import { EFFECTS, EFFECT_MEANING, resourceChangeEffect, resourceLifecycleEffect, strongest, type ChangeEffect } from "../components/base/changeEffects";
import { hostFileBytes } from "../components/base/hostFile";
import { hostFileEffect } from "../components/host/effects";
import type { PlannedRow, StackPlan } from "./planStack";
import { table } from "./table";

/** DIR cannot be compared against: exit 2, nothing planned. */
export class AgainstError extends Error {
  constructor(dir: string, why: string) {
    super(`--against ${dir}: ${why}`);
    this.name = "AgainstError";
  }
}

interface HostFileMeta {
  path: string;
  mode: string;
  owner: string;
}

export interface EarlierPlan {
  dir: string;
  stack: string;
  resources: PlannedRow[];
  hostFiles: Map<string, HostFileMeta & { content: Buffer }>;
}

/** Read what an earlier `--out DIR` wrote; every reason it cannot be used is an AgainstError. */
export function readEarlierPlan(dir: string): EarlierPlan {
  const planFile = path.join(dir, "plan.json");
  if (!fs.existsSync(planFile)) throw new AgainstError(dir, "no plan.json there (write one with `npm run plan -- --stack NAME --out DIR`)");
  let json: { kind?: unknown; stack?: unknown; resources?: unknown; hostFiles?: unknown };
  try {
    json = JSON.parse(fs.readFileSync(planFile, "utf8")) as typeof json;
  } catch (e) {
    throw new AgainstError(dir, `plan.json cannot be read (${e instanceof SyntaxError ? "not JSON" : (e as NodeJS.ErrnoException).code})`);
  }
  if (json.kind !== "clawkeep-offline-plan" || !Array.isArray(json.resources) || !Array.isArray(json.hostFiles)) {
    throw new AgainstError(dir, "plan.json is not a stack plan of this kit (a --program judgement cannot be compared)");
  }
  const hostFiles = new Map<string, HostFileMeta & { content: Buffer }>();
  for (const meta of json.hostFiles as HostFileMeta[]) {
    const file = path.join(dir, "host", meta.path);
    if (!fs.existsSync(file)) throw new AgainstError(dir, `host${meta.path} is listed in plan.json but missing`);
    hostFiles.set(meta.path, { ...meta, content: fs.readFileSync(file) });
  }
  return { dir, stack: String(json.stack), resources: json.resources as PlannedRow[], hostFiles };
}

export interface PlannedChange {
  kind: "host file" | "resource";
  /** The file's path, or `type name` and the input that changed. */
  what: string;
  change: "added" | "removed" | "changed";
  effect: ChangeEffect;
  action: string;
}

export interface AgainstResult {
  dir: string;
  /** The stack the earlier plan was of. */
  stack: string;
  changes: PlannedChange[];
  effect: ChangeEffect;
  /** For a new host: whether the agent's state survives it (a separate state volume attached to the host). */
  stateKept: boolean;
  summary: string;
}

/** An asset with a digest (withAssetDigests) is its bytes: the temporary path it was built at is left out. */
const canonical = (v: unknown) =>
  JSON.stringify(v === undefined ? null : v, (_key, x: unknown) => {
    if (x === null || typeof x !== "object" || Array.isArray(x) || typeof (x as { sha256?: unknown }).sha256 !== "string") return x;
    const { archivePath: _a, path: _p, ...rest } = x as Record<string, unknown>;
    return rest;
  });
/** urn:pulumi:STACK::PROJECT::TYPE::NAME without STACK. */
const withoutStack = (urn: string) => urn.replace(/^urn:pulumi:[^:]*::/, "urn:pulumi:*::");

/** Compare this plan with the earlier one: every changed host file and resource input, classified. */
export function compareWithEarlier(earlier: EarlierPlan, plan: StackPlan): AgainstResult {
  const changes: PlannedChange[] = [];
  const now = new Map(plan.host.files.map((f) => [f.path, f]));
  for (const [p, f] of now) {
    const before = earlier.hostFiles.get(p);
    const bytes = hostFileBytes(f);
    if (before && before.content.equals(bytes) && before.mode === f.mode && before.owner === f.owner) continue;
    const e = hostFileEffect(p, before?.content.toString("utf8"), bytes.toString("utf8"));
    const detail = before && before.content.equals(bytes) ? ` (mode/owner ${before.mode} ${before.owner} -> ${f.mode} ${f.owner})` : "";
    changes.push({ kind: "host file", what: `${p}${detail}`, change: before ? "changed" : "added", ...e });
  }
  for (const p of earlier.hostFiles.keys()) if (!now.has(p)) changes.push({ kind: "host file", what: p, change: "removed", ...hostFileEffect(p) });

  const rows = JSON.parse(JSON.stringify(plan.rows)) as PlannedRow[];
  const was = new Map(earlier.resources.map((r) => [withoutStack(r.urn), r]));
  const is = new Map(rows.map((r) => [withoutStack(r.urn), r]));
  for (const r of rows) {
    const before = was.get(withoutStack(r.urn));
    if (!before) {
      changes.push({ kind: "resource", what: `${r.type} ${r.name}`, change: "added", ...resourceLifecycleEffect(r.type, "created") });
      continue;
    }
    const inputs = (r.inputs ?? {}) as Record<string, unknown>;
    const old = (before.inputs ?? {}) as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(old), ...Object.keys(inputs)])].sort()) {
      if (canonical(old[key]) === canonical(inputs[key])) continue;
      changes.push({ kind: "resource", what: `${r.type} ${r.name}: ${key}`, change: "changed", ...resourceChangeEffect(r.type, key, inputs) });
    }
  }
  for (const r of earlier.resources) if (!is.has(withoutStack(r.urn))) changes.push({ kind: "resource", what: `${r.type} ${r.name}`, change: "removed", ...resourceLifecycleEffect(r.type, "deleted") });

  const effect = strongest(changes.map((c) => c.effect));
  const stateKept = hostHasStateVolume(plan);
  return { dir: earlier.dir, stack: earlier.stack, changes, effect, stateKept, summary: summarize(effect, stateKept, changes.length) };
}

/** Is a separate volume attached to the planned host (its state then survives a new host)? */
function hostHasStateVolume(plan: StackPlan): boolean {
  const hosts = plan.evaluation.resources.filter((r) => r.type === "aws:ec2/instance:Instance").map((r) => r.urn);
  return plan.evaluation.resources.some((r) => r.type === "aws:ec2/volumeAttachment:VolumeAttachment" && r.dependencies.some((d) => hosts.includes(d)));
}

function summarize(effect: ChangeEffect, stateKept: boolean, count: number): string {
  if (count === 0) return "nothing: this plan is the one the cell runs";
  const state = effect === "new-host" || effect === "host-restart" ? (stateKept ? ", state kept (its volume moves to the host)" : effect === "new-host" ? ", state LOST: it lives on the root volume, which goes with the old host" : "") : "";
  return `${effect}${state}: ${EFFECT_MEANING[effect]}`;
}

/** The report's section: one line per change, strongest first, and the verdict for the running cell. */
export function againstReport(r: AgainstResult): string[] {
  const sorted = [...r.changes].sort((a, b) => EFFECTS.indexOf(b.effect) - EFFECTS.indexOf(a.effect) || a.what.localeCompare(b.what));
  const felt = sorted.filter((c) => c.effect !== "nothing");
  const quiet = sorted.length - felt.length;
  const lines = ["", `Against ${r.dir}, a plan of stack ${r.stack} (what this plan does to a cell running that one; ${r.changes.length} change${r.changes.length === 1 ? "" : "s"})`];
  if (felt.length > 0) lines.push(table(["EFFECT", "CHANGE", "WHAT", "WHAT RUNS"], felt.map((c) => [c.effect, c.change, c.what, c.action]), 90));
  if (quiet > 0) lines.push(`and ${quiet} change${quiet === 1 ? "" : "s"} that do nothing on the host (AWS, the tailnet or the deploy machine only, or files read at their next run): --json lists them`);
  lines.push(`on the running cell: ${r.summary}`);
  return lines;
}
