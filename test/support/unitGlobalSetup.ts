// Once per `npm test` run: a directory where the kit's evaluations are shared between test files
// (sharedEvaluations.ts), removed at the end.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { SHARED_EVALUATIONS_KEY } from "./sharedEvaluations";

declare module "vitest" {
  export interface ProvidedContext {
    [SHARED_EVALUATIONS_KEY]: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-evaluations-"));
  project.provide(SHARED_EVALUATIONS_KEY, dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
