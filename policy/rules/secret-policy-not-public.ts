// Protects: secrets from a resource policy that lets any AWS principal read them.
// Checklist: "API keys stored in environment variables or secrets manager" (the store must be closed).
// Fix: name the principals (the instance role, the rotation role), or add a condition such as aws:PrincipalAccount.
import { parseKnownPolicy, publicStatementMessages } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

export const secretPolicyNotPublic: ResourceRule = {
  kind: "resource",
  name: "secret-policy-not-public",
  description: 'No Secrets Manager resource policy allows Principal "*" (or everyone but a NotPrincipal) without a condition that pins the caller to a bounded account, organization, network or principal (a wildcard value pins nothing).',
  protects: "the secrets' values from every AWS account",
  checklistItems: ["api-keys-in-secret-store"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Replace Principal "*" with the roles that need the secret, or add a condition on aws:PrincipalAccount / aws:PrincipalOrgID / aws:SourceArn; keep blockPublicPolicy: true.',
  resourceTypes: ["aws:secretsmanager/secretPolicy:SecretPolicy", "aws:secretsmanager/secret:Secret"],
  validateResource(_type, props) {
    if (props.policy === undefined || props.policy === null) return [];
    const doc = parseKnownPolicy(props.policy, "the secret's resource policy");
    if (doc.error) return [`policy: ${doc.error}`];
    return publicStatementMessages(doc, "policy");
  },
};
