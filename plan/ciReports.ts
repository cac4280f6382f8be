// The judgement in the formats CI tools read: SARIF 2.1.0 (GitHub code scanning shows each finding on
// the pull request, at the line of the program that constructs the resource) and JUnit XML.
import { blocking, verdictOf, type Judgement, type Violation } from "../policy/judge";
import { EXCEPTIONS_REMEDIATION, EXCEPTIONS_RULE, takesExceptions } from "../policy/lib/exceptions";
import type { Rule, Severity } from "../policy/lib/types";
import { RULES } from "../policy/rules";

/** Where a finding points when its resource's construction site is unknown: the stack file or the program. */
export interface ReportContext {
  /** Resource URN -> "file:line" of the program that constructed it (the offline evaluation records it). */
  sites: ReadonlyMap<string, string | undefined>;
  /** The stack file (or the program) relative to the repository root, and a line in it when known. */
  fallback: { uri: string; line?: number };
  /** Where clawkeep:policyExceptions sits (the stack file and its line), for findings about exceptions. */
  exceptionsAt?: { uri: string; line?: number };
}

const CANNOT_JUDGE = "cannot-judge-offline";
/** GitHub's security-severity scale (0-10) for each severity. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

interface RuleMeta {
  id: string;
  description: string;
  protects: string;
  remediation: string;
  severity: Severity;
  level: "error" | "warning";
  tags: string[];
}

const ruleMeta = (r: Rule): RuleMeta => ({ id: r.name, description: r.description, protects: r.protects, remediation: r.remediation, severity: r.severity, level: r.enforcementLevel === "mandatory" ? "error" : "warning", tags: ["security", ...r.checklistItems] });
const PACK_RULES: RuleMeta[] = [
  ...RULES.map(ruleMeta),
  { id: EXCEPTIONS_RULE, description: "Reviewed exceptions (clawkeep:policyExceptions) are current.", protects: "the review behind every exception", remediation: EXCEPTIONS_REMEDIATION, severity: "high", level: "error", tags: ["security"] },
  { id: CANNOT_JUDGE, description: "Something the verdict needs exists only at deploy time.", protects: "the gate from passing what it cannot see", remediation: "Run pulumi preview --policy-pack policy with real credentials, or make the value known to the program.", severity: "high", level: "error", tags: ["security"] },
];

function location(ctx: ReportContext, v: { urn: string; rule: string }): { uri: string; line?: number } {
  const site = v.urn ? ctx.sites.get(v.urn) : undefined;
  const m = site ? /^(.*):(\d+)$/.exec(site) : null;
  if (m && !m[1].startsWith("/") && !m[1].startsWith("..")) return { uri: m[1], line: Number(m[2]) };
  if (v.rule === EXCEPTIONS_RULE && ctx.exceptionsAt) return ctx.exceptionsAt;
  return ctx.fallback;
}

const physical = (l: { uri: string; line?: number }) => ({ artifactLocation: { uri: l.uri }, ...(l.line ? { region: { startLine: l.line } } : {}) });

/** A SARIF 2.1.0 log of one judgement: every finding (excepted ones as accepted suppressions) and every blind spot. */
export function sarifLog(j: Judgement, ctx: ReportContext, version = "0.1.0"): Record<string, unknown> {
  const index = new Map(PACK_RULES.map((r, i) => [r.id, i]));
  const result = (v: Violation) => {
    const where = location(ctx, v);
    return {
      ruleId: v.rule,
      ruleIndex: index.get(v.rule) ?? 0,
      level: blocking(v) ? "error" : v.excepted ? "note" : "warning",
      message: { text: `${v.name ? `${v.name} (${v.type}): ` : ""}${v.message}\nFix: ${v.remediation}` },
      locations: [{ physicalLocation: physical(where), ...(v.urn ? { logicalLocations: [{ fullyQualifiedName: v.urn, name: v.name, kind: "resource" }] } : {}) }],
      partialFingerprints: { clawkeepFinding: `${v.rule}|${v.urn}|${v.message}` },
      ...(v.excepted
        ? { suppressions: [{ kind: "external", status: "accepted", justification: `${v.excepted.reason} (reviewed by ${v.excepted.reviewer}; expires ${v.excepted.expires})`, properties: { reviewer: v.excepted.reviewer, expires: v.excepted.expires } }] }
        : {}),
    };
  };
  const blind = j.blind.map((b) => ({
    ruleId: CANNOT_JUDGE,
    ruleIndex: index.get(CANNOT_JUDGE) ?? 0,
    level: "error",
    message: { text: `${b.rule ? `[${b.rule}] ` : ""}${b.what} (where: ${b.where})` },
    locations: [{ physicalLocation: physical(ctx.fallback) }],
  }));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "clawkeep",
            version,
            rules: PACK_RULES.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: `Protects ${r.protects}.` },
              help: { text: `${r.remediation}${takesExceptions(r.id) ? "" : " This rule takes no exception."}` },
              defaultConfiguration: { level: r.level },
              properties: { tags: r.tags, "security-severity": SECURITY_SEVERITY[r.severity], precision: "high" },
            })),
          },
        },
        results: [...j.violations.map(result), ...blind],
        invocations: [{ executionSuccessful: j.errors.length === 0, exitCode: verdictOf(j).exitCode, toolExecutionNotifications: j.errors.map((e) => ({ level: "error", message: { text: `rule error: ${e.rule} on ${e.urn || "the stack"}: ${e.message}` } })) }],
      },
    ],
  };
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd]/gu, "");

/** JUnit XML: one test suite per rule that applied, one test case per finding (blocking ones fail, excepted ones are skipped with their exception). */
export function junitXml(j: Judgement, ctx: ReportContext): string {
  const byRule = new Map<string, Violation[]>();
  for (const rule of [...j.applied, ...j.violations.map((v) => v.rule)]) byRule.set(rule, []);
  for (const v of j.violations) byRule.get(v.rule)?.push(v);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const [rule, found] of byRule) {
    const cases = found.length === 0 ? [`    <testcase classname="${xml(rule)}" name="no findings"/>`] : [];
    let f = 0;
    let s = 0;
    for (const v of found) {
      const where = location(ctx, v);
      const name = `${v.name || "(stack)"}: ${v.message}`;
      const attrs = `classname="${xml(rule)}" name="${xml(name)}" file="${xml(where.uri)}"${where.line ? ` line="${where.line}"` : ""}`;
      if (v.excepted) {
        s++;
        cases.push(`    <testcase ${attrs}><skipped message="${xml(`excepted until ${v.excepted.expires}, reviewed by ${v.excepted.reviewer}: ${v.excepted.reason}`)}"/></testcase>`);
      } else if (blocking(v)) {
        f++;
        cases.push(`    <testcase ${attrs}><failure message="${xml(v.message)}" type="${xml(v.enforcementLevel)}">${xml(`Fix: ${v.remediation}`)}</failure></testcase>`);
      } else cases.push(`    <testcase ${attrs}><system-out>${xml(`advisory: ${v.message}\nFix: ${v.remediation}`)}</system-out></testcase>`);
    }
    const n = Math.max(found.length, 1);
    tests += n;
    failures += f;
    skipped += s;
    suites.push(`  <testsuite name="${xml(rule)}" tests="${n}" failures="${f}" errors="0" skipped="${s}">`, ...cases, "  </testsuite>");
  }
  const errors = j.blind.length + j.errors.length;
  if (errors > 0) {
    suites.push(`  <testsuite name="${CANNOT_JUDGE}" tests="${errors}" failures="0" errors="${errors}" skipped="0">`);
    for (const b of j.blind) suites.push(`    <testcase classname="${CANNOT_JUDGE}" name="${xml(b.what)}"><error message="${xml(`cannot judge offline: ${b.where}`)}"/></testcase>`);
    for (const e of j.errors) suites.push(`    <testcase classname="${xml(e.rule)}" name="rule error"><error message="${xml(e.message)}"/></testcase>`);
    suites.push("  </testsuite>");
    tests += errors;
  }
  return [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="clawkeep policy" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">`, ...suites, "</testsuites>", ""].join("\n");
}
