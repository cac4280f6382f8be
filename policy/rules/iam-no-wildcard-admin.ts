// Protects: the account. An identity that may do every action of (almost) every service on every
// resource is an administrator: whoever holds it (an agent host, a Lambda, a CI job, an operator's
// group) can do anything, including erasing the audit trail.
// Checklist: "Role-based access control implemented"; best practice 4, strict access controls.
// Fix: list the actions and resources the identity needs.
import { identityPolicies, IAM_POLICY_TYPES } from "../lib/iam";
import { adminGrant, label } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

export const iamNoWildcardAdmin: ResourceRule = {
  kind: "resource",
  name: "iam-no-wildcard-admin",
  description:
    'No identity policy grants administrator access: Action "*" (or "*:*", or NotAction) on every resource (Resource "*", NotResource, "arn:*"), written inline, in a customer managed policy, or attached as an AWS managed policy (AdministratorAccess, PowerUserAccess, ...) to any role, user, group or permission set.',
  protects: "the AWS account from an identity with unlimited power",
  checklistItems: ["role-based-access", "strict-allowlists"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: "Replace the wildcard (or the administrator managed policy) with the specific actions and resource ARNs the identity needs (least privilege).",
  resourceTypes: IAM_POLICY_TYPES,
  validateResource(type, props) {
    return identityPolicies(type, props).flatMap(({ where, doc }) => {
      if (doc.error) return [`${where}: ${doc.error}`];
      const s = adminGrant(doc.statements);
      if (!s) return [];
      const i = doc.statements.indexOf(s);
      const what = s.notActions.length > 0 ? `every action except ${s.notActions.join(", ")} (NotAction)` : `Action ${s.actions.map((a) => JSON.stringify(a)).join(", ")}`;
      const on = s.notResources.length > 0 ? `every resource except ${s.notResources.join(", ")} (NotResource)` : "every resource";
      return [`${where} ${label(s, i)} allows ${what} on ${on}: administrator access`];
    });
  },
};
