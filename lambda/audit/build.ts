// Builds the out-of-hours detector from source with the kit's one Lambda bundler (lambda/build.ts).
import * as path from "node:path";
import { bundleFunction, type BundleOptions, type FunctionBundle } from "../build";

export const DETECTOR_RUNTIME = "nodejs22.x";
export const DETECTOR_HANDLER = "index.handler";
const ENTRY = path.join(__dirname, "outOfHours.ts");

export type DetectorBundle = FunctionBundle;

export function buildDetectorBundle(outDir: string, opts: BundleOptions = {}): Promise<DetectorBundle> {
  return bundleFunction(ENTRY, outDir, "out-of-hours", opts);
}
