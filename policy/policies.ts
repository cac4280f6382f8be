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

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  const validate = async (args: ResourceValidationArgs, report: ReportViolation) => {
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

function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    ...common(rule),
    validateStack: async (args: StackValidationArgs, report: ReportViolation) => {
      if (!args.resources.some((r) => coversType(rule, r.type))) args.notApplicable(`the stack has no ${rule.resourceTypes?.join(", ")}`);
      for (const r of args.resources) await resolveAssetViews(rawTarget(r.props));
      const resources: StackResource[] = args.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.props,
        dependencies: r.dependencies.map((d) => d.urn),
      }));
      try {
        for (const v of rule.validateStack(resources, ruleConfig(rule, args.getConfig<Record<string, unknown>>()))) report(v.message, v.urn);
      } catch (e) {
        refuseUnseen(e, (m) => report(m));
      }
    },
  };
}

export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  return rule.kind === "resource" ? resourcePolicy(rule) : stackPolicy(rule);
}

export const policies: Policies = RULES.map(toPolicy);
