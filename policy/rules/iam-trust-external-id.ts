// Protects: roles trusted by another AWS account from the confused deputy. A trust policy that lets
// another account (its root, one of its roles or users, or its bare account id) assume a role without
// an sts:ExternalId condition lets anyone who can make that account act (a vendor's other customers,
// through the vendor) reach the role; an aws:PrincipalOrgID/OrgPaths condition binds it too. "Another"
// is any account but the one the program deploys to: the account of the ARNs the program's own resources
// get, or before they exist the account a KMS key policy of the program gives its root; else it cannot judge.
// Checklist: "Role-based access control implemented"; best practice 4, strict access controls.
// Fix: add Condition StringEquals sts:ExternalId (the value the third party gave you) to the statement.
import { ownAccounts, ROLE } from "../lib/iam";
import { conditionEntries, coversAction, label, parseKnownPolicy, positiveConditionValues, whoRestrictions, type Statement } from "../lib/policyDoc";
import type { StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";

const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];

/** The 12-digit account an AWS principal names: a bare id, or an iam/sts ARN's account; undefined for "*" and services. */
export function principalAccount(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}


/**
 * The condition that binds a cross-account trust: a literal sts:ExternalId, or the caller's organization.
 * aws:PrincipalAccount binds nothing here: it is the trusted account itself, confused deputy and all.
 */
function bound(s: Statement): boolean {
  const externalId = positiveConditionValues(s, "sts:ExternalId").some((t) => t.values.length > 0 && t.values.every((v) => v !== "" && !v.includes("${") && !(t.wildcards && /^[*?]+$/.test(v))));
  if (externalId) return true;
  return whoRestrictions(s).some((e) => /^aws:principal(orgid|orgpaths)$/i.test(e.key));
}

export const iamTrustExternalId: StackRule = {
  kind: "stack",
  name: "iam-trust-external-id",
  description:
    "No IAM role lets another AWS account (its root, a role or user ARN, or its account id) assume it without a literal sts:ExternalId condition (or an aws:PrincipalOrgID/PrincipalOrgPaths condition): the confused deputy.",
  protects: "roles trusted by a third party's account from everyone else that third party acts for",
  checklistItems: ["role-based-access", "strict-allowlists"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    'Add "Condition": {"StringEquals": {"sts:ExternalId": "<the id the third party gave you>"}} to the trust statement (or bind it to your organization with aws:PrincipalOrgID); trust only your own account where no third party is meant.',
  resourceTypes: [ROLE],
  validateStack(resources) {
    const roles = resources.filter((r) => r.type === ROLE && r.props.assumeRolePolicy !== undefined);
    const out: StackViolation[] = [];
    let own: Set<string> | undefined;
    for (const role of roles) {
      const doc = parseKnownPolicy(role.props.assumeRolePolicy, `the trust policy of role ${role.name}`);
      doc.statements.forEach((s, i) => {
        if (s.effect !== "Allow" || s.principal === undefined || s.principal === "*" || !ASSUME_ACTIONS.some((a) => coversAction(s, a))) return;
        const accounts = [...new Set((s.principal.AWS ?? []).map(principalAccount).filter((a): a is string => a !== undefined))];
        if (accounts.length === 0 || bound(s)) return;
        own ??= ownAccounts(resources);
        if (own.size === 0) throw new CannotJudge(`whether account ${accounts.join(", ")} trusted by role ${role.name} is the stack's own: no ARN of the program's resources is known yet`);
        const foreign = accounts.filter((a) => !own?.has(a));
        if (foreign.length === 0) return;
        const conditions = conditionEntries(s).length > 0 ? " (its conditions bind neither an sts:ExternalId nor the caller's organization)" : "";
        out.push({ urn: role.urn, message: `role "${role.name}" trust ${label(s, i)} lets account ${foreign.join(", ")} (not this stack's account) assume it with no sts:ExternalId condition${conditions}` });
      });
    }
    return out;
  },
};
