// The shape of a rule: a pure object the CrossGuard pack (policies.ts) and the offline judge
// (judge.ts) both run unchanged, so a stack is judged the same online and offline.
import type { ChecklistItemId } from "./checklistItems";

export type Severity = "low" | "medium" | "high" | "critical";
/** "mandatory" blocks a deploy; "advisory" only warns. */
export type RuleLevel = "advisory" | "mandatory";
export type EnforcementLevel = RuleLevel | "disabled";

/** Resource properties as CrossGuard hands them: plain JSON-like values, secrets already unwrapped. */
export type Props = Record<string, unknown>;

/** A tunable threshold; CrossGuard shows it as the policy's config schema. */
export interface ConfigProperty {
  type: "integer" | "number";
  default: number;
  minimum?: number;
  maximum?: number;
  description: string;
}

/** A rule's config with every default filled in. */
export type RuleConfig = Readonly<Record<string, number>>;

interface RuleBase {
  /** kebab-case, unique; the CrossGuard policy name. */
  name: string;
  description: string;
  /** What the rule protects, in one sentence. */
  protects: string;
  /** The guides' production-checklist items this rule decides. */
  checklistItems: readonly ChecklistItemId[];
  severity: Severity;
  enforcementLevel: RuleLevel;
  /** How to fix a violation. */
  remediation: string;
  configSchema?: Readonly<Record<string, ConfigProperty>>;
  /** Resource types the rule looks at; absent means every resource. */
  resourceTypes?: readonly string[];
  /** What the rule judges, when narrower than its resource types (the checklist quotes it when there is none). */
  judges?: string;
}

export interface ResourceRule extends RuleBase {
  kind: "resource";
  /** Narrows resourceTypes further (e.g. only instances whose user data ships an OpenClaw config). */
  appliesTo?(type: string, props: Props): boolean;
  /** Inputs of one resource; returns one message per problem. */
  validateResource(type: string, props: Props, config: RuleConfig): string[];
}

/** A resource as the engine registers it (the offline evaluation's shape): serialized inputs and outputs. */
export interface JudgedResource {
  urn: string;
  type: string;
  name: string;
  /** Inputs as the engine receives them; secrets still wrapped (see engineValues.ts). */
  inputs: Record<string, unknown>;
  /** Outputs (inputs plus computed values). */
  state: Record<string, unknown>;
  dependencies: readonly string[];
  /** The provider reference (`<urn>::<id>`) of an explicit provider; absent for the default provider. */
  provider?: string;
}

export interface StackResource {
  type: string;
  name: string;
  urn: string;
  /** Outputs (state) of the resource, as CrossGuard's stack policies see them. */
  props: Props;
  /** URNs this resource depends on (explicitly or through its inputs). */
  dependencies: readonly string[];
  /** The provider that deploys it (CrossGuard's PolicyResource.provider): where it lands, e.g. props.region. */
  provider?: { type: string; urn: string; props: Props };
}

export interface StackViolation {
  urn?: string;
  message: string;
}

export interface StackRule extends RuleBase {
  kind: "stack";
  /**
   * Narrows resourceTypes further: does the stack hold anything this rule judges (e.g. a host that
   * runs OpenClaw)? When it does not, the rule did not apply, and the checklist says so.
   */
  appliesTo?(resources: readonly StackResource[]): boolean;
  validateStack(resources: readonly StackResource[], config: RuleConfig): StackViolation[];
}

export type Rule = ResourceRule | StackRule;

/** Defaults from the rule's schema, overlaid with the given values (the CLI fills defaults; fakes do not). */
export function ruleConfig(rule: Rule, given: Readonly<Record<string, unknown>> = {}): RuleConfig {
  const out: Record<string, number> = {};
  for (const [key, prop] of Object.entries(rule.configSchema ?? {})) {
    const v = given[key];
    out[key] = typeof v === "number" && Number.isFinite(v) ? v : prop.default;
  }
  return out;
}

/** Does `rule` look at resources of this type (before appliesTo)? */
export function coversType(rule: Rule, type: string): boolean {
  return rule.resourceTypes === undefined || rule.resourceTypes.includes(type);
}
