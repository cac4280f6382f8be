// What an operator tunes about auditing per stack: retention, alarm thresholds, business hours.
// Every value has a default and a limit; auditSettingsProblems names each value out of bounds.
import { LOG_RETENTION_DAYS } from "./limits";
import { DEFAULT_BUSINESS_HOURS, businessHoursProblems, type BusinessHours } from "./businessHours";

/** Thresholds an operator tunes per stack; every value has a default and a limit (see auditSettingsProblems). */
export interface AlarmThresholds {
  /** The guides: more than 5 failed logins in 10 minutes. */
  authFailuresPer10Min: number;
  /** Refused egress requests in 5 minutes that raise the alarm; 1 = every refusal. */
  egressDeniedPer5Min: number;
  /** Model API tunnels per hour above which use is "unusually high". */
  modelApiConnectionsPerHour: number;
  /** Consecutive failed one-minute /healthz checks before the alarm. */
  unhealthyMinutes: number;
  /**
   * Level 3: programs the agent's commands may start in 5 minutes before the alarm (each command is its
   * shell plus what it runs). Level 2 alarms on every one; levels 0 and 1 run no commands.
   */
  agentExecsPer5Min: number;
}

export interface AuditSettings {
  /** Retention of security events (auth, audit, sessions, changes); at least 90 days, 365 by default. */
  securityLogRetentionDays: number;
  /** Days CloudTrail log files stay in S3 before they expire; at least 365. */
  trailRetentionDays: number;
  alarms: AlarmThresholds;
  businessHours: BusinessHours;
}

export const DEFAULT_AUDIT_SETTINGS: AuditSettings = {
  securityLogRetentionDays: 365,
  trailRetentionDays: 365,
  alarms: { authFailuresPer10Min: 5, egressDeniedPer5Min: 1, modelApiConnectionsPerHour: 600, unhealthyMinutes: 3, agentExecsPer5Min: 100 },
  businessHours: DEFAULT_BUSINESS_HOURS,
};

/** Each setting outside its limits, as "key: given; allowed" lines; empty when all are valid. */
export function auditSettingsProblems(s: AuditSettings): string[] {
  const problems: string[] = [];
  const retention = LOG_RETENTION_DAYS as readonly number[];
  if (!retention.includes(s.securityLogRetentionDays)) {
    problems.push(`securityLogRetentionDays: ${s.securityLogRetentionDays}; allowed: a CloudWatch retention value of at least 90 (${retention.join(", ")})`);
  }
  if (!Number.isInteger(s.trailRetentionDays) || s.trailRetentionDays < 365 || s.trailRetentionDays > 3653) {
    problems.push(`trailRetentionDays: ${s.trailRetentionDays}; allowed: whole days from 365 to 3653`);
  }
  const limits: Array<[keyof AlarmThresholds, number, number]> = [
    ["authFailuresPer10Min", 1, 100],
    ["egressDeniedPer5Min", 1, 1000],
    ["modelApiConnectionsPerHour", 1, 1_000_000],
    ["unhealthyMinutes", 1, 60],
    ["agentExecsPer5Min", 1, 10_000],
  ];
  for (const [key, min, max] of limits) {
    const v = s.alarms[key];
    if (!Number.isInteger(v) || v < min || v > max) problems.push(`alarms.${key}: ${v}; allowed: a whole number from ${min} to ${max}`);
  }
  problems.push(...businessHoursProblems(s.businessHours).map((p) => `businessHours: ${p}`));
  return problems;
}
