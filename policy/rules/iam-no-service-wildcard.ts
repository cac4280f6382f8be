// Protects: the account. "ssm:*" (or any "service:*") on Resource "*" hands over a whole service: for
// SSM that includes running any command as root on every managed host (AWS-RunShellScript); for IAM,
// KMS or CloudTrail, granting oneself more, reading every key, or stopping the audit trail.
// Checklist: "Role-based access control implemented"; best practice 4, strict access controls.
// Fix: list the actions the identity needs and scope them to its resources (ARN prefixes, tags).
import { identityPolicies, IAM_POLICY_TYPES } from "../lib/iam";
import { label } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

const SERVICE_WIDE = /^[a-z0-9-]+:\*$/i;

export const iamNoServiceWildcard: ResourceRule = {
  kind: "resource",
  name: "iam-no-service-wildcard",
  description: 'No IAM policy allows a whole service ("ssm:*", "iam:*", ...) on Resource "*".',
  protects: "the account from an identity that administers whole services (shell on every host, IAM, keys, the audit trail)",
  checklistItems: ["role-based-access", "strict-allowlists"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: 'Name the actions the identity needs (not "service:*") and scope them to its own resources: ARN prefixes, resource tags, or a path.',
  resourceTypes: IAM_POLICY_TYPES,
  validateResource(type, props) {
    return identityPolicies(type, props).flatMap(({ where, doc }) => {
      if (doc.error) return [];
      return doc.statements.flatMap((s, i) => {
        if (s.effect !== "Allow" || !s.resources.includes("*")) return [];
        const wide = s.actions.filter((a) => SERVICE_WIDE.test(a));
        return wide.length > 0 ? [`${where} ${label(s, i)} allows ${wide.join(", ")} on Resource "*"`] : [];
      });
    });
  },
};
