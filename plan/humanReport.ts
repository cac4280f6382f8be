// The parts of the text report a person reads: resources grouped by the component that holds them,
// with counts that agree, and every finding with its full message and fix, wrapped and never cut.
import { blocking, type Judgement, type Violation } from "../policy/judge";
import type { PlannedResource } from "./evaluate";
import type { PlannedRow } from "./planStack";
import { REPORT_WIDTH, table, wrap } from "./table";

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
const shortType = (t: string) => t.replace(/^aws:/, "");

/** The resources, one table per component (the nearest component above each), and a count line that says how the numbers relate. */
export function resourcesReport(registered: readonly PlannedResource[], rows: readonly PlannedRow[]): string[] {
  const byUrn = new Map(registered.map((r) => [r.urn, r]));
  // A role's policy has the role as parent: walk up to the component that holds both.
  const componentOf = (urn: string): string => {
    let cur = byUrn.get(urn);
    for (let i = 0; cur && cur.custom && i < 100; i++) cur = byUrn.get(cur.parent);
    return cur?.urn ?? "";
  };
  const groups = new Map<string, PlannedRow[]>();
  for (const row of rows) {
    const key = componentOf(row.parent);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const label = (parent: string) => {
    const p = byUrn.get(parent);
    return !p || p.type === "pulumi:pulumi:Stack" ? "(top level of the stack)" : `${p.name} (${p.type})`;
  };
  const others = registered.length - rows.length;
  const lines = [
    `Resources: ${registered.length} registered = ${plural(rows.length, "cloud resource")} below + ${plural(others, "component")} and stack that deploy nothing`,
    `themselves; the policy pack judged all ${registered.length}. Grouped by the component that holds them (${plural(groups.size, "group")}).`,
  ];
  const ordered = [...groups.entries()].sort(([a], [b]) => label(a).localeCompare(label(b)));
  for (const [parent, members] of ordered) {
    const sorted = [...members].sort((x, y) => x.type.localeCompare(y.type) || x.name.localeCompare(y.name));
    lines.push("", `${label(parent)}: ${plural(members.length, "resource")}`);
    lines.push(...table(["TYPE", "NAME", "SECURITY"], sorted.map((r) => [shortType(r.type), r.name, r.security]), REPORT_WIDTH - 2).split("\n").map((l) => `  ${l}`));
  }
  return lines;
}

const INDENT = "    ";
const block = (label: string, text: string) => wrap(`${label}${text}`, REPORT_WIDTH - INDENT.length).map((l) => INDENT + l);

function findingLines(v: Violation): string[] {
  const level = v.excepted ? "excepted" : v.enforcementLevel;
  const where = v.name ? `${v.name} (${shortType(v.type)})` : "(the stack)";
  const lines = wrap(`[${level}] ${v.rule} on ${where}`, REPORT_WIDTH - 2).map((l) => `  ${l}`);
  lines.push(...block("", v.message));
  if (v.excepted) lines.push(...block("excepted: ", `until ${v.excepted.expires}, reviewed by ${v.excepted.reviewer}; reason: ${v.excepted.reason}`));
  lines.push(...block("fix: ", v.remediation));
  return lines;
}

/** Every finding in full: blocking first, then advisory, then excepted; with counts that add up. */
export function findingsReport(j: Judgement): string[] {
  const excepted = j.violations.filter((v) => v.excepted);
  const mandatory = j.violations.filter(blocking);
  const advisory = j.violations.filter((v) => !v.excepted && v.enforcementLevel === "advisory");
  const extras = [...(j.errors.length ? [plural(j.errors.length, "rule error")] : []), ...(j.blind.length ? [plural(j.blind.length, "blind spot")] : [])];
  const lines = [
    `Policy: ${plural(j.violations.length, "finding")} = ${mandatory.length} mandatory + ${advisory.length} advisory + ${excepted.length} excepted; ${plural(j.applied.length, "rule")} applied${extras.length ? `; ${extras.join("; ")}` : ""}`,
  ];
  const order = (vs: Violation[]) => [...vs].sort((a, b) => a.rule.localeCompare(b.rule) || a.name.localeCompare(b.name));
  for (const v of [...order(mandatory), ...order(advisory), ...order(excepted)]) lines.push("", ...findingLines(v));
  return lines;
}
