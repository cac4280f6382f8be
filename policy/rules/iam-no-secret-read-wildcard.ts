// Protects: every secret in the account. secretsmanager:GetSecretValue on every secret lets the
// identity (the agent host, a function, a CI job) read all secrets, not only its own.
// Checklist: "API keys stored in ... secrets manager" (read only what you own); best practice 4.
// Fix: list the secrets' ARNs in Resource.
import { identityPolicies, IAM_POLICY_TYPES } from "../lib/iam";
import { adminGrant, grantOnAny, label } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

export const iamNoSecretReadWildcard: ResourceRule = {
  kind: "resource",
  name: "iam-no-secret-read-wildcard",
  description:
    "No identity policy allows secretsmanager:GetSecretValue (directly or through a wildcard) on every secret (Resource \"*\", arn:...:secret:*), inline or through an AWS managed policy such as SecretsManagerReadWrite.",
  protects: "secrets the identity has no business reading",
  checklistItems: ["api-keys-in-secret-store", "strict-allowlists", "role-based-access"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Put the ARNs of the secrets the identity needs in Resource (a trailing -?????? or * after the name is fine), or narrow by secretsmanager:ResourceTag; attach no managed policy that reads every secret.",
  resourceTypes: IAM_POLICY_TYPES,
  validateResource(type, props) {
    return identityPolicies(type, props).flatMap(({ where, doc }) => {
      if (doc.error) return [];
      const s = grantOnAny(doc.statements, "secretsmanager:GetSecretValue", "secretsmanager", "secret:zz-unnamed-probe-Q1w2E3");
      // Administrator access is iam-no-wildcard-admin's finding; do not report it twice.
      if (!s || s === adminGrant(doc.statements)) return [];
      const on = s.notResources.length > 0 ? `every secret except ${s.notResources.join(", ")}` : s.resources.join(", ");
      return [`${where} ${label(s, doc.statements.indexOf(s))} allows secretsmanager:GetSecretValue on ${on} (every secret of the account)`];
    });
  },
};
