// Reviewed exceptions: the schema's checks (shape, length, expiry), the pack's (known rule, takes
// exceptions), matching by name and URN pattern, and what the judge does with them.
import { describe, expect, it } from "vitest";
import { latestExpiry, parsePolicyExceptions, todayUtc, type PolicyException } from "../../stacks";
import { blocking, judge, verdictOf, type JudgeInput } from "../judge";
import { RULES } from "../rules";
import { EXCEPTIONS_RULE, NO_EXCEPTION_RULES, activeException, exceptionIssues } from "./exceptions";
import { packConfigIssues } from "./packConfig";

const day = (offset: number) => {
  const d = new Date(`${todayUtc()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return todayUtc(d);
};
const exception = (over: Partial<PolicyException> = {}): PolicyException => ({
  ruleId: "ec2-no-ssh-key-pair",
  resource: "ops-key",
  reason: "break-glass access while the SSM agent rollout is pending",
  reviewer: "Dana Reviewer",
  expires: day(30),
  ...over,
});
const ids = RULES.map((r) => r.name);

describe("the exception schema (clawkeep:policyExceptions)", () => {
  it("accepts a reviewed exception expiring within 90 days, and one expiring exactly on the 90th day", () => {
    expect(parsePolicyExceptions([exception(), exception({ expires: latestExpiry() })]).issues).toEqual([]);
  });

  it.each<[string, Partial<PolicyException> | Record<string, unknown>, RegExp]>([
    ["a short reason", { reason: "because" }, /policyExceptions\.0\.reason: got "because"; allowed: at least 20 characters/],
    ["no reviewer", { reviewer: "" }, /policyExceptions\.0\.reviewer: got ""; allowed: at least 2 characters/],
    ["a malformed date", { expires: "next month" }, /policyExceptions\.0\.expires: got "next month"; allowed: an ISO date \(YYYY-MM-DD\)/],
    ["a date that does not exist", { expires: "2026-02-30" }, /policyExceptions\.0\.expires: got "2026-02-30"; allowed: a date that exists/],
    ["more than 90 days ahead", { expires: day(91) }, new RegExp(`policyExceptions\\.0\\.expires: got "${day(91)}"; allowed: a date at most 90 days ahead: on or before ${day(90)}`)],
    ["an unknown key", { waiver: true }, /policyExceptions\.0\.waiver: got true; allowed: no such key/],
  ])("refuses %s, naming key, value and what is allowed", (_what, over, message) => {
    const { issues } = parsePolicyExceptions([{ ...exception(), ...over }]);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.map((i) => `${i.key}: got ${JSON.stringify(i.given)}; allowed: ${i.allowed}`).join("\n")).toMatch(message);
  });

  it("refuses an unknown rule and every rule that takes no exception, naming the rule", () => {
    const issues = exceptionIssues([exception({ ruleId: "no-such-rule" }), exception({ ruleId: "openclaw-gateway-auth" })], ids);
    expect(issues).toEqual([
      expect.objectContaining({ key: "policyExceptions.0.ruleId", given: "no-such-rule" }),
      expect.objectContaining({ key: "policyExceptions.1.ruleId", given: "openclaw-gateway-auth", allowed: expect.stringMatching(/openclaw-gateway-auth takes none/) }),
    ]);
    for (const id of Object.keys(NO_EXCEPTION_RULES)) {
      expect(ids, `${id} is a rule of the pack`).toContain(id);
      expect(RULES.find((r) => r.name === id)?.enforcementLevel, `${id} is mandatory by default`).toBe("mandatory");
    }
  });
});

describe("matching", () => {
  const urn = "urn:pulumi:dev::p::aws:ec2/keyPair:KeyPair::ops-key";
  it("by resource name (with * as wildcard) and by URN pattern, only for its rule, only until it expires", () => {
    expect(activeException([exception()], "ec2-no-ssh-key-pair", urn, "ops-key")).toBeDefined();
    expect(activeException([exception({ resource: "ops-*" })], "ec2-no-ssh-key-pair", urn, "ops-key")).toBeDefined();
    expect(activeException([exception({ resource: "urn:pulumi:dev::p::*::ops-key" })], "ec2-no-ssh-key-pair", urn, "ops-key")).toBeDefined();
    expect(activeException([exception({ resource: "urn:pulumi:prod::p::*::ops-key" })], "ec2-no-ssh-key-pair", urn, "ops-key")).toBeUndefined();
    expect(activeException([exception({ resource: "ops" })], "ec2-no-ssh-key-pair", urn, "ops-key")).toBeUndefined();
    expect(activeException([exception()], "ec2-ebs-encrypted", urn, "ops-key")).toBeUndefined();
    expect(activeException([exception({ expires: day(-1) })], "ec2-no-ssh-key-pair", urn, "ops-key")).toBeUndefined();
    expect(activeException([exception({ expires: todayUtc() })], "ec2-no-ssh-key-pair", urn, "ops-key"), "the expiry day itself still holds").toBeDefined();
  });
});

describe("the judge with exceptions", () => {
  const key: JudgeInput = { urn: "urn:pulumi:dev::p::aws:ec2/keyPair:KeyPair::ops-key", type: "aws:ec2/keyPair:KeyPair", name: "ops-key", inputs: { publicKey: "ssh-ed25519 AAAA" }, state: { publicKey: "ssh-ed25519 AAAA" }, dependencies: [] };

  it("an exception honored: the finding stays, marked excepted with reason, reviewer and expiry, and does not block", () => {
    const without = judge({ resources: [key] });
    expect(verdictOf(without).exitCode).toBe(1);
    const j = judge({ resources: [key] }, {}, RULES, { exceptions: [exception()] });
    const found = j.violations.filter((v) => v.rule === "ec2-no-ssh-key-pair");
    expect(found).toHaveLength(1);
    expect(found[0].excepted).toEqual(exception());
    expect(j.violations.filter(blocking)).toEqual([]);
    expect(verdictOf(j)).toMatchObject({ exitCode: 0, line: expect.stringMatching(/1 violation of which 1 excepted/) });
    // The checklist stays honest: the item is not met, the risk was accepted.
    expect(j.checklist.find((c) => c.rules.includes("ec2-no-ssh-key-pair") && c.status === "fail")?.note).toMatch(/every finding excepted after review: ec2-no-ssh-key-pair/);
  });

  it("an expired exception: the finding blocks again, and the exception is a mandatory finding of its own naming it", () => {
    const j = judge({ resources: [key] }, {}, RULES, { exceptions: [exception({ expires: day(-1) })] });
    expect(j.violations.find((v) => v.rule === "ec2-no-ssh-key-pair")?.excepted).toBeUndefined();
    const expired = j.violations.filter((v) => v.rule === EXCEPTIONS_RULE);
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ enforcementLevel: "mandatory", message: expect.stringMatching(new RegExp(`policyExceptions\\.0 \\(ec2-no-ssh-key-pair on ops-key, reviewer Dana Reviewer\\) expired on ${day(-1)}`)) });
    expect(verdictOf(j).exitCode).toBe(1);
  });
});

describe("the pack config (enforcement levels)", () => {
  it("takes advisory, mandatory and disabled for rules that take exceptions, and thresholds the rule has", () => {
    expect(packConfigIssues({ "ec2-no-ssh-key-pair": "advisory", "ec2-status-check-alarm": { enforcementLevel: "disabled" }, "openclaw-gateway-auth": "mandatory" }, RULES)).toEqual([]);
  });

  it("refuses weakening a rule that takes no exception, directly or through all, naming it", () => {
    const issues = packConfigIssues({ "no-plaintext-secrets": "disabled", "openclaw-gateway-auth": { enforcementLevel: "advisory" } }, RULES);
    expect(issues.map((i) => i.key)).toEqual(["policy-pack-config:no-plaintext-secrets", "policy-pack-config:openclaw-gateway-auth"]);
    expect(issues[0].allowed).toMatch(/mandatory: no-plaintext-secrets takes no exception/);
    const all = packConfigIssues({ all: "advisory" }, RULES);
    expect(all).toHaveLength(1);
    expect(all[0].allowed).toContain("openclaw-gateway-auth");
    expect(packConfigIssues({ [EXCEPTIONS_RULE]: "disabled" }, RULES)).toHaveLength(1);
  });

  it("refuses unknown rules, levels and thresholds", () => {
    const issues = packConfigIssues({ "no-such-rule": "advisory", "ec2-no-ssh-key-pair": "off", "ec2-ebs-encrypted": { maxDays: 3 } }, RULES);
    expect(issues.map((i) => `${i.key} ${JSON.stringify(i.given)}`)).toEqual(['policy-pack-config:no-such-rule "advisory"', 'policy-pack-config:ec2-no-ssh-key-pair "off"', "policy-pack-config:ec2-ebs-encrypted.maxDays 3"]);
  });

  it("an advisory level reported by the judge does not block", () => {
    const key: JudgeInput = { urn: "urn:pulumi:dev::p::aws:ec2/keyPair:KeyPair::k", type: "aws:ec2/keyPair:KeyPair", name: "k", inputs: {}, state: {}, dependencies: [] };
    const j = judge({ resources: [key] }, { "ec2-no-ssh-key-pair": "advisory" });
    expect(j.violations.find((v) => v.rule === "ec2-no-ssh-key-pair")?.enforcementLevel).toBe("advisory");
    expect(verdictOf(j).exitCode).toBe(0);
  });
});
