// Builds the rotation function from source: one esbuild bundle (AWS SDK v3 included and pinned,
// not the runtime's copy) zipped into a small asset for aws.lambda.Function.
import { createHash } from "node:crypto";
import * as fsSync from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { build, version as esbuildVersion, type BuildOptions } from "esbuild";
import { zipFiles } from "./zip";

export const ROTATION_RUNTIME = "nodejs22.x";
export const ROTATION_HANDLER = "index.handler";
const ENTRY = path.join(__dirname, "rotation", "handler.ts");
const REPO_ROOT = path.join(__dirname, "..");
/** Built bundles by content hash of their inputs: every program evaluation (plan, tests) reuses them. */
export const LAMBDA_CACHE_ROOT = path.join(REPO_ROOT, ".cache", "lambda");

const BUILD_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  mainFields: ["module", "main"],
} as const satisfies BuildOptions;

/** A built Lambda function: its zip and the bundled index.js. */
export interface FunctionBundle {
  /** The zip for `new pulumi.asset.FileArchive(zipPath)`. */
  readonly zipPath: string;
  /** Size of the zip in bytes. */
  readonly bytes: number;
  /** Directory holding the unzipped index.js (a FileArchive of it works too). */
  readonly dir: string;
  /** Size of index.js in bytes. */
  readonly bundleBytes: number;
}

export interface BundleOptions {
  /** false: build with esbuild whatever the cache holds, and leave the cache alone (the bench, the determinism test). */
  readonly cache?: boolean;
}

export async function buildRotationBundle(outDir: string, opts: BundleOptions = {}): Promise<FunctionBundle> {
  return bundleFunction(ENTRY, outDir, "rotation", opts);
}

/** What the cache keeps per bundle: every file esbuild read (repo-relative) with its SHA-256, and the output's. */
interface CacheManifest {
  readonly inputs: Record<string, string>;
  readonly js: string;
}

const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

/** The cache slot of one entry: same entry, esbuild version and options; the inputs are checked file by file. */
export function lambdaCacheSlot(entry: string, name: string): string {
  const key = sha256(JSON.stringify({ entry: path.relative(REPO_ROOT, entry), esbuild: esbuildVersion, options: BUILD_OPTIONS }));
  return path.join(LAMBDA_CACHE_ROOT, `${name}-${key.slice(0, 16)}`);
}

/** The cached index.js when every input esbuild read last time still has the same bytes; else undefined. */
function readCached(dir: string): Buffer | undefined {
  try {
    const manifest = JSON.parse(fsSync.readFileSync(path.join(dir, "manifest.json"), "utf8")) as CacheManifest;
    for (const [file, hash] of Object.entries(manifest.inputs)) {
      if (sha256(fsSync.readFileSync(path.join(REPO_ROOT, file))) !== hash) return undefined;
    }
    const js = fsSync.readFileSync(path.join(dir, "index.js"));
    return sha256(js) === manifest.js ? js : undefined;
  } catch {
    // no slot yet, or an input is gone: build
    return undefined;
  }
}

/** Store a build; concurrent writers of the same inputs write the same bytes, each file renamed into place. */
function writeCached(dir: string, js: Buffer, inputs: Record<string, string>): void {
  try {
    fsSync.mkdirSync(dir, { recursive: true });
    const put = (file: string, data: Buffer | string) => {
      const tmp = path.join(dir, `.${file}.${process.pid}`);
      fsSync.writeFileSync(tmp, data);
      fsSync.renameSync(tmp, path.join(dir, file));
    };
    put("index.js", js);
    put("manifest.json", `${JSON.stringify({ inputs, js: sha256(js) } satisfies CacheManifest, null, 1)}\n`);
  } catch {
    // a read-only checkout still builds, it only does not remember
  }
}

async function esbuildBundle(entry: string): Promise<{ js: Buffer; inputs: Record<string, string> }> {
  const result = await build({ ...BUILD_OPTIONS, entryPoints: [entry], absWorkingDir: REPO_ROOT, write: false, metafile: true, logLevel: "silent" });
  const code = result.outputFiles[0];
  if (!code) throw new Error("esbuild produced no output");
  const inputs: Record<string, string> = {};
  // esbuild reads tsconfig.json for how to compile TypeScript, but does not list it as an input.
  for (const file of ["tsconfig.json", ...Object.keys(result.metafile.inputs).sort()]) inputs[file] = sha256(fsSync.readFileSync(path.join(REPO_ROOT, file)));
  return { js: Buffer.from(code.contents), inputs };
}

/**
 * One Lambda function from its TypeScript entry: an esbuild bundle (the AWS SDK inside, pinned, not
 * the runtime's copy) as `<name>/index.js`, zipped deterministically as `<name>.zip` in outDir.
 * Reused from .cache/lambda when no file esbuild read for it has changed.
 */
export async function bundleFunction(entry: string, outDir: string, name: string, opts: BundleOptions = {}): Promise<FunctionBundle> {
  // First an await: a program under the offline plan calls this while tsx loads it in a namespace, where
  // esbuild's first build would find its binary by a require.resolve that carries the namespace's query.
  const dir = path.join(outDir, name);
  await fs.mkdir(dir, { recursive: true });
  const useCache = opts.cache ?? true;
  const slot = lambdaCacheSlot(entry, name);
  let js = useCache ? readCached(slot) : undefined;
  if (!js) {
    const built = await esbuildBundle(entry);
    js = built.js;
    if (useCache) writeCached(slot, js, built.inputs);
  }
  await fs.writeFile(path.join(dir, "index.js"), js);
  const zip = zipFiles([{ name: "index.js", data: js }]);
  const zipPath = path.join(outDir, `${name}.zip`);
  await fs.writeFile(zipPath, zip);
  return { zipPath, bytes: zip.length, dir, bundleBytes: js.length };
}
