// Protects: the record of what the agent did. A gateway's own log lives on a replaceable host that the
// agent (or whoever takes it over) can edit or lose; an audit trail must leave the host.
// Question: does an agent host (user data that installs or runs OpenClaw, or an ECS service running an
// OpenClaw image) run without audit logging that leaves it? Accepted, any of: a log shipper configured on
// the host (the CloudWatch agent with a logs section, Fluent Bit, Vector, rsyslog or journald
// forwarding, an OpenTelemetry collector, a Docker or ECS log driver; an agent baked into the image that the
// user data starts with a config the program does not hold cannot be judged); a CloudTrail trail in the program that is
// logging write management events (who used the host, its role and its secrets, not the agent's tool
// calls: the OpenClaw-config rules judge the gateway's own audit settings). A trail switched off counts
// for nothing and is itself a finding; a trail whose selectors drop write management events (read-only,
// or data events only) counts for nothing. A local log file, or a log group nothing may write to, is not audit logging,
// and neither is a role that MAY write logs: a permission ships nothing (decided in round 2; nothing on the host uses it).
// Checklist: "Comprehensive audit logging configured"; best practice 6, monitoring.
// Fix: ship the host's logs with the CloudWatch agent (a logs section) to a KMS-encrypted log group kept >= 90 days, and keep a CloudTrail trail logging.
import { AGENT_HOST_TYPES, AUDIT, agentHosts, recordsWriteManagementEvents, roleWritesLogs, shipping } from "../lib/auditTrail";
import { UNKNOWN } from "../lib/references";
import { at, flag, known, label, stackIndex, throwBlind } from "../lib/stackIndex";
import type { StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";

export const agentHostAuditLogging: StackRule = {
  kind: "stack",
  name: "agent-host-audit-logging",
  description:
    "Every agent host (user data that installs or runs OpenClaw, or an ECS service running an OpenClaw image) has audit logging that leaves the host: a log shipper configured on it (CloudWatch agent logs, Fluent Bit, Vector, rsyslog/journald forwarding, OpenTelemetry, a Docker or ECS log driver), or a CloudTrail trail in the program that is logging write management events (a read-only or data-events-only trail does not count); no trail of the program is switched off. A local file, a log group, or a role that may write CloudWatch Logs with nothing on the host that writes, does not count.",
  protects: "the audit trail of the agent's actions from being lost with, or edited on, the host",
  checklistItems: ["audit-logging", "monitoring-maintenance"],
  judges: "hosts whose user data installs or runs OpenClaw, ECS services running an OpenClaw image",
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Run the CloudWatch agent with a logs section (collect_list of the gateway's and the host's logs) into a KMS-encrypted log group kept at least 90 days, and give the instance role logs:PutLogEvents on it; keep a CloudTrail trail with enableLogging true that records write management events (no event selectors, or readWriteType All with includeManagementEvents).",
  resourceTypes: [...AGENT_HOST_TYPES, AUDIT.trail],
  appliesTo(resources) {
    return agentHosts(stackIndex(resources)).length > 0;
  },
  validateStack(resources) {
    const index = stackIndex(resources);
    const hosts = agentHosts(index);
    if (hosts.length === 0) return [];
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    const trails = index.of(AUDIT.trail);
    const logging = trails.filter((t) => flag(known(at(t.props, "enableLogging"))) !== false);
    // Only a trail that records who changed what (write management events) audits the host's role.
    const auditing = logging.filter((t) => recordsWriteManagementEvents(t.props) === true);
    const unseenSelectors = logging.find((t) => recordsWriteManagementEvents(t.props) === UNKNOWN);
    for (const t of trails) {
      if (!logging.includes(t)) out.push({ urn: t.urn, message: `${label(t)}: enableLogging is false, so the trail records nothing for the ${hosts.length === 1 ? `agent host (${hosts[0].what})` : `${hosts.length} agent hosts`}` });
    }
    for (const host of hosts) {
      const ships = shipping(index, host);
      if (ships.ships || auditing.length > 0) continue;
      const unseen = ships.unseen ?? (unseenSelectors ? `which events ${label(unseenSelectors)} records (its event selectors are not known yet)` : undefined);
      if (unseen) {
        blind.push(new CannotJudge(unseen, host.what));
        continue;
      }
      const trailNote = logging.length > 0 ? ` (${logging.map(label).join(", ")} records no write management events)` : "";
      const mayWrite = roleWritesLogs(index, host);
      const roleNote = mayWrite ? ` (${mayWrite}, but nothing on the host writes there: a permission ships nothing)` : "";
      out.push({ urn: host.at.urn, message: `${host.what} runs OpenClaw, but nothing takes its logs off the host: no log shipper or log driver started on it${roleNote}, no CloudTrail trail that is logging write management events${trailNote}` });
    }
    throwBlind(blind);
    return out;
  },
};
