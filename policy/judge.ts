// The offline judge: runs the pack's rules over an offline evaluation (plan/evaluate.ts) exactly as
// CrossGuard would over a preview: resource rules see each resource's inputs, stack rules see every
// resource's outputs, secrets arrive decrypted and unmarked in both. What the evaluation could not know
// (lib/unknown.ts markers) a rule may not judge: a rule that reads one, or throws CannotJudge, is a
// blind spot, never a pass.
import { SECRET_SIG_KEY, unwrapSecrets } from "./lib/engineValues";
import { UNKNOWN_OPEN, UNTRACKED, containsUnknown, unknownsInText, type BlindSpot } from "./lib/unknown";
import { evaluateChecklist, type ChecklistEntry } from "./checklist";
import { coversType, ruleConfig, type EnforcementLevel, type JudgedResource, type Props, type Rule, type RuleLevel, type Severity, type StackResource } from "./lib/types";
import { isRecord } from "./lib/values";
import { EXCEPTIONS_REMEDIATION, EXCEPTIONS_RULE, activeException, expiredFindings, type PolicyException } from "./lib/exceptions";
import type { PackConfig } from "./lib/packConfig";
import { todayUtc } from "../stacks/policyExceptions";
import { RULES } from "./rules";

export type { PackConfig };

/** What the judge needs beside the resources: the stack's reviewed exceptions, and the day they are judged on. */
export interface JudgeOptions {
  exceptions?: readonly PolicyException[];
  /** YYYY-MM-DD (UTC); today by default. */
  today?: string;
}

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
  /** The reviewed exception that covers this finding: it is reported, and does not block. */
  excepted?: PolicyException;
}

/** Findings that block a deploy: mandatory and not excepted. */
export const blocking = (v: Violation): boolean => v.enforcementLevel === "mandatory" && !v.excepted;

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
  /** A rule that threw: a bug in the rule. The plan treats it as a failure. */
  errors: RuleError[];
  /** What could not be judged offline: the evaluation's own blind spots, then each rule that met an unknown value. */
  blind: BlindSpot[];
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

/**
 * Thresholds whose truth only the offline evaluation has: it hands stack-config secrets over as unknown
 * markers, so a known value of a credential input was written in (or read by) the program (no-credential-in-state).
 */
const OFFLINE_KNOWS: Readonly<Record<string, number>> = { literalsKnown: 1 };

/** A resource as the judge reads it; `site` (file:line of the program) only sharpens blind-spot reports. */
export type JudgeInput = JudgedResource & { site?: string };

/**
 * A view of `value` that calls `onUnknown` whenever a rule reads a string holding an unknown marker
 * (or enumerates an object key holding one). Only resources that hold a marker are wrapped.
 */
function tracked<T>(value: T, onUnknown: (whats: string[]) => void, cache = new WeakMap<object, object>()): T {
  if (value === null || typeof value !== "object") return value;
  const hit = cache.get(value);
  if (hit) return hit as T;
  const proxy = new Proxy(value, {
    get(target, key, receiver) {
      // A rule that does not need unknown values reads through `untracked` (lib/unknown.ts).
      if (key === UNTRACKED) return target;
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof v === "string") {
        if (v.includes(UNKNOWN_OPEN)) onUnknown(unknownsInText(v));
        return v;
      }
      return tracked(v, onUnknown, cache);
    },
    ownKeys(target) {
      const keys = Reflect.ownKeys(target);
      for (const k of keys) if (typeof k === "string" && k.includes(UNKNOWN_OPEN)) onUnknown(unknownsInText(k));
      return keys;
    },
  });
  cache.set(value, proxy);
  return proxy;
}

const whereOf = (r: { type: string; name: string; site?: string }) => `${r.type} ${r.name}${r.site ? ` (${r.site})` : ""}`;

/** A CannotJudge from lib/unknown.ts, also when the rule's copy of the module is another instance. */
function cannotJudge(e: unknown): { what: string; where?: string } | undefined {
  return e instanceof Error && e.name === "CannotJudge" && typeof (e as { what?: unknown }).what === "string" ? (e as unknown as { what: string; where?: string }) : undefined;
}

/** Where the stack's outputs are judged: a resource of the root stack's type, holding the outputs the program did not mark secret. */
export const STACK_OUTPUTS = { type: "pulumi:pulumi:Stack", name: "(stack outputs)", urn: "(stack outputs)" } as const;

/**
 * The stack's plain outputs as one resource for the resource rules that cover every type (the secret
 * scan). Pulumi stores them in the state in clear and `pulumi stack output` prints them; outputs marked
 * secret are encrypted there. Offline only: CrossGuard is not shown the root stack's outputs (see
 * test/corpus-parity.integration.test.ts).
 */
function outputsResource(outputs: Record<string, unknown> | undefined, secret: readonly string[] = []): JudgeInput[] {
  const plain = Object.fromEntries(Object.entries(outputs ?? {}).filter(([k]) => !secret.includes(k)));
  return Object.keys(plain).length === 0 ? [] : [{ ...STACK_OUTPUTS, inputs: plain, state: plain, dependencies: [] }];
}

export function judge(
  evaluation: { resources: readonly JudgeInput[]; blind?: readonly BlindSpot[]; region?: string; outputs?: Record<string, unknown>; secretOutputs?: readonly string[] },
  config: PackConfig = {},
  rules: readonly Rule[] = RULES,
  opts: JudgeOptions = {},
): Judgement {
  const exceptions = opts.exceptions ?? [];
  const today = opts.today ?? todayUtc();
  const violations: Violation[] = [];
  const errors: RuleError[] = [];
  const blind: BlindSpot[] = [...(evaluation.blind ?? [])];
  const blindSeen = new Set(blind.map((b) => `${b.rule ?? ""}|${b.what}|${b.where}`));
  const addBlind = (b: BlindSpot) => {
    const key = `${b.rule ?? ""}|${b.what}|${b.where}`;
    if (!blindSeen.has(key)) blind.push(b);
    blindSeen.add(key);
  };
  const applied = new Set<string>();
  const view = (r: JudgeInput) => {
    const inputProps = toPolicyProps(r.inputs);
    const stateProps = toPolicyProps(r.state);
    return { ...r, inputProps, stateProps, unknownInputs: containsUnknown(inputProps), unknownState: containsUnknown(stateProps) };
  };
  const resources = evaluation.resources.map(view);
  // Resource rules also see the stack's plain outputs; stack rules see the resources only.
  const judgedOne = [...resources, ...outputsResource(evaluation.outputs, evaluation.secretOutputs).map(view)];
  const byUrn = new Map(judgedOne.map((r) => [r.urn, r]));
  // Each resource's provider as CrossGuard hands it: the explicit one it names, else the package's default provider (region: the stack's).
  const providerOf = (r: JudgeInput): StackResource["provider"] => {
    if (r.provider) {
      const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
      const p = byUrn.get(urn);
      return p ? { type: p.type, urn, props: p.stateProps } : undefined;
    }
    const pkg = r.type.split(":")[0];
    return pkg === "aws" && evaluation.region ? { type: "pulumi:providers:aws", urn: "(default aws provider)", props: { region: evaluation.region } } : undefined;
  };
  const plainStackView: StackResource[] = resources.map((r) => {
    const provider = providerOf(r);
    return { type: r.type, name: r.name, urn: r.urn, props: r.stateProps, dependencies: r.dependencies, ...(provider ? { provider } : {}) };
  });
  const anyUnknownState = resources.some((r) => r.unknownState);

  const disabled = new Set<string>();
  for (const rule of rules) {
    const { level, values } = levelAndConfig(rule, config);
    if (level === "disabled") {
      disabled.add(rule.name);
      continue;
    }
    const cfg = ruleConfig(rule, { ...OFFLINE_KNOWS, ...values });
    const report = (urn: string, message: string) => {
      const r = byUrn.get(urn);
      const excepted = activeException(exceptions, rule.name, urn, r?.name ?? "", today);
      violations.push({
        rule: rule.name,
        urn,
        type: r?.type ?? "",
        name: r?.name ?? "",
        message,
        remediation: rule.remediation,
        enforcementLevel: level,
        severity: rule.severity,
        ...(excepted ? { excepted } : {}),
      });
    };
    const fail = (urn: string, e: unknown) => errors.push({ rule: rule.name, urn, message: e instanceof Error ? e.message : String(e) });
    const blindOn = (where: string, whats: Iterable<string>, because?: string) =>
      addBlind({ rule: rule.name, what: `${[...new Set(whats)].join("; ")}${because ? ` (${because})` : ""}`, where });

    if (rule.kind === "resource") {
      for (const r of judgedOne) {
        if (!coversType(rule, r.type)) continue;
        const reads: string[] = [];
        const props = r.unknownInputs ? tracked(r.inputProps, (w) => reads.push(...w)) : r.inputProps;
        try {
          if (rule.appliesTo && !rule.appliesTo(r.type, props)) {
            if (reads.length > 0) blindOn(whereOf(r), reads, "whether the rule applies depends on it");
            continue;
          }
          applied.add(rule.name);
          for (const m of rule.validateResource(r.type, props, cfg)) report(r.urn, m);
          if (reads.length > 0) blindOn(whereOf(r), reads);
        } catch (e) {
          const cj = cannotJudge(e);
          if (cj) blindOn(cj.where ? `${whereOf(r)}: ${cj.where}` : whereOf(r), [cj.what]);
          else if (reads.length > 0) blindOn(whereOf(r), reads, `the rule failed on it: ${e instanceof Error ? e.message : String(e)}`);
          else fail(r.urn, e);
        }
      }
      continue;
    }
    if (!resources.some((r) => coversType(rule, r.type))) continue;
    const reads = new Map<string, string[]>();
    const stackView = anyUnknownState
      ? plainStackView.map((v, i) => (resources[i].unknownState ? { ...v, props: tracked(v.props, (w) => reads.set(v.urn, [...(reads.get(v.urn) ?? []), ...w])) } : v))
      : plainStackView;
    const blindReads = (because?: string) => {
      for (const [urn, whats] of reads) blindOn(whereOf(byUrn.get(urn) ?? { type: "", name: urn }), whats, because);
    };
    try {
      if (rule.appliesTo && !rule.appliesTo(stackView)) {
        blindReads("whether the rule applies depends on it");
        continue;
      }
      applied.add(rule.name);
      for (const v of rule.validateStack(stackView, cfg)) report(v.urn ?? "", v.message);
      blindReads();
    } catch (e) {
      const cj = cannotJudge(e);
      if (cj) addBlind({ rule: rule.name, what: cj.what, where: cj.where ?? "(stack)" });
      else if (reads.size > 0) blindReads(`the rule failed on it: ${e instanceof Error ? e.message : String(e)}`);
      else fail("", e);
    }
  }
  for (const message of expiredFindings(exceptions, today)) {
    violations.push({ rule: EXCEPTIONS_RULE, urn: "", type: "", name: "", message, remediation: EXCEPTIONS_REMEDIATION, enforcementLevel: "mandatory", severity: "high" });
  }
  // An excepted finding still fails its checklist item: the exception accepts the risk, it does not remove it.
  const violated = new Set(violations.map((v) => v.rule));
  const blindRules = new Set(blind.flatMap((b) => (b.rule ? [b.rule] : [])));
  const exceptedOnly = new Set([...violated].filter((r) => violations.every((v) => v.rule !== r || v.excepted)));
  return { violations, checklist: evaluateChecklist(rules, applied, violated, blindRules, disabled, exceptedOnly), applied: [...applied], errors, blind };
}

export type VerdictStatus = "pass" | "refused" | "cannot-judge";

export interface Verdict {
  status: VerdictStatus;
  /** The process exit code of the offline plan: 0 pass, 1 refused, 2 cannot judge. */
  exitCode: 0 | 1 | 2;
  /** The one line every run ends with. */
  line: string;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/**
 * Anything the judge could not see makes the whole verdict "cannot judge": a violation found next to a
 * blind spot may rest on an unknown, and a pass would be a guess. Then a mandatory violation or a rule
 * bug refuses; else the program passes.
 */
export function verdictOf(j: Judgement): Verdict {
  const mandatory = j.violations.filter(blocking).length;
  if (j.blind.length > 0) {
    const seen = mandatory > 0 ? `; ${count(mandatory, "mandatory violation")} in what could be judged` : "";
    return { status: "cannot-judge", exitCode: 2, line: `verdict: cannot judge offline (${count(j.blind.length, "blind spot")}${seen})` };
  }
  if (mandatory > 0 || j.errors.length > 0) {
    const parts = [count(mandatory, "mandatory violation"), ...(j.errors.length > 0 ? [count(j.errors.length, "rule error")] : [])];
    return { status: "refused", exitCode: 1, line: `verdict: refused (${parts.join(", ")})` };
  }
  const excepted = j.violations.filter((v) => v.excepted).length;
  const exceptedNote = excepted > 0 ? ` of which ${excepted} excepted` : "";
  return { status: "pass", exitCode: 0, line: `verdict: pass (${count(j.violations.length, "violation")}${exceptedNote}, ${count(j.applied.length, "rule")} applied)` };
}

/** True when the stack may deploy: nothing unseen, no mandatory violation and no rule error. */
export function passes(j: Judgement): boolean {
  return verdictOf(j).status === "pass";
}
