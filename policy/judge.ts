// The offline judge: runs the pack's rules over an offline evaluation (plan/evaluate.ts) exactly as
// CrossGuard would over a preview: resource rules see each resource's inputs, stack rules see every
// resource's outputs, secrets arrive decrypted and unmarked in both.
import { SECRET_SIG_KEY, unwrapSecrets } from "./lib/engineValues";
import { evaluateChecklist, type ChecklistEntry } from "./checklist";
import { coversType, ruleConfig, type EnforcementLevel, type JudgedResource, type Props, type Rule, type RuleLevel, type Severity, type StackResource } from "./lib/types";
import { isRecord } from "./lib/values";
import { RULES } from "./rules";

/** Same shape as `pulumi preview --policy-pack-config`: per rule a level, or {enforcementLevel?, ...thresholds}; "all" for every rule. */
export type PackConfig = Readonly<Record<string, EnforcementLevel | "remediate" | Readonly<Record<string, unknown>>>>;

export interface Violation {
  rule: string;
  /** The resource's URN; "" for a finding about the whole stack. */
  urn: string;
  type: string;
  name: string;
  message: string;
  remediation: string;
  enforcementLevel: RuleLevel;
  severity: Severity;
}

export interface RuleError {
  rule: string;
  urn: string;
  message: string;
}

export interface Judgement {
  violations: Violation[];
  checklist: ChecklistEntry[];
  /** Rules that had at least one resource to look at. */
  applied: string[];
  /** A rule that threw: a bug in the rule or a value it could not read. The plan treats it as a failure. */
  errors: RuleError[];
}

const ASSET_SIGS = ["c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7"];
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/**
 * Inputs/outputs in the shape CrossGuard hands policies: secrets unwrapped, assets and archives opaque
 * (the SDK turns them into Asset objects with no readable fields), resource references as their id.
 */
export function toPolicyProps(value: unknown): Props {
  const convert = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(convert);
    if (!isRecord(v)) return v;
    const sig = v[SECRET_SIG_KEY];
    if (typeof sig === "string" && ASSET_SIGS.includes(sig)) return {};
    if (sig === RESOURCE_SIG) return v.id ?? v.urn;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(x)]));
  };
  const out = convert(unwrapSecrets(value));
  return isRecord(out) ? out : {};
}

function levelAndConfig(rule: Rule, config: PackConfig): { level: EnforcementLevel; values: Record<string, unknown> } {
  const mine = config[rule.name];
  const all = config.all;
  const named = (v: unknown): EnforcementLevel | undefined => {
    if (v === "remediate") return "mandatory";
    return v === "advisory" || v === "mandatory" || v === "disabled" ? v : undefined;
  };
  const fromObject = isRecord(mine) ? named(mine.enforcementLevel) : undefined;
  const level = named(mine) ?? fromObject ?? named(all) ?? (isRecord(all) ? named(all.enforcementLevel) : undefined) ?? rule.enforcementLevel;
  const values = isRecord(mine) ? Object.fromEntries(Object.entries(mine).filter(([k]) => k !== "enforcementLevel")) : {};
  return { level, values };
}

export function judge(evaluation: { resources: readonly JudgedResource[] }, config: PackConfig = {}): Judgement {
  const violations: Violation[] = [];
  const errors: RuleError[] = [];
  const applied = new Set<string>();
  const resources = evaluation.resources.map((r) => ({ ...r, inputProps: toPolicyProps(r.inputs), stateProps: toPolicyProps(r.state) }));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const stackView: StackResource[] = resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.stateProps, dependencies: r.dependencies }));

  for (const rule of RULES) {
    const { level, values } = levelAndConfig(rule, config);
    if (level === "disabled") continue;
    const cfg = ruleConfig(rule, values);
    const report = (urn: string, message: string) => {
      const r = byUrn.get(urn);
      violations.push({
        rule: rule.name,
        urn,
        type: r?.type ?? "",
        name: r?.name ?? "",
        message,
        remediation: rule.remediation,
        enforcementLevel: level,
        severity: rule.severity,
      });
    };
    const fail = (urn: string, e: unknown) => errors.push({ rule: rule.name, urn, message: e instanceof Error ? e.message : String(e) });

    if (rule.kind === "resource") {
      for (const r of resources) {
        if (!coversType(rule, r.type)) continue;
        try {
          if (rule.appliesTo && !rule.appliesTo(r.type, r.inputProps)) continue;
          applied.add(rule.name);
          for (const m of rule.validateResource(r.type, r.inputProps, cfg)) report(r.urn, m);
        } catch (e) {
          fail(r.urn, e);
        }
      }
      continue;
    }
    if (!stackView.some((r) => coversType(rule, r.type))) continue;
    applied.add(rule.name);
    try {
      for (const v of rule.validateStack(stackView, cfg)) report(v.urn ?? "", v.message);
    } catch (e) {
      fail("", e);
    }
  }
  const violated = new Set(violations.map((v) => v.rule));
  return { violations, checklist: evaluateChecklist(RULES, applied, violated), applied: [...applied], errors };
}

/** True when the stack may deploy: no mandatory violation and no rule error. */
export function passes(j: Judgement): boolean {
  return j.errors.length === 0 && !j.violations.some((v) => v.enforcementLevel === "mandatory");
}
