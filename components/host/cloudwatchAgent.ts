// Host files for auditing: the CloudWatch agent's config (which logs ship to which KMS-encrypted
// group), auditd rules (config and credential watches, the service user's executions), and a timer
// that publishes the gateway's /healthz result as a metric; plus where the signed agent .deb comes
// from. Pure: shellcheck, systemd-analyze and the agent's published JSON schema judge this text.
import { AUDIT_KEYS, type AuditLogGroupNames } from "../audit/names";
import { AGENT_NODE_UNIT, AGENT_USER, GATEWAY_UNIT, PATHS, SERVICE_USER, TOKEN_UNIT, WORK_GROUP } from "../base/layout";
import type { HostFile } from "../base/hostFile";
import { KERNEL_PROTECTIONS, ROOT_HELPER_RESTRICTIONS } from "../base/sandboxDirectives";

export const CWAGENT_CONFIG_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json";
/** Squid's default access log; the egress-proxy issue must write refusals here (or change this path). */
export const EGRESS_PROXY_ACCESS_LOG = "/var/log/squid/access.log";
/** Debian's rsyslog writes auth and authpriv here; rsyslog is not in Debian 12's cloud image by default. */
export const HOST_AUTH_LOG = "/var/log/auth.log";
export const HOST_AUDIT_LOG = "/var/log/audit/audit.log";
export const AUDIT_RULES_PATH = "/etc/audit/rules.d/50-clawkeep.rules";
/** augenrules loads rules.d in name order; the immutable flag must come last. */
export const AUDIT_FINALIZE_PATH = "/etc/audit/rules.d/99-clawkeep-finalize.rules";
export const HEALTH_SCRIPT = `${PATHS.libexecDir}/publish-gateway-health`;
export const HEALTH_SERVICE = "clawkeep-gateway-health.service";
export const HEALTH_TIMER = "clawkeep-gateway-health.timer";
export const CWAGENT_CTL = "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl";

/**
 * The gateway's audit trail as CloudWatch receives it: the gateway's own JSON lines from the journal, where
 * journald stamps each with the unit it came from (_SYSTEMD_UNIT, from the sender's cgroup: no process of
 * another unit can claim it), copied by a root-owned shipper into a directory only root can write. The
 * gateway's file log in /var/log/openclaw is no longer what the alarms read.
 */
export const GATEWAY_JOURNAL_UNIT = "clawkeep-gateway-journal.service";
export const GATEWAY_AUDIT_LOG_DIR = "/var/log/clawkeep-gateway";
export const GATEWAY_AUDIT_LOG = `${GATEWAY_AUDIT_LOG_DIR}/gateway.log`;
export const GATEWAY_AUDIT_LOGROTATE = "/etc/logrotate.d/clawkeep-gateway";


/**
 * AWS signs the agent's .deb (detached `.sig` beside it) with one key; its fingerprint is in AWS's
 * docs ("Verify the signature of the CloudWatch agent package"). The .deb is installed the way the
 * SSM agent is: gpgv must find one good signature whose primary key is this fingerprint.
 */
/** Pinned agent release (reads files; the kit ships files, not journald). */
export const CWAGENT_VERSION = "1.300040.0b650";
export const CWAGENT_SIGNER_FINGERPRINT = "937616F3450B7D806CBD9725D58167303B789C72";
/** AWS's copy of that public key; it is trusted only through the fingerprint above. */
export const CWAGENT_KEY_URL = "https://amazoncloudwatch-agent.s3.amazonaws.com/assets/amazon-cloudwatch-agent.gpg";

export interface AuditHostInput {
  names: AuditLogGroupNames;
  /** The level runs agent commands (a node host as AGENT_USER): their executions are audited too. */
  agentCommands: boolean;
  /** The cell's custom-metric namespace (metricNamespace()). */
  namespace: string;
  healthMetric: string;
  gatewayPort: number;
}

/** What ships where. The groups exist already (Pulumi made them KMS-encrypted), so the agent never creates one. */
export function renderCloudWatchAgentConfig(input: Pick<AuditHostInput, "names" | "namespace">) {
  const { names } = input;
  const file = (filePath: string, group: string) => ({ file_path: filePath, log_group_name: group, log_stream_name: "{instance_id}", timezone: "UTC" as const });
  return {
    agent: { metrics_collection_interval: 60, run_as_user: "root", logfile: "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log" },
    metrics: {
      namespace: input.namespace,
      append_dimensions: { InstanceId: "${aws:InstanceId}" },
      metrics_collected: {
        mem: { measurement: ["mem_used_percent"] },
        disk: { measurement: ["used_percent"], resources: ["/"] },
        swap: { measurement: ["swap_used_percent"] },
      },
    },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            file(GATEWAY_AUDIT_LOG, names.gateway),
            file(EGRESS_PROXY_ACCESS_LOG, names.egressProxy),
            file(HOST_AUTH_LOG, names.hostAuth),
            file(HOST_AUDIT_LOG, names.hostAudit),
          ],
        },
      },
      force_flush_interval: 5,
    },
  };
}

/** auditd rules: -w watches paths, -a always,exit logs syscalls; -k tags each record for searching. */
export function renderAuditRules(agentCommands: boolean): string {
  return [
    "## clawkeep: who touched the gateway's config, credentials and runtime, and what the service user ran.",
    `-w ${PATHS.configDir}/ -p wa -k openclaw-config`,
    "-w /etc/clawkeep/ -p wa -k clawkeep-config",
    `-w /etc/systemd/system/${GATEWAY_UNIT} -p wa -k openclaw-units`,
    `-w /etc/systemd/system/${TOKEN_UNIT} -p wa -k openclaw-units`,
    "-w /opt/clawkeep/ -p wa -k clawkeep-runtime",
    `-w ${PATHS.libexecDir}/ -p wa -k clawkeep-scripts`,
    "## The gateway's own files (its credentials, state, logs) opened by any user but the gateway's and root (fetch-token,",
    "## systemd): their own key, which alarms. By owner, not by path: the credentials are a mount made after these rules load.",
    ...(["b64", "b32"] as const).map(
      (arch) =>
        `-a always,exit -F arch=${arch} -S open,openat,openat2 -F obj_uid=${SERVICE_USER}${agentCommands ? ` -F obj_gid!=${WORK_GROUP}` : ""} -F uid!=0 -F uid!=${SERVICE_USER} -k ${AUDIT_KEYS.credentialReadByOther}`,
    ),
    "## Credentials: reads count too; only fetch-token and systemd should ever open these.",
    `-w ${PATHS.runSecretsDir}/ -p rwa -k gateway-credentials`,
    "-w /run/credentials/ -p rwa -k gateway-credentials",
    "## Identity and privilege (CIS 4.1.x), and the audit setup itself.",
    "-w /etc/passwd -p wa -k identity",
    "-w /etc/group -p wa -k identity",
    "-w /etc/shadow -p wa -k identity",
    "-w /etc/sudoers -p wa -k privilege",
    "-w /etc/sudoers.d/ -p wa -k privilege",
    "-w /etc/audit/ -p wa -k audit-config",
    "## Every program the gateway's user starts (it runs none but node and systemctl).",
    `-a always,exit -F arch=b64 -S execve,execveat -F uid=${SERVICE_USER} -k openclaw-exec`,
    `-a always,exit -F arch=b32 -S execve,execveat -F uid=${SERVICE_USER} -k openclaw-exec`,
    ...(agentCommands
      ? [
          `## Every program the agent's commands start (${AGENT_NODE_UNIT} runs them as ${AGENT_USER}); the unit's own start (parent PID 1) is not one.`,
          `-a always,exit -F arch=b64 -S execve,execveat -F uid=${AGENT_USER} -F ppid!=1 -k ${AUDIT_KEYS.agentExec}`,
          `-a always,exit -F arch=b32 -S execve,execveat -F uid=${AGENT_USER} -F ppid!=1 -k ${AUDIT_KEYS.agentExec}`,
        ]
      : []),
    "",
  ].join("\n");
}

/** Rules are locked until reboot: an intruder with root cannot quietly switch auditing off. */
export function renderAuditFinalize(): string {
  return ["## clawkeep: no rule changes until the next boot (hosts are replaced, not edited).", "-e 2", ""].join("\n");
}

const HEALTH_SCRIPT_TEXT = `#!/bin/bash
# Publishes the gateway's health once: 1 when GET /healthz answers 200, else 0, as a CloudWatch
# metric with the instance's id. Run by ${HEALTH_TIMER}; silence (no data) also alarms.
set -euo pipefail
usage="usage: \${0##*/} PORT NAMESPACE METRIC"
port=\${1:?$usage}
namespace=\${2:?$usage}
metric=\${3:?$usage}
[[ $port =~ ^[0-9]{1,5}$ ]] || { printf '%s\\n' "$usage" >&2; exit 2; }

# Overridable for tests; on the host these are the instance metadata service and the regional API.
imds=\${CLAWKEEP_IMDS_URL:-http://169.254.169.254}
endpoint=\${AWS_ENDPOINT_URL_CLOUDWATCH:-\${AWS_ENDPOINT_URL:-}}

meta() { curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $imds_token" "$imds/latest/meta-data/$1"; }
imds_token=$(curl -fsS --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$imds/latest/api/token")
instance_id=$(meta instance-id)
region=$(meta placement/region)

if curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$port/healthz"; then value=1; else value=0; fi

args=(cloudwatch put-metric-data --region "$region" --namespace "$namespace" --metric-name "$metric"
  --dimensions "InstanceId=$instance_id" --value "$value" --unit Count)
if [[ -n $endpoint ]]; then args+=(--endpoint-url "$endpoint"); fi
AWS_PAGER='' aws "\${args[@]}"
`;

export function renderHealthScript(): string {
  return HEALTH_SCRIPT_TEXT;
}

const SAFE_ARG = /^[A-Za-z0-9/_.:-]+$/;

/** The oneshot the timer starts: root (the metadata service answers root only) without capabilities, nothing writable. */
export function renderHealthService(input: Pick<AuditHostInput, "gatewayPort" | "namespace" | "healthMetric">): string {
  for (const v of [input.namespace, input.healthMetric]) if (!SAFE_ARG.test(v)) throw new Error(`health unit argument ${JSON.stringify(v)} is not a plain token`);
  return [
    "[Unit]",
    "Description=clawkeep: publish the gateway's /healthz result to CloudWatch",
    `After=network-online.target ${GATEWAY_UNIT}`,
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${HEALTH_SCRIPT} ${input.gatewayPort} ${input.namespace} ${input.healthMetric}`,
    "TimeoutStartSec=50",
    "# User= root without capabilities: only root-owned sockets reach the metadata service (the role's credentials);",
    "# everything else a non-root user could not do either: nothing writable, no privileges, no devices.",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "UMask=0077",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    "PrivateUsers=yes",
    "PrivateIPC=yes",
    "PrivateMounts=yes",
    ...KERNEL_PROTECTIONS,
    ...ROOT_HELPER_RESTRICTIONS,
    "# Left off on purpose (each is a line in systemd-analyze security's report):",
    "# PrivateNetwork=/IPAddressDeny= not set: it needs IMDS, the CloudWatch API and the gateway on loopback;",
    "#   RestrictAddressFamilies= above keeps it to AF_UNIX/AF_INET/AF_INET6.",
    "# MemoryDenyWriteExecute= not set: not tried with Debian's awscli, whose Python may need libffi's W+X closures.",
    "# RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict).",
    "# DeviceAllow= char-rtc r comes with ProtectClock=; no other device is reachable.",
    "",
  ].join("\n");
}

export function renderHealthTimer(): string {
  return [
    "[Unit]",
    "Description=clawkeep: check the gateway's /healthz every minute",
    "",
    "[Timer]",
    "OnBootSec=2min",
    "OnUnitActiveSec=1min",
    "AccuracySec=5s",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

/** AWS's regional download of one agent version (`latest` names the newest); the signature is `.sig` beside it. */
export function cloudWatchAgentDebUrl(region: string, version: string): string {
  return `https://amazoncloudwatch-agent-${region}.s3.${region}.amazonaws.com/debian/amd64/${version}/amazon-cloudwatch-agent.deb`;
}

/** The first-boot step after the install: start the agent on the kit's config (and on every boot after). */
export function startCloudWatchAgentCommand(): string[] {
  return [CWAGENT_CTL, "-a", "fetch-config", "-m", "ec2", "-s", "-c", `file:${CWAGENT_CONFIG_PATH}`];
}

const ROOT = "root:root";

/** The shipper: journalctl following the gateway unit's own lines, as a transient user of the journal's group. */
export function renderGatewayJournalUnit(): string {
  return [
    "[Unit]",
    "Description=clawkeep: the gateway's journal lines (its unit's, by journald's trusted fields) into the file CloudWatch ships",
    "After=systemd-journald.service",
    `Before=${GATEWAY_UNIT}`,
    "",
    "[Service]",
    "Type=exec",
    "# The cursor resumes after the last line shipped; the first start ships this boot's lines so far.",
    `ExecStart=/usr/bin/journalctl --follow --boot --lines=all --no-pager --quiet --output=cat --cursor-file=\${STATE_DIRECTORY}/cursor _SYSTEMD_UNIT=${GATEWAY_UNIT}`,
    "# Opened by systemd as root in a root-only directory (tmpfiles): no other user can add a line.",
    `StandardOutput=append:${GATEWAY_AUDIT_LOG}`,
    "StandardError=journal",
    "Restart=always",
    "RestartSec=2",
    "DynamicUser=yes",
    "SupplementaryGroups=systemd-journal",
    "StateDirectory=clawkeep-gateway-journal",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    "PrivateIPC=yes",
    "PrivateNetwork=yes",
    "IPAddressDeny=any",
    ...KERNEL_PROTECTIONS.filter((d) => d !== "ProcSubset=pid"),
    "MemoryDenyWriteExecute=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "RestrictNamespaces=yes",
    "RemoveIPC=yes",
    "UMask=0077",
    "RestrictAddressFamilies=AF_UNIX",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged @resources",
    "SystemCallErrorNumber=EPERM",
    "NoExecPaths=/",
    "ExecPaths=/usr/bin/journalctl /usr/lib/x86_64-linux-gnu /usr/lib/systemd",
    "PrivateMounts=yes",
    "# Left off on purpose (each is a line in systemd-analyze security's report):",
    "# PrivateUsers= not set and SupplementaryGroups= kept: the journal files are readable by the systemd-journal group,",
    "#   which a private user namespace would map to nobody.",
    "# RestrictAddressFamilies= keeps AF_UNIX: journalctl talks to journald over it; no network (PrivateNetwork=).",
    "# RootDirectory= not set: journalctl runs from the host's read-only /usr (ProtectSystem=strict).",
    "# ProcSubset=pid not set: it hides /proc/sys/kernel/random/boot_id, and journalctl --boot then exits 1 (\"Failed to get boot id\").",
    "# DeviceAllow= char-rtc r comes with ProtectClock=; no other device is reachable.",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** Rotation of the shipped copy: the CloudWatch agent follows a truncated file (copytruncate keeps systemd's descriptor). */
export function renderGatewayAuditLogrotate(): string {
  return [`${GATEWAY_AUDIT_LOG} {`, "  daily", "  rotate 7", "  maxsize 100M", "  compress", "  delaycompress", "  missingok", "  notifempty", "  copytruncate", "}", ""].join("\n");
}

/** Every audit host file with its mode and owner; the lead adds these to the user data. */
export function auditHostFiles(input: AuditHostInput): HostFile[] {
  return [
    { path: CWAGENT_CONFIG_PATH, content: `${JSON.stringify(renderCloudWatchAgentConfig(input), null, 2)}\n`, mode: "0644", owner: ROOT },
    { path: AUDIT_RULES_PATH, content: renderAuditRules(input.agentCommands), mode: "0640", owner: ROOT },
    { path: `/etc/systemd/system/${GATEWAY_JOURNAL_UNIT}`, content: renderGatewayJournalUnit(), mode: "0644", owner: ROOT },
    { path: GATEWAY_AUDIT_LOGROTATE, content: renderGatewayAuditLogrotate(), mode: "0644", owner: ROOT },
    { path: AUDIT_FINALIZE_PATH, content: renderAuditFinalize(), mode: "0640", owner: ROOT },
    // Root-only, like every kit helper that holds the instance role's credentials.
    { path: HEALTH_SCRIPT, content: renderHealthScript(), mode: "0750", owner: ROOT },
    { path: `/etc/systemd/system/${HEALTH_SERVICE}`, content: renderHealthService(input), mode: "0644", owner: ROOT },
    { path: `/etc/systemd/system/${HEALTH_TIMER}`, content: renderHealthTimer(), mode: "0644", owner: ROOT },
  ];
}
