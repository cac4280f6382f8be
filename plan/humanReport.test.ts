// The person's report: every finding in full within 120 columns, excepted ones with their exception,
// counts that add up; resources grouped under the component that holds them.
import { describe, expect, it } from "vitest";
import { judge, type JudgeInput } from "../policy/judge";
import { RULES } from "../policy/rules";
import { findingsReport, resourcesReport } from "./humanReport";
import { wrap, wrapLine, table } from "./table";
import type { PlannedResource } from "./evaluate";

const expires = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
const key = (name: string): JudgeInput => ({ urn: `urn:pulumi:dev::p::aws:ec2/keyPair:KeyPair::${name}`, type: "aws:ec2/keyPair:KeyPair", name, inputs: {}, state: {}, dependencies: [] });

describe("findings", () => {
  const reason = "break-glass access for the on-call engineer until the SSM session manager rollout lands in every region we run";
  const j = judge({ resources: [key("ops-key"), key("other-key")] }, {}, RULES, { exceptions: [{ ruleId: "ec2-no-ssh-key-pair", resource: "ops-key", reason, reviewer: "Dana Reviewer", expires }] });
  const text = findingsReport(j).join("\n");

  it("counts add up, blocking first, excepted last with reason, reviewer and expiry, the fix in full", () => {
    expect(text).toMatch(/^Policy: 2 findings = 1 mandatory \+ 0 advisory \+ 1 excepted; /);
    expect(text.indexOf("[mandatory] ec2-no-ssh-key-pair on other-key")).toBeLessThan(text.indexOf("[excepted] ec2-no-ssh-key-pair on ops-key"));
    const flat = text.replace(/\n\s+/g, " ");
    expect(flat).toContain(`excepted: until ${expires}, reviewed by Dana Reviewer; reason: ${reason}`);
    const fix = RULES.find((r) => r.name === "ec2-no-ssh-key-pair")?.remediation ?? "";
    expect(flat).toContain(`fix: ${fix.replace(/\s+/g, " ")}`);
  });

  it("no line over 120 columns, none cut with …", () => {
    const lines = text.split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    expect(lines.filter((l) => l.endsWith("…"))).toEqual([]);
  });
});

describe("wrapping", () => {
  it("wraps between words, splits only a word longer than the line, and loses nothing", () => {
    const text = `${"word ".repeat(40)}${"x".repeat(130)} end`;
    const lines = wrap(text, 50);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(50);
    expect(lines.join("").replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
    expect(wrapLine(`  ${"y ".repeat(100)}`).every((l) => l.length <= 120 && l.startsWith("  "))).toBe(true);
  });

  it("a table narrows its widest column and wraps its cells to fit", () => {
    const t = table(["A", "LONG"], [["short", "z ".repeat(200)]], 60).split("\n");
    expect(Math.max(...t.map((l) => l.length))).toBeLessThanOrEqual(60);
    expect(t.length).toBeGreaterThan(5);
  });
});

describe("resources by component", () => {
  const res = (urn: string, type: string, name: string, parent: string, custom: boolean): PlannedResource => ({ urn, type, name, parent, custom, inputs: {}, state: {}, dependencies: [] });
  const stack = res("urn:s", "pulumi:pulumi:Stack", "p-dev", "", false);
  const comp = res("urn:c", "clawkeep:host:HardenedHost", "gw-host", "urn:s", false);
  const role = res("urn:r", "aws:iam/role:Role", "gw-host-role", "urn:c", true);
  const policy = res("urn:rp", "aws:iam/rolePolicy:RolePolicy", "gw-host-policy", "urn:r", true);
  const loose = res("urn:b", "aws:s3/bucket:Bucket", "loose", "urn:s", true);
  const row = (r: PlannedResource) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent, security: "", inputs: {} });

  it("a resource whose parent is another resource sits with the component above both; counts say how they relate", () => {
    const lines = resourcesReport([stack, comp, role, policy, loose], [role, policy, loose].map(row));
    expect(lines[0]).toBe("Resources: 5 registered = 3 cloud resources below + 2 components and stack that deploy nothing");
    expect(lines).toContain("gw-host (clawkeep:host:HardenedHost): 2 resources");
    expect(lines).toContain("(top level of the stack): 1 resource");
  });
});
