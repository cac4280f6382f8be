// Builds the rotation function from source: one esbuild bundle (AWS SDK v3 included and pinned,
// not the runtime's copy) zipped into a small asset for aws.lambda.Function.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { build } from "esbuild";
import { zipFiles } from "./zip";

export const ROTATION_RUNTIME = "nodejs22.x";
export const ROTATION_HANDLER = "index.handler";
const ENTRY = path.join(__dirname, "rotation", "handler.ts");

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

export async function buildRotationBundle(outDir: string): Promise<FunctionBundle> {
  return bundleFunction(ENTRY, outDir, "rotation");
}

/**
 * One Lambda function from its TypeScript entry: an esbuild bundle (the AWS SDK inside, pinned, not
 * the runtime's copy) as `<name>/index.js`, zipped deterministically as `<name>.zip` in outDir.
 */
export async function bundleFunction(entry: string, outDir: string, name: string): Promise<FunctionBundle> {
  const dir = path.join(outDir, name);
  await fs.mkdir(dir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    write: false,
    mainFields: ["module", "main"],
    logLevel: "silent",
  });
  const code = result.outputFiles[0];
  if (!code) throw new Error("esbuild produced no output");
  const js = Buffer.from(code.contents);
  await fs.writeFile(path.join(dir, "index.js"), js);
  const zip = zipFiles([{ name: "index.js", data: js }]);
  const zipPath = path.join(outDir, `${name}.zip`);
  await fs.writeFile(zipPath, zip);
  return { zipPath, bytes: zip.length, dir, bundleBytes: js.length };
}
