// Protects: every secret in the account. secretsmanager:GetSecretValue on Resource "*" lets the
// identity (the agent host) read all secrets, not only its own.
// Checklist: "API keys stored in ... secrets manager" (read only what you own); best practice 4.
// Fix: list the secrets' ARNs in Resource.
import { identityPolicies, IAM_POLICY_TYPES } from "../lib/iam";
import { globMatch, grantsAction, label } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

/**
 * Does the pattern cover every secret (of an account)? It does when it also matches a secret name
 * nobody would choose: "*", "arn:aws:secretsmanager:*:*:secret:*", "arn:aws:secretsmanager:*" ...
 */
function coversAllSecrets(resource: string): boolean {
  if (resource === "*") return true;
  const parts = resource.split(":");
  if (parts.length < 3 || !globMatch(parts[2], "secretsmanager")) return false;
  const concrete = (i: number, fallback: string) => (parts[i] === undefined ? fallback : parts[i].replace(/[*?]/g, "x") || fallback);
  const probe = `arn:${concrete(1, "aws")}:secretsmanager:${concrete(3, "us-east-1")}:${concrete(4, "123456789012")}:secret:zz-unnamed-probe-Q1w2E3`;
  return globMatch(resource, probe);
}

export const iamNoSecretReadWildcard: ResourceRule = {
  kind: "resource",
  name: "iam-no-secret-read-wildcard",
  description: 'No IAM policy allows secretsmanager:GetSecretValue (directly or through a wildcard) on every secret (Resource "*").',
  protects: "secrets the identity has no business reading",
  checklistItems: ["api-keys-in-secret-store", "strict-allowlists", "role-based-access"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Put the ARNs of the secrets the identity needs in Resource (a trailing -?????? or * after the name is fine).",
  resourceTypes: IAM_POLICY_TYPES,
  validateResource(type, props) {
    return identityPolicies(type, props).flatMap(({ where, doc }) => {
      if (doc.error) return [];
      return doc.statements.flatMap((s, i) => {
        if (!grantsAction(s, "secretsmanager:GetSecretValue")) return [];
        // Action "*" on "*" is iam-no-wildcard-admin's finding; do not report it twice.
        if (s.resources.includes("*") && (s.actions.some((a) => a === "*" || a === "*:*") || s.notActions.length > 0)) return [];
        const wide = s.resources.filter(coversAllSecrets);
        return wide.length > 0 ? [`${where} ${label(s, i)} allows secretsmanager:GetSecretValue on ${wide.join(", ")}`] : [];
      });
    });
  },
};
