// The judge's fail-closed contract (policy/lib/unknown.ts): a rule that reads a value the offline
// evaluation could not know, or says CannotJudge, is a blind spot, never a pass; the verdict line and
// exit code follow from the judgement.
import { describe, expect, it } from "vitest";
import { judge, passes, verdictOf, type JudgeInput } from "../policy/judge";
import type { Rule } from "../policy/lib/types";
import { CannotJudge, requireKnown, unknownValue, unknownsIn } from "../policy/lib/unknown";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const resource = (name: string, inputs: Record<string, unknown>, site?: string): JudgeInput => ({ urn: `urn:${name}`, type: SG, name, inputs, state: inputs, dependencies: [], site });
const base = { description: "test rule", protects: "a test", checklistItems: ["network-restrictions"] as const, severity: "high" as const, enforcementLevel: "mandatory" as const, remediation: "fix it", resourceTypes: [SG] };

/** Reads `cidr` and nothing else: open to the world is a violation. */
const readsCidr: Rule = { ...base, kind: "resource", name: "reads-cidr", validateResource: (_t, p) => (p.cidr === "0.0.0.0/0" ? ["open to the world"] : []) };
/** Reads only `name`. */
const readsName: Rule = { ...base, kind: "resource", name: "reads-name", validateResource: (_t, p) => (p.name === "bad" ? ["bad name"] : []) };
const saysCannotJudge: Rule = { ...base, kind: "resource", name: "says-cannot-judge", validateResource: (_t, p) => [String(requireKnown(p.cidr, "the ingress CIDR"))].filter(() => false) };
const crashesOnUnknown: Rule = { ...base, kind: "resource", name: "crashes-on-unknown", validateResource: (_t, p) => (p.ports as number[]).map(String).filter((x) => x === "22") };
const buggy: Rule = { ...base, kind: "resource", name: "buggy", validateResource: () => { throw new TypeError("a bug"); } };
const stackReads: Rule = { ...base, kind: "stack", name: "stack-reads", validateStack: (rs) => rs.filter((r) => r.props.cidr === "0.0.0.0/0").map((r) => ({ urn: r.urn, message: "open" })) };

const unknownCidr = unknownValue("the CIDR of VPC vpc-0abc (found by tag)");

describe("unknown markers", () => {
  it("survive interpolation and are found anywhere in a value; requireKnown throws CannotJudge with what", () => {
    expect(unknownsIn({ a: [`10.0.0.0/8,${unknownCidr}`], b: { c: 1 } })).toEqual(["the CIDR of VPC vpc-0abc (found by tag)"]);
    expect(unknownValue("a [nested] thing")).toBe("[unknown: a nested thing]");
    expect(requireKnown("10.0.0.0/8", "x")).toBe("10.0.0.0/8");
    expect(() => requireKnown([unknownCidr], "the ingress CIDR")).toThrow(CannotJudge);
    expect(() => requireKnown([unknownCidr], "the ingress CIDR")).toThrow("cannot judge offline: the ingress CIDR: the CIDR of VPC vpc-0abc (found by tag)");
  });
});

describe("judge with unknown values", () => {
  it("a rule that reads an unknown value is a blind spot naming rule, what and where; one that does not read it judges as usual", () => {
    const j = judge({ resources: [resource("gw", { cidr: unknownCidr, name: "bad" }, "prog.ts:7")] }, {}, [readsCidr, readsName]);
    expect(j.blind).toEqual([{ rule: "reads-cidr", what: "the CIDR of VPC vpc-0abc (found by tag)", where: `${SG} gw (prog.ts:7)` }]);
    expect(j.violations.map((v) => v.rule)).toEqual(["reads-name"]);
    expect(j.checklist.find((c) => c.id === "network-restrictions")?.status).toBe("fail");
  });

  it("with no violation beside it, the blind spot makes the checklist row unknown and the verdict 'cannot judge' (exit 2), never pass", () => {
    const j = judge({ resources: [resource("gw", { cidr: unknownCidr, name: "ok" })] }, {}, [readsCidr, readsName]);
    expect(j.violations).toEqual([]);
    expect(j.checklist.find((c) => c.id === "network-restrictions")).toMatchObject({ status: "unknown", note: expect.stringContaining("reads-cidr") });
    expect(verdictOf(j)).toEqual({ status: "cannot-judge", exitCode: 2, line: "verdict: cannot judge offline (1 blind spot)" });
    expect(passes(j)).toBe(false);
  });

  it("CannotJudge thrown by a rule, and a rule that fails on an unknown value, are blind spots, not rule errors", () => {
    const j = judge({ resources: [resource("gw", { cidr: unknownCidr, ports: unknownValue("the ports") })] }, {}, [saysCannotJudge, crashesOnUnknown]);
    expect(j.errors).toEqual([]);
    expect(j.blind.map((b) => b.rule)).toEqual(["says-cannot-judge", "crashes-on-unknown"]);
    expect(j.blind[0].what).toBe("the ingress CIDR: the CIDR of VPC vpc-0abc (found by tag)");
    expect(j.blind[1].what).toMatch(/^the ports \(the rule failed on it: .*map is not a function\)$/);
  });

  it("a rule that throws on known values is a rule error: refused (exit 1)", () => {
    const j = judge({ resources: [resource("gw", { cidr: "10.0.0.0/8" })] }, {}, [buggy]);
    expect(j.errors).toEqual([{ rule: "buggy", urn: "urn:gw", message: "a bug" }]);
    expect(verdictOf(j)).toEqual({ status: "refused", exitCode: 1, line: "verdict: refused (0 mandatory violations, 1 rule error)" });
  });

  it("a stack rule reading an unknown output is a blind spot on that resource", () => {
    const j = judge({ resources: [resource("known", { cidr: "10.0.0.0/8" }), resource("looked-up", { cidr: unknownCidr })] }, {}, [stackReads]);
    expect(j.blind).toEqual([{ rule: "stack-reads", what: "the CIDR of VPC vpc-0abc (found by tag)", where: `${SG} looked-up` }]);
  });

  it("the evaluation's own blind spots come first; a violation beside them does not turn the verdict into 'refused'", () => {
    const j = judge({ resources: [resource("gw", { cidr: "0.0.0.0/0" })], blind: [{ what: "a stack transform", where: "prog.ts:3" }] }, {}, [readsCidr]);
    expect(j.blind[0]).toEqual({ what: "a stack transform", where: "prog.ts:3" });
    expect(verdictOf(j).line).toBe("verdict: cannot judge offline (1 blind spot; 1 mandatory violation in what could be judged)");
  });

  it("pass and refused lines", () => {
    expect(verdictOf(judge({ resources: [resource("gw", { cidr: "10.0.0.0/8" })] }, {}, [readsCidr, readsName])).line).toBe("verdict: pass (0 violations, 2 rules applied)");
    expect(verdictOf(judge({ resources: [resource("gw", { cidr: "0.0.0.0/0" })] }, {}, [readsCidr])).line).toBe("verdict: refused (1 mandatory violation)");
    expect(verdictOf(judge({ resources: [resource("gw", { cidr: "0.0.0.0/0" })] }, { "reads-cidr": "advisory" }, [readsCidr])).line).toBe("verdict: pass (1 violation, 1 rule applied)");
  });
});
