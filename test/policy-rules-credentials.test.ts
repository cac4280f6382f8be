// Issue 16's rules, judged through the offline runner on their fixture program: each flags its insecure
// resources with a message that says what is wrong, and passes the secure ones (the kit's own forms among them).
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateProgram, type Evaluation } from "../plan/evaluate";
import { judge, type Judgement } from "../policy/judge";
import { RULES } from "../policy/rules";
import { CREDENTIAL_RULE_CASES, CREDENTIAL_RULE_PROGRAM } from "./support/credentialRuleCases";

let evaluation: Evaluation;
let judged: Judgement;

beforeAll(async () => {
  evaluation = await evaluateProgram({ program: path.join(__dirname, "fixtures/programs/policy", `${CREDENTIAL_RULE_PROGRAM}.ts`), project: "policytest", stack: "dev", config: {} });
  judged = judge(evaluation);
}, 120_000);

describe("issue 16's rules on insecure and secure resources", () => {
  it.each(CREDENTIAL_RULE_CASES.map((c) => [c.rule, c] as const))("%s", (_rule, c) => {
    const mine = judged.violations.filter((v) => v.rule === c.rule);
    const names = new Set(mine.map((v) => v.name));
    expect(c.bad.filter((n) => !names.has(n)), "bad resources the rule missed").toEqual([]);
    expect(c.good.filter((n) => names.has(n)), "good resources the rule flagged").toEqual([]);
    for (const [name, re] of Object.entries(c.says ?? {})) expect(mine.filter((v) => v.name === name).map((v) => v.message).join("\n")).toMatch(re);
    // Nothing else of the program's bad-/good- resources is flagged by this rule without being listed.
    const listed = new Set([...c.bad, ...c.good]);
    expect(mine.filter((v) => /^(bad|good)-/.test(v.name) && !listed.has(v.name)).map((v) => v.name)).toEqual([]);
    for (const v of mine) expect(v.enforcementLevel).toBe("mandatory");
  });

  it("are registered in the pack", () => {
    for (const c of CREDENTIAL_RULE_CASES) expect(RULES.map((r) => r.name)).toContain(c.rule);
  });

  it("evaluated the program without errors, and no rule threw", () => {
    expect(evaluation.errors.map((e) => e.message)).toEqual([]);
    expect(judged.errors).toEqual([]);
  });
});
