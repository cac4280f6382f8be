// Protects: log contents (tool calls, commands, paths, sometimes prompts) with a key the stack
// controls, so reading them needs kms:Decrypt as well as logs:GetLogEvents.
// Checklist: "Comprehensive audit logging configured"; best practice 6, monitoring.
// Fix: kmsKeyId on the log group (a KMS key whose policy lets logs.<region>.amazonaws.com use it).
import type { ResourceRule } from "../lib/types";

export const logGroupKmsEncrypted: ResourceRule = {
  kind: "resource",
  name: "log-group-kms-encrypted",
  description: "CloudWatch log groups are encrypted with a customer managed KMS key.",
  protects: "the confidentiality of the agent's audit logs",
  checklistItems: ["audit-logging"],
  severity: "medium",
  enforcementLevel: "mandatory",
  remediation: "Set kmsKeyId to a KMS key ARN whose key policy allows the CloudWatch Logs service principal for this region.",
  resourceTypes: ["aws:cloudwatch/logGroup:LogGroup"],
  validateResource(_type, props) {
    return typeof props.kmsKeyId === "string" && props.kmsKeyId !== "" ? [] : ["kmsKeyId is not set"];
  },
};
