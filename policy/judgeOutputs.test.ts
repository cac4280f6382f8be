// The offline judge scans the program's plain stack outputs (kept in the state in clear, printed by
// `pulumi stack output`); outputs the program marks secret are encrypted there and are not findings.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateProgram } from "../plan/evaluate";
import { judge, STACK_OUTPUTS, verdictOf } from "./judge";

const PROGRAM = path.join(__dirname, "../test/fixtures/programs/stack-outputs.ts");

describe("stack outputs", () => {
  it("refuses a token exported in clear and passes the one marked secret", async () => {
    const evaluation = await evaluateProgram({ program: PROGRAM, project: "outputs", stack: "dev", config: {} });
    expect(evaluation.secretOutputs).toEqual(["secretToken"]);
    const j = judge(evaluation);
    const found = j.violations.filter((v) => v.urn === STACK_OUTPUTS.urn);
    expect(found.map((v) => [v.rule, v.type, v.message])).toEqual([["no-plaintext-secrets", "pulumi:pulumi:Stack", "plainToken is a random-looking token"]]);
    // The program registers no resource (a blind spot of its own); no rule was blind on the outputs.
    expect(j.blind.filter((b) => b.rule !== undefined)).toEqual([]);
    expect(verdictOf({ ...j, blind: [] }).exitCode).toBe(1);
  }, 60_000);

  it("judges nothing for a stack without plain outputs", () => {
    const j = judge({ resources: [], outputs: { secretToken: "3c1d9e0f7a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d" }, secretOutputs: ["secretToken"] });
    expect(j.violations).toEqual([]);
  });
});
