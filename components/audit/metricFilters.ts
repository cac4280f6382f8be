// The security signals of a cell as data: which log line counts as what metric, and when a metric
// alarms. Pure, so the patterns are tested against real log lines (the pinned gateway's, a real
// proxy's) and the components only turn these specs into resources.
import type { StackModel } from "../../stacks/schema";
import { PROVIDER_HOSTS } from "../../stacks/trustLevels";
import { AUDIT_KEYS, METRICS, type AuditLogGroupNames } from "./names";
import type { AlarmThresholds } from "../../stacks/audit";
import { EGRESS_DENIED_PATTERN, EGRESS_SNI_REFUSED_PATTERN, EGRESS_UNCHECKED_PATTERN } from "../netsandbox/egressProxy";

// The egress proxy's patterns live with its log format (components/netsandbox/egressProxy.ts).
export { EGRESS_DENIED_PATTERN, EGRESS_SNI_REFUSED_PATTERN, EGRESS_UNCHECKED_PATTERN };
import type { CommandPolicy } from "../../stacks/trustLevels";

/**
 * OpenClaw 2026.9.6 logs a rejected WebSocket handshake (wrong token, rate-limited caller) at WARN
 * as `unauthorized conn=<id> ... reason=token_mismatch ...` in its JSON file log (message-handler
 * rejectUnauthorized). HTTP 401s (/tools/invoke, /v1/*) are not logged by the gateway at all.
 */
export const GATEWAY_AUTH_FAILURE_PATTERN = '{ $.message = "unauthorized conn=*" }';

/** auditd's SYSCALL record names its rule's key as key="..."; only that record carries it, once per event. */
export function auditKeyPattern(key: string): string {
  return `"key=\\"${key}\\""`;
}

/** A gateway credential opened for reading by a user other than the gateway's and root (its token helper, systemd). */
export const CREDENTIAL_READ_PATTERN = auditKeyPattern(AUDIT_KEYS.credentialReadByOther);
/** A program started by the agent's commands (the node host's user, not the unit's own start). */
export const AGENT_EXEC_PATTERN = auditKeyPattern(AUDIT_KEYS.agentExec);

/**
 * One model API tunnel through the proxy: squid logs each CONNECT when it closes, as
 * `TCP_TUNNEL/200 ... CONNECT api.anthropic.com:443`. The gateway writes no per-request line, so
 * tunnels are the countable unit; HTTP keep-alive can carry several requests in one tunnel.
 */
export function modelApiPattern(host: string, port = 443): string {
  return `"TCP_TUNNEL" "CONNECT ${host}:${port}"`;
}

export interface MetricFilterSpec {
  /** Resource-name suffix. */
  id: string;
  logGroup: keyof AuditLogGroupNames;
  pattern: string;
  metricName: string;
}

export function metricFilterSpecs(model: StackModel): MetricFilterSpec[] {
  const hosts = model.providers.flatMap((p) => PROVIDER_HOSTS[p]);
  return [
    { id: "gateway-auth-failures", logGroup: "gateway", pattern: GATEWAY_AUTH_FAILURE_PATTERN, metricName: METRICS.gatewayAuthFailures },
    // Refused on the CONNECT line, and cut after the ClientHello (server name mismatch): one metric, two filters.
    { id: "egress-denied", logGroup: "egressProxy", pattern: EGRESS_DENIED_PATTERN, metricName: METRICS.egressDenied },
    { id: "egress-sni-refused", logGroup: "egressProxy", pattern: EGRESS_SNI_REFUSED_PATTERN, metricName: METRICS.egressDenied },
    { id: "egress-unchecked", logGroup: "egressProxy", pattern: EGRESS_UNCHECKED_PATTERN, metricName: METRICS.egressUnchecked },
    { id: "gateway-credential-reads", logGroup: "hostAudit", pattern: CREDENTIAL_READ_PATTERN, metricName: METRICS.gatewayCredentialReads },
    ...(model.capabilities.commands !== "none" ? [{ id: "agent-executions", logGroup: "hostAudit" as const, pattern: AGENT_EXEC_PATTERN, metricName: METRICS.agentExecutions }] : []),
    // One filter per provider host, all adding to one metric: term patterns cannot AND an OR-group.
    ...hosts.map((host) => ({ id: `model-api-${host.replace(/\./g, "-")}`, logGroup: "egressProxy" as const, pattern: modelApiPattern(host), metricName: METRICS.modelApiConnections })),
  ];
}

export type AlarmComparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";

export interface AlarmSpec {
  id: string;
  description: string;
  metricName: string;
  statistic: "Sum" | "Minimum";
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: AlarmComparison;
  /** No data: quiet for counters; for the health metric silence means the host or its timer is down. */
  treatMissingData: "notBreaching" | "breaching";
}

export function alarmSpecs(t: AlarmThresholds, commands: CommandPolicy): AlarmSpec[] {
  const agent: AlarmSpec[] =
    commands === "none"
      ? []
      : [
          commands === "approved-ask"
            ? {
                id: "agent-executions",
                description: "The agent's commands started a program (level 2 alarms on every one; see the host-audit log group, key agent-exec)",
                metricName: METRICS.agentExecutions,
                statistic: "Sum",
                periodSeconds: 300,
                evaluationPeriods: 1,
                threshold: 1,
                comparison: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
              }
            : {
                id: "agent-executions",
                description: `The agent's commands started more than ${t.agentExecsPer5Min} programs in 5 minutes (host-audit log group, key agent-exec)`,
                metricName: METRICS.agentExecutions,
                statistic: "Sum",
                periodSeconds: 300,
                evaluationPeriods: 1,
                threshold: t.agentExecsPer5Min,
                comparison: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
              },
        ];
  return [
    {
      id: "gateway-credential-read",
      description: "A gateway credential (token or provider key) was opened by a user other than the gateway's and root (host-audit log group, key gateway-credential-read)",
      metricName: METRICS.gatewayCredentialReads,
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    },
    ...agent,
    {
      id: "gateway-auth-failures",
      description: `More than ${t.authFailuresPer10Min} failed gateway authentications in 10 minutes`,
      metricName: METRICS.gatewayAuthFailures,
      statistic: "Sum",
      periodSeconds: 600,
      evaluationPeriods: 1,
      threshold: t.authFailuresPer10Min,
      comparison: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
    {
      id: "egress-denied",
      description: `The egress proxy refused ${t.egressDeniedPer5Min} or more requests in 5 minutes (a name off the allowlist, or a TLS server name other than the CONNECT name)`,
      metricName: METRICS.egressDenied,
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: t.egressDeniedPer5Min,
      comparison: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    },
    {
      id: "egress-unchecked",
      description: "The egress proxy tunnelled a CONNECT without reading its TLS server name (squid lost its TLS setup), or its start-up self-check caught it doing so",
      metricName: METRICS.egressUnchecked,
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    },
    {
      id: "model-api-use",
      description: `More than ${t.modelApiConnectionsPerHour} model API connections in an hour`,
      metricName: METRICS.modelApiConnections,
      statistic: "Sum",
      periodSeconds: 3600,
      evaluationPeriods: 1,
      threshold: t.modelApiConnectionsPerHour,
      comparison: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
    {
      id: "gateway-unhealthy",
      description: `The gateway's /healthz failed for ${t.unhealthyMinutes} minutes (or the host stopped reporting)`,
      metricName: METRICS.gatewayHealthy,
      statistic: "Minimum",
      periodSeconds: 60,
      evaluationPeriods: t.unhealthyMinutes,
      threshold: 1,
      comparison: "LessThanThreshold",
      treatMissingData: "breaching",
    },
    {
      id: "changes-outside-business-hours",
      description: "A configuration change to the kit's AWS services outside business hours (see the changes log group for who and what)",
      metricName: METRICS.changesOutsideBusinessHours,
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    },
  ];
}
