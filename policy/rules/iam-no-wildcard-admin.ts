// Protects: the account. Action "*" on Resource "*" is administrator access: whoever holds the
// identity (an agent host, a Lambda) can do anything, including erasing the audit trail.
// Checklist: "Role-based access control implemented"; best practice 4, strict access controls.
// Fix: list the actions and resources the identity needs.
import { identityPolicies, IAM_POLICY_TYPES } from "../lib/iam";
import { label } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

export const iamNoWildcardAdmin: ResourceRule = {
  kind: "resource",
  name: "iam-no-wildcard-admin",
  description: 'No IAM policy (managed, inline or role-inline) allows Action "*" (or NotAction) on Resource "*".',
  protects: "the AWS account from an identity with unlimited power",
  checklistItems: ["role-based-access", "strict-allowlists"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: "Replace the wildcard with the specific actions and resource ARNs the identity needs (least privilege).",
  resourceTypes: IAM_POLICY_TYPES,
  validateResource(type, props) {
    return identityPolicies(type, props).flatMap(({ where, doc }) => {
      if (doc.error) return [`${where}: ${doc.error}`];
      return doc.statements.flatMap((s, i) => {
        if (s.effect !== "Allow" || !s.resources.includes("*")) return [];
        if (s.actions.some((a) => a === "*" || a === "*:*")) return [`${where} ${label(s, i)} allows Action "*" on Resource "*"`];
        if (s.notActions.length > 0) return [`${where} ${label(s, i)} allows everything except ${s.notActions.join(", ")} (NotAction) on Resource "*"`];
        return [];
      });
    });
  },
};
