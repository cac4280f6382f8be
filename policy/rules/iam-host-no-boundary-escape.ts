// Protects: the confinement of the agent's host from the agent. A role an EC2 host can use (the role of
// an instance profile in the program) that may replace a function's code or configuration, loosen a
// secret's or a key's policy, open its own security group, metadata service or route table, rewrite an
// identity's permissions, or pass any role to compute it can start, lets a compromised agent undo what
// the other rules enforce, even when each grant names one resource (its own secret, its own key, the
// rotation function, the CDK execution role) instead of "*". Action sets: policy/lib/iam.ts.
// Checklist: "Role-based access control implemented"; "Network restrictions in place"; best practice 4.
// Fix: keep these actions on an operator or pipeline role; the host reads its own secrets and writes its own logs, nothing more.
import { hostBoundaryGrants, judgeHostRoles, IAM_POLICY_TYPES, INSTANCE_PROFILE_TYPE, ROLE, USER, GROUP } from "../lib/iam";
import type { StackRule } from "../lib/types";

export const iamHostNoBoundaryEscape: StackRule = {
  kind: "stack",
  name: "iam-host-no-boundary-escape",
  description:
    "No role an EC2 host can use (an instance profile's role) may, on any resource including ones it names: change a Lambda function's code or configuration, put or delete a secret's resource policy (or re-route its rotation), put a KMS key policy or create grants, authorize security-group rules, change instance metadata options, instance or network-interface attributes or routes, associate addresses, write IAM policies, trust or boundaries, or iam:PassRole any role together with a way to run it (CloudFormation, Lambda, EC2, ECS, Glue, CodeBuild, ...).",
  protects: "the host's own confinement (secret and key policies, network, metadata service, roles) from the agent it confines",
  checklistItems: ["role-based-access", "network-restrictions"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    "Move deployment, key, secret-policy, network and IAM administration to an operator or pipeline role; the host's role keeps secretsmanager:GetSecretValue on its own secrets, kms:Decrypt through them, and logs:CreateLogStream/PutLogEvents on its own log group.",
  resourceTypes: [...IAM_POLICY_TYPES, ROLE, USER, GROUP, INSTANCE_PROFILE_TYPE],
  validateStack(resources) {
    return judgeHostRoles(resources, hostBoundaryGrants, (role, found, grantedBy) => {
      const sources = [...new Set(found.flatMap((f) => f.statements.map(grantedBy)))];
      return `role "${role}" is an EC2 host's instance role and may escape its confinement: ${found.map((f) => f.how).join("; ")} (granted by ${sources.join("; ")})`;
    });
  },
};
