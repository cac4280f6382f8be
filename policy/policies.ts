// The CrossGuard side: each rule of rules/ as a ResourceValidationPolicy or StackValidationPolicy.
// Imported by index.ts (the pack) and by tests; constructing the PolicyPack lives only in index.ts.
import type {
  Policies,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { resolveAssetViews } from "./lib/assets";
import { CannotJudge } from "./lib/unknown";
import { EXCEPTIONS_REMEDIATION, EXCEPTIONS_RULE, activeException, exceptedMessage, expiredFindings, type PolicyException } from "./lib/exceptions";
import { todayUtc } from "../stacks/policyExceptions";
import { coversType, ruleConfig, type ResourceRule, type Rule, type StackResource, type StackRule } from "./lib/types";
import { RULES } from "./rules";

function configSchema(rule: Rule): PolicyConfigSchema | undefined {
  if (!rule.configSchema) return undefined;
  const properties: PolicyConfigSchema["properties"] = {};
  for (const [key, p] of Object.entries(rule.configSchema)) {
    properties[key] = { type: p.type, default: p.default, minimum: p.minimum, maximum: p.maximum, description: p.description };
  }
  return { properties };
}

function common(rule: Rule) {
  return {
    name: rule.name,
    description: `${rule.description} Protects ${rule.protects}.`,
    enforcementLevel: rule.enforcementLevel,
    severity: rule.severity,
    remediationSteps: rule.remediation,
    configSchema: configSchema(rule),
    tags: [...rule.checklistItems],
  };
}

/** The object behind @pulumi/policy's unknown-checking proxy (its own escape hatch), so assets can be swapped in place. */
const PROXY_TARGET = "__getSpecialProxyTarget";
const rawTarget = (props: unknown): unknown => (props !== null && typeof props === "object" ? ((props as Record<string, unknown>)[PROXY_TARGET] ?? props) : props);

/** What a rule cannot see (a FileAsset's bytes, a file a config includes but nothing delivers) blocks online too: a mandatory finding, never a pass. */
function refuseUnseen(e: unknown, report: (message: string) => void): void {
  if (e instanceof CannotJudge || (e instanceof Error && e.name === "CannotJudge")) report(`cannot judge: ${(e as CannotJudge).what}${(e as CannotJudge).where ? ` (${(e as CannotJudge).where})` : ""}`);
  else throw e;
}

/** The stack's reviewed exceptions as the pack applies them (index.ts reads them from the stack's config). */
export interface PackOptions {
  exceptions: readonly PolicyException[];
  /** YYYY-MM-DD (UTC); today by default. */
  today?: string;
}

/**
 * A report that turns a finding an active exception covers into an advisory one carrying the exception,
 * exactly as the offline judge reports it (exceptedMessage); every other finding goes through unchanged.
 */
function exceptingReport(rule: Rule, report: ReportViolation, opts: PackOptions, nameOf: (urn: string) => string): (message: string, urn: string) => void {
  const description = common(rule).description;
  return (message, urn) => {
    const e = activeException(opts.exceptions, rule.name, urn, nameOf(urn), opts.today ?? todayUtc());
    if (!e) return urn ? report(message, urn) : report(message);
    // @pulumi/policy's server (1.21.0 server.js makeReportViolationFun) also takes one object with its own level; its typings omit it.
    const reportWithLevel = report as unknown as (v: { message: string; urn?: string; enforcementLevel: "advisory" }) => void;
    reportWithLevel({ message: `${description}\n${exceptedMessage(e, message)}`, urn: urn || undefined, enforcementLevel: "advisory" });
  };
}

function resourcePolicy(rule: ResourceRule, opts: PackOptions): ResourceValidationPolicy {
  const validate = async (args: ResourceValidationArgs, outerReport: ReportViolation) => {
    const excepting = exceptingReport(rule, outerReport, opts, () => args.name);
    const report = (message: string) => excepting(message, args.urn);
    if (!coversType(rule, args.type)) args.notApplicable(`applies to ${rule.resourceTypes?.join(", ")}`);
    await resolveAssetViews(rawTarget(args.props));
    if (rule.appliesTo && !rule.appliesTo(args.type, args.props)) args.notApplicable("nothing on this resource for the rule to judge");
    try {
      for (const message of rule.validateResource(args.type, args.props, ruleConfig(rule, args.getConfig<Record<string, unknown>>()))) report(message);
    } catch (e) {
      refuseUnseen(e, report);
    }
  };
  // One type: let the SDK skip other resources without calling the policy (its __pulumiType fast path).
  const only = rule.resourceTypes?.length === 1 ? { __pulumiType: rule.resourceTypes[0] } : {};
  return { ...common(rule), validateResource: Object.assign(validate, only) };
}

function stackPolicy(rule: StackRule, opts: PackOptions): StackValidationPolicy {
  return {
    ...common(rule),
    validateStack: async (args: StackValidationArgs, outerReport: ReportViolation) => {
      const names = new Map(args.resources.map((r) => [r.urn, r.name]));
      const excepting = exceptingReport(rule, outerReport, opts, (urn) => names.get(urn) ?? "");
      const report = (message: string, urn?: string) => excepting(message, urn ?? "");
      if (!args.resources.some((r) => coversType(rule, r.type))) args.notApplicable(`the stack has no ${rule.resourceTypes?.join(", ")}`);
      for (const r of args.resources) await resolveAssetViews(rawTarget(r.props));
      const resources: StackResource[] = args.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.props,
        dependencies: r.dependencies.map((d) => d.urn),
        ...(r.provider ? { provider: { type: r.provider.type, urn: r.provider.urn, props: r.provider.props } } : {}),
      }));
      if (rule.appliesTo && !rule.appliesTo(resources)) args.notApplicable("nothing in the stack for the rule to judge");
      try {
        for (const v of rule.validateStack(resources, ruleConfig(rule, args.getConfig<Record<string, unknown>>()))) report(v.message, v.urn);
      } catch (e) {
        refuseUnseen(e, (m) => report(m));
      }
    },
  };
}

export function toPolicy(rule: Rule, opts: PackOptions = { exceptions: [] }): ResourceValidationPolicy | StackValidationPolicy {
  return rule.kind === "resource" ? resourcePolicy(rule, opts) : stackPolicy(rule, opts);
}

/** The config's own check: each expired exception is a mandatory finding naming it (the offline judge reports the same). */
function exceptionsPolicy(opts: PackOptions): StackValidationPolicy {
  return {
    name: EXCEPTIONS_RULE,
    description: "Reviewed exceptions (clawkeep:policyExceptions) are current.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: EXCEPTIONS_REMEDIATION,
    validateStack: (_args: StackValidationArgs, report: ReportViolation) => {
      for (const message of expiredFindings(opts.exceptions, opts.today ?? todayUtc())) report(message);
    },
  };
}

/** Every policy of the pack, given the stack's reviewed exceptions. */
export function packPolicies(opts: PackOptions = { exceptions: [] }): Policies {
  return [...RULES.map((r) => toPolicy(r, opts)), exceptionsPolicy(opts)];
}

export const policies: Policies = packPolicies();
