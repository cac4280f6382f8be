// Protects: roles from being assumed by anyone. A trust policy with Principal "*" lets every AWS
// principal (any account) call sts:AssumeRole on it.
// Checklist: "Role-based access control implemented".
// Fix: trust the service (ec2.amazonaws.com, lambda.amazonaws.com) or the specific account/role ARN.
import { label, parsePolicy, principalIsEveryone } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

export const iamNoPublicTrust: ResourceRule = {
  kind: "resource",
  name: "iam-no-public-trust",
  description: 'No IAM role trusts Principal "*" (or {AWS: "*"}) in its assume-role policy.',
  protects: "the role's permissions from principals of any account",
  checklistItems: ["role-based-access"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Name the trusted principal: a service such as "ec2.amazonaws.com", or an account/role ARN (with sts:ExternalId for third parties).',
  resourceTypes: ["aws:iam/role:Role"],
  validateResource(_type, props) {
    if (props.assumeRolePolicy === undefined) return [];
    const doc = parsePolicy(props.assumeRolePolicy);
    if (doc.error) return [`assumeRolePolicy: ${doc.error}`];
    return doc.statements.flatMap((s, i) =>
      s.effect === "Allow" && (principalIsEveryone(s.principal) || s.hasNotPrincipal)
        ? [`assumeRolePolicy ${label(s, i)} trusts ${s.hasNotPrincipal ? "everyone but NotPrincipal" : 'Principal "*"'}`]
        : [],
    );
  },
};
