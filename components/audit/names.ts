// Names shared by the host's CloudWatch agent config, the log groups, the metric filters and the
// alarms: one place, so a renamed group can never leave a filter watching nothing.

/** Log groups of one cell; the stack and cell in the name keep several cells in one account apart. */
export interface AuditLogGroupNames {
  /** The gateway's own JSON log lines, from the journal by its unit (/var/log/clawkeep-gateway/gateway.log). */
  gateway: string;
  /** The egress proxy's access log (refusals, model API tunnels). */
  egressProxy: string;
  /** The host's auth log (PAM, sudo, su). */
  hostAuth: string;
  /** auditd's log (config/credential watches, the service user's executions). */
  hostAudit: string;
  /** SSM Session Manager transcripts. */
  sessions: string;
  /** The out-of-hours change detector's own log: who changed what, when. */
  changes: string;
}

export function auditLogGroupNames(stack: string, cellName: string): AuditLogGroupNames {
  const prefix = `/clawkeep/${stack}/${cellName}`;
  return {
    gateway: `${prefix}/gateway`,
    egressProxy: `${prefix}/egress-proxy`,
    hostAuth: `${prefix}/host-auth`,
    hostAudit: `${prefix}/host-audit`,
    sessions: `${prefix}/ssm-sessions`,
    changes: `${prefix}/changes`,
  };
}

/** Custom metrics of one cell. Metric filters cannot add fixed dimensions, so the cell is in the namespace. */
export function metricNamespace(stack: string, cellName: string): string {
  return `clawkeep/${stack}/${cellName}`;
}

export const METRICS = {
  gatewayAuthFailures: "GatewayAuthFailures",
  egressDenied: "EgressDenied",
  egressUnchecked: "EgressUnchecked",
  modelApiConnections: "ModelApiConnections",
  gatewayHealthy: "GatewayHealthy",
  changesOutsideBusinessHours: "ChangesOutsideBusinessHours",
  gatewayCredentialReads: "GatewayCredentialReadsByOthers",
  agentExecutions: "AgentExecutions",
} as const;

/** auditd keys the host's rules tag records with and the metric filters count (one home for both). */
export const AUDIT_KEYS = {
  /** A gateway-owned file (credential, state, log) opened by another user than the gateway's and root. */
  credentialReadByOther: "gateway-credential-read",
  /** A program started by the agent's commands. */
  agentExec: "agent-exec",
} as const;
