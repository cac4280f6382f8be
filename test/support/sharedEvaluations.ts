// One mock-runtime evaluation of the kit's program per input (stack, config) per test run, shared by
// every test file that plans it: the first file to need one evaluates it and leaves it in the run's
// directory (given by test/support/unitGlobalSetup.ts); the others read it back. Only the kit's
// program (index.ts) is shared: fixture programs are each evaluated by one file anyway.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as pulumi from "@pulumi/pulumi";
import type { EvaluateOptions, Evaluation } from "../../plan/evaluate";

const KIT_PROGRAM = path.resolve(__dirname, "..", "..", "index.ts");
/** The key under which vitest's globalSetup provides the run's directory (inject()). */
export const SHARED_EVALUATIONS_KEY = "clawkeepSharedEvaluations";
const LOCK_WAIT_MS = 120_000;

type AssetClass = Exclude<keyof typeof pulumi.asset, "Asset" | "Archive">;
/** An Asset/Archive's one field is a promise of its constructor argument; kept here as the argument. */
interface PortableAsset {
  readonly __clawkeepAsset: AssetClass;
  readonly arg: unknown;
}

class Unshareable extends Error {}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The evaluation as plain data: Pulumi assets and archives by class and argument, promises awaited. */
async function toPortable(v: unknown): Promise<unknown> {
  if (v === null || typeof v !== "object") {
    if (typeof v === "function" || typeof v === "symbol") throw new Unshareable(`a ${typeof v}`);
    return v;
  }
  if (Array.isArray(v)) return Promise.all(v.map(toPortable));
  if (pulumi.asset.Asset.isInstance(v) || pulumi.asset.Archive.isInstance(v)) {
    const name = v.constructor.name as AssetClass;
    const fields = Object.entries(v).filter(([k]) => k !== "__pulumiAsset" && k !== "__pulumiArchive");
    if (!(name in pulumi.asset) || fields.length !== 1) throw new Unshareable(`asset ${name}`);
    return { __clawkeepAsset: name, arg: await toPortable(await (fields[0]?.[1] as unknown)) } satisfies PortableAsset;
  }
  if (!isPlain(v)) throw new Unshareable(`an instance of ${(v as object).constructor.name}`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = await toPortable(x);
  return out;
}

function fromPortable(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(fromPortable);
  const rec = v as Record<string, unknown>;
  if (typeof rec.__clawkeepAsset === "string") {
    const Cls = pulumi.asset[rec.__clawkeepAsset as AssetClass] as unknown as new (arg: unknown) => unknown;
    return new Cls(fromPortable(rec.arg));
  }
  return Object.fromEntries(Object.entries(rec).map(([k, x]) => [k, fromPortable(x)]));
}

function keyOf(opts: EvaluateOptions): string {
  const config = Object.fromEntries(Object.entries(opts.config).sort(([a], [b]) => a.localeCompare(b)));
  const id = { program: path.resolve(opts.program), project: opts.project, stack: opts.stack, config, secretKeys: [...(opts.secretKeys ?? [])].sort(), region: opts.region ?? null };
  return createHash("sha256").update(JSON.stringify(id)).digest("hex").slice(0, 24);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function read(file: string): Evaluation {
  return { ...(fromPortable(v8.deserialize(fs.readFileSync(file))) as Omit<Evaluation, "errors">), errors: [] };
}

/**
 * `evaluate`, shared through `dir`: a stored result is read back (a fresh copy per call); else this
 * process takes the key's lock (mkdir), evaluates, and stores a clean result for the others.
 */
export async function sharedEvaluation(dir: string, opts: EvaluateOptions, evaluate: (o: EvaluateOptions) => Promise<Evaluation>): Promise<Evaluation> {
  if (path.resolve(opts.program) !== KIT_PROGRAM) return evaluate(opts);
  const key = keyOf(opts);
  const file = path.join(dir, `${key}.v8`);
  const lock = path.join(dir, `${key}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (fs.existsSync(file)) return read(file);
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // another file is evaluating this input: wait for its result (or give up and evaluate too)
      if (Date.now() > deadline) return evaluate(opts);
      await sleep(100);
    }
  }
  try {
    const ev = await evaluate(opts);
    if (ev.errors.length === 0) {
      try {
        const portable = await toPortable({ resources: ev.resources, outputs: ev.outputs, blind: ev.blind, lookups: ev.lookups });
        fs.writeFileSync(`${file}.tmp`, v8.serialize(portable));
        fs.renameSync(`${file}.tmp`, file);
      } catch (e) {
        if (!(e instanceof Unshareable)) throw e;
        // a value that cannot travel between processes: every file evaluates for itself
      }
    }
    return ev;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
