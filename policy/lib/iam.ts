// Where IAM identity policies sit in a Pulumi program: Policy, RolePolicy, UserPolicy, GroupPolicy,
// and a Role's inline policies.
import { parsePolicy, type ParsedPolicy } from "./policyDoc";
import { asArray, isRecord } from "./values";

export const IAM_POLICY_TYPES = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
  "aws:iam/role:Role",
] as const;

export function identityPolicies(type: string, props: Record<string, unknown>): Array<{ where: string; doc: ParsedPolicy }> {
  if (type === "aws:iam/role:Role") {
    return asArray(props.inlinePolicies).flatMap((p, i) =>
      isRecord(p) && p.policy !== undefined ? [{ where: `inlinePolicies[${i}]${typeof p.name === "string" ? ` (${p.name})` : ""}`, doc: parsePolicy(p.policy) }] : [],
    );
  }
  return props.policy === undefined ? [] : [{ where: "policy", doc: parsePolicy(props.policy) }];
}
