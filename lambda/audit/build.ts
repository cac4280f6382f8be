// Builds the out-of-hours detector from source: one esbuild bundle (the CloudWatch client inside,
// pinned, not the runtime's copy), zipped with the kit's deterministic zip writer.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { build } from "esbuild";
import { zipFiles } from "../zip";

export const DETECTOR_RUNTIME = "nodejs22.x";
export const DETECTOR_HANDLER = "index.handler";
const ENTRY = path.join(__dirname, "outOfHours.ts");

export interface DetectorBundle {
  zipPath: string;
  bytes: number;
  /** Directory holding index.js, for running the bundle itself in tests. */
  dir: string;
}

export async function buildDetectorBundle(outDir: string): Promise<DetectorBundle> {
  const dir = path.join(outDir, "out-of-hours");
  await fs.mkdir(dir, { recursive: true });
  const result = await build({
    entryPoints: [ENTRY],
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
  const zipPath = path.join(outDir, "out-of-hours.zip");
  await fs.writeFile(zipPath, zip);
  return { zipPath, bytes: zip.length, dir };
}
