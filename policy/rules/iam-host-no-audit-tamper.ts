// Protects: the audit trail from the agent it records. A role an EC2 host can use (the role of an
// instance profile in the program) that may stop or reconfigure CloudTrail, delete or shorten the logs,
// silence the alarms and rules watching them, disable the key that encrypts them or the detectors that
// read them, lets a compromised agent erase its own tracks, named actions or wildcards (cloudtrail:*,
// logs:Delete*) alike, from inline, attached, customer or AWS managed policies. A customer managed
// policy the program attaches but does not define only the account knows: the rule cannot judge it.
// Checklist: "Comprehensive audit logging configured"; "Role-based access control implemented".
// Fix: keep audit administration on an operator role; give the host only logs:CreateLogStream/PutLogEvents.
import { auditTamperGrants, judgeHostRoles, IAM_POLICY_TYPES, INSTANCE_PROFILE_TYPE, ROLE, USER, GROUP } from "../lib/iam";
import type { StackRule } from "../lib/types";

const INSTANCE_PROFILE = INSTANCE_PROFILE_TYPE;

export const iamHostNoAuditTamper: StackRule = {
  kind: "stack",
  name: "iam-host-no-audit-tamper",
  description:
    "No role an EC2 host can use (an instance profile's role) may stop, reconfigure or erase the audit trail: CloudTrail StopLogging/DeleteTrail/UpdateTrail/Put*Selectors, CloudWatch Logs deletes and retention changes, alarm and EventBridge rule silencing, KMS key deletion or disabling, Config/GuardDuty/Security Hub switch-offs, deletes or lifecycle rules on every S3 bucket.",
  protects: "the audit trail from the agent host it records",
  checklistItems: ["audit-logging", "role-based-access"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    "Take audit administration (cloudtrail:*, logs:Delete*/PutRetentionPolicy, cloudwatch:DeleteAlarms, kms:ScheduleKeyDeletion, ...) off the host's role and keep it on an operator role; the host needs only logs:CreateLogStream and logs:PutLogEvents on its own log group.",
  resourceTypes: [...IAM_POLICY_TYPES, ROLE, USER, GROUP, INSTANCE_PROFILE],
  validateStack(resources) {
    return judgeHostRoles(resources, auditTamperGrants, (role, found, grantedBy) => {
      const actions = found.map((f) => f.action);
      const shown = actions.length > 6 ? `${actions.slice(0, 6).join(", ")} and ${actions.length - 6} more` : actions.join(", ");
      const sources = [...new Set(found.map((f) => grantedBy(f.statement)))];
      return `role "${role}" is an EC2 host's instance role and may switch off or erase the audit trail: ${shown} (granted by ${sources.join("; ")})`;
    });
  },
};
