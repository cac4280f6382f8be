// Protects: the audit trail. Security-relevant events must be kept at least 90 days (the guide's
// minimum) so an incident can still be investigated when it is found.
// Checklist: "Comprehensive audit logging configured"; best practice 6, monitoring.
// Fix: retentionInDays of 90 or more (or 0/unset: never expire) on every log group.
import type { ResourceRule } from "../lib/types";

export const logGroupRetention: ResourceRule = {
  kind: "resource",
  name: "log-group-retention",
  description: "CloudWatch log groups keep events for at least minRetentionDays (unset or 0 keeps them forever).",
  protects: "the audit trail needed to investigate an incident",
  checklistItems: ["audit-logging", "monitoring-maintenance"],
  severity: "medium",
  enforcementLevel: "mandatory",
  remediation: "Set retentionInDays to 90 or more (CloudWatch accepts 90, 120, 150, 180, 365, ...).",
  configSchema: {
    minRetentionDays: { type: "integer", default: 90, minimum: 1, maximum: 3653, description: "Shortest allowed log retention, in days." },
  },
  resourceTypes: ["aws:cloudwatch/logGroup:LogGroup"],
  validateResource(_type, props, config) {
    const days = props.retentionInDays;
    if (days === undefined || days === null || days === 0) return [];
    return typeof days === "number" && days >= config.minRetentionDays
      ? []
      : [`retentionInDays is ${String(days)}; at least ${config.minRetentionDays} days are required`];
  },
};
