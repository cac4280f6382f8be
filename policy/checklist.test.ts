import { describe, expect, it } from "vitest";
import { evaluateChecklist } from "./checklist";
import type { Rule } from "./lib/types";

const rule = (name: string, item: "audit-logging" | "network-restrictions", extra: Partial<Rule> = {}): Rule =>
  ({ kind: "stack", name, description: "", protects: "", checklistItems: [item], severity: "high", enforcementLevel: "mandatory", remediation: "", resourceTypes: ["aws:ec2/instance:Instance"], validateStack: () => [], ...extra }) as Rule;

const rules = [rule("audit-a", "audit-logging", { judges: "hosts that run OpenClaw" }), rule("audit-b", "audit-logging"), rule("net-a", "network-restrictions")];
const row = (entries: ReturnType<typeof evaluateChecklist>, id: string) => entries.find((e) => e.id === id);

describe("the checklist is honest", () => {
  it("passes a row only when a deciding rule judged something and none found anything", () => {
    const c = evaluateChecklist(rules, new Set(["audit-b"]), new Set(), new Set());
    expect(row(c, "audit-logging")).toMatchObject({ status: "pass", note: "judged by audit-b, which found nothing" });
  });

  it("says not applicable, and what the rules look for, when none of them had anything to judge", () => {
    const c = evaluateChecklist(rules, new Set(), new Set(), new Set());
    expect(row(c, "audit-logging")?.status).toBe("not-applicable");
    expect(row(c, "audit-logging")?.note).toBe("nothing in the stack for audit-a (hosts that run OpenClaw); audit-b (instance)");
  });

  it("fails on any violation, even when another rule passed", () => {
    const c = evaluateChecklist(rules, new Set(["audit-a", "audit-b"]), new Set(["audit-a"]), new Set());
    expect(row(c, "audit-logging")).toMatchObject({ status: "fail", note: "violated: audit-a" });
  });

  it("is unknown, never a pass, when a deciding rule could not see a value", () => {
    const c = evaluateChecklist(rules, new Set(["audit-a", "audit-b"]), new Set(), new Set(["audit-b"]));
    expect(row(c, "audit-logging")?.status).toBe("unknown");
    expect(row(c, "audit-logging")?.note).toMatch(/audit-b met a value only a real preview knows/);
  });

  it("names the rules the pack config switched off", () => {
    const c = evaluateChecklist(rules, new Set(), new Set(), new Set(), new Set(["audit-a", "audit-b"]));
    expect(row(c, "audit-logging")).toMatchObject({ status: "not-applicable", note: "switched off by the pack config: audit-a, audit-b" });
  });

  it("says where an item no rule decides is decided", () => {
    const c = evaluateChecklist(rules, new Set(["net-a"]), new Set(), new Set());
    expect(row(c, "session-timeouts")?.note).toMatch(/^decided outside the pack: stacks\/schema\.ts/);
    expect(row(c, "network-restrictions")?.status).toBe("pass");
  });
});
