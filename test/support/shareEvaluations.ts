// Setup file of the unit tier: every module that evaluates a program gets the shared evaluation of the
// kit's program (sharedEvaluations.ts) instead of its own; everything else in plan/evaluate is the real one.
// The factory runs only in files that load plan/evaluate, so the others pay nothing for it.
import { inject, vi } from "vitest";
import type * as Evaluate from "../../plan/evaluate";

vi.mock("../../plan/evaluate", async (importOriginal) => {
  const [real, shared] = await Promise.all([importOriginal<typeof Evaluate>(), import("./sharedEvaluations")]);
  const dir = inject(shared.SHARED_EVALUATIONS_KEY);
  return { ...real, evaluateProgram: (opts: Evaluate.EvaluateOptions) => shared.sharedEvaluation(dir, opts, real.evaluateProgram) };
});
