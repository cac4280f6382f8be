// The systemd units of the gateway host: the sandboxed OpenClaw gateway, the root oneshot that
// stages its token, and a journald cap. Pure renderers, plus the two systemd-analyze runs
// (security score, verify) that judge them, shared by the tests, the VM test and the bench.
import { spawnSync } from "node:child_process";
import type { StackModel } from "../../stacks/schema";
import { EGRESS_SOCKET, GATEWAY_PROXY_URL, INGRESS_SOCKET } from "../netsandbox/addresses";
import { GATEWAY_UNIT, PATHS, PROVIDER_KEYS_CREDENTIAL, PROVIDER_KEYS_DIR, SERVICE_GROUP, SERVICE_USER, STATE_VOLUME_UNIT, TOKEN_CREDENTIAL, TOKEN_UNIT, WORK_GROUP } from "../base/layout";
import { SECRETS_GATE_SCRIPT } from "./secretsGate";
import { execOnNode } from "../gateway/openclawConfig";
import { KERNEL_PROTECTIONS, ROOT_HELPER_RESTRICTIONS } from "../base/sandboxDirectives";

import { JOURNALD_DROPIN_PATH } from "../base/layout";
export { JOURNALD_DROPIN_PATH };
/** The ceiling `systemd-analyze security --offline=yes` may give the gateway unit (1.3 before its network namespace). */
export const MAX_GATEWAY_EXPOSURE = 0.7;
/** The ceiling for every other unit the kit renders or drops in on: root oneshots, bridges, squid, timers' services. */
export const MAX_HELPER_EXPOSURE = 1.5;
/** OpenClaw's own stop budget: 315 s drain + 10 s reserve + 5 s supervisor margin (gateway-shutdown-budget.mjs). */
export const GATEWAY_STOP_TIMEOUT_SEC = 330;
/** The gateway's exit code for an invalid config; restarting cannot fix it. */
export const CONFIG_INVALID_EXIT = 78;

const dirUnder = (prefix: string, dir: string): string => {
  if (!dir.startsWith(prefix)) throw new Error(`${dir} is not under ${prefix}; systemd's *Directory= cannot create it`);
  return dir.slice(prefix.length);
};

const why = (text: string): string => `# ${text}`;

function renderUnit(sections: Array<[string, string[]]>): string {
  return `${sections.map(([name, lines]) => [`[${name}]`, ...lines].join("\n")).join("\n\n")}\n`;
}

/** Where every outbound request of the gateway and its commands goes: the egress listener in its namespace. */
export function proxyEnvironment(): Record<string, string> {
  const noProxy = "localhost,127.0.0.1,::1";
  return {
    // OpenClaw's managed routing (fetch, node:http(s), WebSockets, helper CONNECT tunnels); loopback stays direct.
    OPENCLAW_PROXY_URL: GATEWAY_PROXY_URL,
    // Node's own env proxy and the conventional variables, for child processes and tools (curl, git, npm).
    NODE_USE_ENV_PROXY: "1",
    HTTPS_PROXY: GATEWAY_PROXY_URL,
    HTTP_PROXY: GATEWAY_PROXY_URL,
    https_proxy: GATEWAY_PROXY_URL,
    http_proxy: GATEWAY_PROXY_URL,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}

/** Non-secret settings of the gateway process. The token never goes through the environment. */
export function gatewayEnvironment(): Record<string, string> {
  return {
    ...proxyEnvironment(),
    HOME: PATHS.stateDir,
    PATH: `${PATHS.nodeDir}/bin:/usr/local/bin:/usr/bin:/bin`,
    OPENCLAW_CONFIG_PATH: PATHS.configFile,
    OPENCLAW_CONFIG_READONLY: "1",
    OPENCLAW_STATE_DIR: PATHS.stateDir,
    OPENCLAW_NO_RESPAWN: "1",
    OPENCLAW_NO_AUTO_UPDATE: "1",
    OPENCLAW_DISABLE_BONJOUR: "1",
    OPENCLAW_SERVICE_REPAIR_POLICY: "external",
    NODE_COMPILE_CACHE: PATHS.compileCache,
  };
}

/**
 * The gateway's sandbox: every [Service] line that confines the process, with the reason for each
 * hardening directive left off. The probe test runs Node under exactly these lines.
 */
export function gatewaySandbox(model: StackModel): string[] {
  const lines = [
    why("Files it creates are private to the service user (state, logs); in the workspace its default ACL decides."),
    "UMask=0077",
    why("systemd creates the only writable trees, owned by the service user; the workspace comes from tmpfiles."),
    `StateDirectory=${dirUnder("/var/lib/", PATHS.stateDir)}`,
    "StateDirectoryMode=0700",
    `LogsDirectory=${dirUnder("/var/log/", PATHS.logDir)}`,
    "LogsDirectoryMode=0750",
    why(`${PATHS.compileCache} lives in PrivateTmp='s /var/tmp: writable and private, but emptied when the service stops.`),
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    why("The OS, /etc (config included) and /opt are read-only; /home, /root, /run/user are gone."),
    "ProtectSystem=strict",
    why("The workspace, made by systemd-tmpfiles at boot (\"-\": a probe or a host without it still starts)."),
    `ReadWritePaths=-${PATHS.workspaceDir}`,
    "ProtectHome=yes",
    why("The root-owned token staging area and boot facts are invisible (below); the token arrives as a credential."),
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    "PrivateUsers=yes",
    "PrivateIPC=yes",
    "PrivateMounts=yes",
    "ProtectHostname=yes",
    why("ProtectClock= adds DeviceAllow=char-rtc r, the one device the analyzer still reports (0.1)."),
    "ProtectClock=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectProc=invisible",
    why("Node falls back to sysinfo() for memory; os.cpus() is empty without /proc/stat, which OpenClaw tolerates."),
    "ProcSubset=pid",
    "KeyringMode=private",
    "LockPersonality=yes",
    "RestrictRealtime=yes",
    why("RestrictSUIDSGID= not set: it makes openat2() fail with ENOSYS, and OpenClaw's fs-safe native helper then"),
    why("  cannot take its state locks (the gateway exits 78). Without capabilities it can only mark its own files."),
    why("No namespaces: the Chromium sandbox, bwrap and Docker sandboxes stay off on this host (browser disabled)."),
    "RestrictNamespaces=yes",
    "RemoveIPC=yes",
    why("RestrictAddressFamilies= keeps AF_UNIX (local IPC, D-Bus) and AF_INET/AF_INET6 (its loopback: listener and proxy)."),
    why("AF_NETLINK is left out: os.networkInterfaces() then throws, and OpenClaw reads interfaces only through a guarded helper."),
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    "SystemCallArchitectures=native",
    why("@privileged and @resources are not needed by Node; a blocked call fails with EPERM instead of killing the gateway."),
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged @resources",
    "SystemCallErrorNumber=EPERM",
    why("A network namespace of its own with loopback only: no route to the instance metadata, the VPC, the tailnet"),
    why(`  or the internet. Its one way out is ${GATEWAY_PROXY_URL} (${EGRESS_SOCKET}, bound inside the namespace),`),
    why(`  bridged to the allowlisting egress proxy; its one way in is ${INGRESS_SOCKET} on the host's loopback.`),
    "PrivateNetwork=yes",
    why("The kernel's IP firewall repeats it: loopback only, even if the namespace were ever shared. IPAddressDeny= still"),
    why("  costs 0.1 in the analyzer for the localhost allow entry, which its own listener and proxy need."),
    "IPAddressAllow=localhost",
    "IPAddressDeny=any",
    why("Filesystem UNIX sockets cross network namespaces: tailscaled's local API and the SSM agent's are hidden."),
    `InaccessiblePaths=-${PATHS.runSecretsDir} -/etc/clawkeep -/run/tailscale -/var/lib/tailscale -/var/lib/amazon`,
  ];
  lines.push(
    why(`The gateway runs no command itself${execOnNode(model.capabilities) ? " (the agent's run on the node host, as its own user)" : ""}: only node, its`),
    why("  libraries, OpenClaw's addons and systemctl may be executed (OpenClaw reads its stop budget with `systemctl show`;"),
    why("  without it, it drains for 75 s instead of 315 s)."),
    "NoExecPaths=/",
    why(`${PATHS.nodeDir} and ${PATHS.openclawDir} are links into ${PATHS.runtimesDir} (switched by an upgrade): the real tree is named.`),
    `ExecPaths=${PATHS.runtimesDir} /usr/lib/x86_64-linux-gnu /usr/bin/systemctl`,
  );
  lines.push(
    why("Left off on purpose (each is a line in systemd-analyze security's report):"),
    why("MemoryDenyWriteExecute= not set: V8's JIT needs W+X pages; Node 24 aborts at isolate init (nodejs/node#55509)."),
    why("RootDirectory= not set: the gateway runs from the host's read-only /usr (ProtectSystem=strict); a private"),
    why("  root image would duplicate the OS for no extra confinement."),
  );
  return lines;
}

/** The OpenClaw gateway as a system service of the nologin user, in the strongest sandbox it runs under. */
export function renderGatewayUnit(model: StackModel): string {
  const env = Object.entries(gatewayEnvironment()).map(([k, v]) => `Environment=${k}=${v}`);
  return renderUnit([
    [
      "Unit",
      [
        `Description=OpenClaw gateway (clawkeep cell ${model.cellName}, trust level ${model.trustLevel} ${model.capabilities.name})`,
        why(`The token unit stages the token; restarting it (rotation) restarts the gateway with the new credential.`),
        why("Its state is on the cell's state volume: it never starts on the root disk's empty directory (a forked agent)."),
        `Requires=${TOKEN_UNIT} ${STATE_VOLUME_UNIT}`,
        why("Its network: the egress listener inside its namespace and the ingress listener on the host (see PrivateNetwork=)."),
        `Wants=${EGRESS_SOCKET} ${INGRESS_SOCKET}`,
        `After=${TOKEN_UNIT} ${STATE_VOLUME_UNIT} ${EGRESS_SOCKET} ${INGRESS_SOCKET}`,
        why("Named on both sides: systemd 252 shares the namespace only if the unit started second names the first."),
        `JoinsNamespaceOf=${EGRESS_SOCKET}`,
        "StartLimitBurst=10",
        "StartLimitIntervalSec=300",
      ],
    ],
    [
      "Service",
      [
        "Type=exec",
        `User=${SERVICE_USER}`,
        `Group=${SERVICE_GROUP}`,
        why("cwd / : OpenClaw loads a .env from its working directory, and / holds none."),
        "WorkingDirectory=/",
        `ExecStart=${PATHS.nodeBin} ${PATHS.openclawEntry} gateway --port ${model.gateway.port} --bind loopback`,
        ...env,
        why(`The token reaches only this service, at $CREDENTIALS_DIRECTORY/${TOKEN_CREDENTIAL}.`),
        `LoadCredential=${TOKEN_CREDENTIAL}:${PATHS.tokenFile}`,
        why("Provider API keys: the whole directory, so a key not yet set (no file) never fails the start."),
        `LoadCredential=${PROVIDER_KEYS_CREDENTIAL}:${PROVIDER_KEYS_DIR}`,
        why("The exec allowlist lives in OpenClaw's state DB: re-apply the kit's approvals at every start, so drift never survives a restart."),
        `ExecStartPre=${PATHS.nodeBin} ${PATHS.openclawEntry} approvals set --file ${PATHS.execApprovalsFile}`,
        why("Boot gate: `openclaw secrets audit --check`, judged on its JSON: a secret in clear text, or a gateway token that"),
        why("  does not resolve, stops the start; a provider key not yet put does not (the gateway starts that provider cold)."),
        `ExecStartPre=${PATHS.nodeBin} ${SECRETS_GATE_SCRIPT} ${PATHS.openclawEntry}`,
        ...(execOnNode(model.capabilities) ? [why(`SupplementaryGroups= set: the workspace's group, shared with the agent's commands (${PATHS.workspaceDir}).`), `SupplementaryGroups=${WORK_GROUP}`] : []),
        "Restart=always",
        "RestartSec=5",
        `RestartPreventExitStatus=${CONFIG_INVALID_EXIT}`,
        why("OpenClaw's own service policy: slow hosts need 90 s to start; stopping drains runs for up to 315 s."),
        "TimeoutStartSec=90",
        `TimeoutStopSec=${GATEWAY_STOP_TIMEOUT_SEC}`,
        "KillMode=mixed",
        "SuccessExitStatus=0 143",
        "OOMPolicy=continue",
        "LimitNOFILE=65536",
        why("Leave the host room to breathe (SSM, Tailscale) if the agent or its commands run away."),
        "MemoryHigh=75%",
        "MemoryMax=85%",
        "TasksMax=512",
        ...gatewaySandbox(model),
      ],
    ],
    ["Install", ["WantedBy=multi-user.target"]],
  ]);
}

/** The root oneshot that runs fetch-token (Secrets Manager -> PATHS.tokenFile), sandboxed around what it needs. */
export function renderTokenUnit(model: StackModel): string {
  return renderUnit([
    [
      "Unit",
      [
        `Description=clawkeep: stage the gateway token of cell ${model.cellName} from Secrets Manager`,
        "Wants=network-online.target",
        "After=network-online.target",
        `Before=${GATEWAY_UNIT}`,
      ],
    ],
    [
      "Service",
      [
        "Type=oneshot",
        "RemainAfterExit=yes",
        why("Secret ARN and region for fetch-token; no secret values."),
        `EnvironmentFile=${PATHS.envFile}`,
        `ExecStart=${PATHS.libexecDir}/fetch-token`,
        why("fetch-token retries Secrets Manager itself; give it time before the gateway's start fails."),
        "TimeoutStartSec=300",
        why("The token file is 0600 root even if the script forgets."),
        "UMask=0077",
        why(`systemd creates ${PATHS.runSecretsDir} (tmpfs, 0700 root); kept across a restart so rotation can replace the file.`),
        `RuntimeDirectory=${dirUnder("/run/", PATHS.runSecretsDir)}`,
        "RuntimeDirectoryMode=0700",
        "RuntimeDirectoryPreserve=restart",
        "NoNewPrivileges=yes",
        why("Root without capabilities: it owns what it writes and needs no override."),
        "CapabilityBoundingSet=",
        "AmbientCapabilities=",
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
        why("Left off on purpose (each is a line in systemd-analyze security's report):"),
        why("User= not set: the contract is a root oneshot writing a root-only file; it holds no capabilities."),
        why("PrivateNetwork=/IPAddressDeny= not set: it needs IMDS (role credentials), DNS and Secrets Manager, public or a VPC endpoint;"),
        why("  RestrictAddressFamilies= above keeps it to AF_UNIX/AF_INET/AF_INET6."),
        why("MemoryDenyWriteExecute= not set: fetch-token may run on the host's Node (AWS SDK), whose JIT needs W+X pages."),
        why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
        why("DeviceAllow= char-rtc r comes with ProtectClock=; no other device is reachable."),
        why("RemoveIPC= not set: it has no effect on root."),
      ],
    ],
  ]);
}

/** Values of the journald cap: local logs are a buffer, CloudWatch keeps the long history. */
export const JOURNALD_LIMITS = {
  Storage: "persistent",
  Compress: "yes",
  SystemMaxUse: "1G",
  SystemKeepFree: "2G",
  SystemMaxFileSize: "128M",
  MaxRetentionSec: "30day",
  MaxFileSec: "1week",
  RateLimitIntervalSec: "30s",
  RateLimitBurst: "10000",
  ForwardToSyslog: "no",
} as const;

/** A journald.conf drop-in (JOURNALD_DROPIN_PATH) that caps the journal's disk use and age. */
export function renderJournaldConf(): string {
  return [
    "# clawkeep: cap the local journal; the CloudWatch agent ships it and holds the retention.",
    "[Journal]",
    ...Object.entries(JOURNALD_LIMITS).map(([k, v]) => `${k}=${v}`),
    "",
  ].join("\n");
}

// ---- systemd-analyze: the real judge of the units above ----

export interface SecurityFinding {
  /** ✓ (hardened) or ✗ (exposed). */
  ok: boolean;
  /** The setting as the tool names it, e.g. `PrivateNetwork=` or `RestrictAddressFamilies=~AF_(INET|INET6)`. */
  name: string;
  description: string;
  /** The exposure the finding adds; absent for ✓ lines. */
  exposure?: number;
}

export interface SecurityReport {
  score: number;
  /** OK, MEDIUM, EXPOSED or UNSAFE. */
  exposure: string;
  lines: SecurityFinding[];
}

const OVERALL = /Overall exposure level for \S+: (\d+(?:\.\d+)?) ([A-Z]+)/;
const FINDING = /^([✓✗])\s+(\S+)\s+(.*?)(?:\s+(\d+\.\d+))?\s*$/;

/** The overall exposure score from `systemd-analyze security` output. Throws when there is none. */
export function parseSecurityScore(output: string): number {
  const m = OVERALL.exec(output);
  if (!m) throw new Error(`no "Overall exposure level" in systemd-analyze output:\n${output.slice(0, 2000)}`);
  return Number(m[1]);
}

/** The score, its verdict and every ✓/✗ line of `systemd-analyze security` output. */
export function parseSecurityReport(output: string): SecurityReport {
  const score = parseSecurityScore(output);
  const exposure = (OVERALL.exec(output) as RegExpExecArray)[2];
  const lines: SecurityFinding[] = [];
  for (const raw of output.split("\n")) {
    const m = FINDING.exec(raw.trim());
    if (!m) continue;
    lines.push({ ok: m[1] === "✓", name: m[2], description: m[3].trim(), ...(m[4] ? { exposure: Number(m[4]) } : {}) });
  }
  return { score, exposure, lines };
}

const plainEnv = (): NodeJS.ProcessEnv => ({ ...process.env, SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "", LC_ALL: "C.UTF-8" });

/**
 * `systemd-analyze security --offline=yes <unit file>`, parsed. With `root`, `unit` is a unit name
 * loaded from under that root the way the host loads it: the package's unit plus the kit's drop-ins.
 */
export function analyzeUnit(unit: string, root?: string): SecurityReport {
  const args = ["security", "--offline=yes", "--no-pager", ...(root ? [`--root=${root}`] : []), unit];
  const unitPath = root ? `${unit} under ${root}` : unit;
  const res = spawnSync("systemd-analyze", args, { encoding: "utf8", env: plainEnv() });
  if (res.error) throw res.error;
  const output = `${res.stdout}${res.stderr}`;
  if (res.status !== 0) throw new Error(`systemd-analyze security ${unitPath} exited ${String(res.status)}:\n${output}`);
  return parseSecurityReport(output);
}

export interface VerifyResult {
  ok: boolean;
  status: number | null;
  output: string;
}

/**
 * `systemd-analyze verify --root=<root>` of units installed under <root>/etc/systemd/system. Any
 * warning fails (unknown key, bad value, missing ExecStart binary or dependency), not only errors.
 */
export function verifyUnits(root: string, unitNames: string[]): VerifyResult {
  const res = spawnSync("systemd-analyze", ["verify", "--man=no", "--recursive-errors=yes", `--root=${root}`, ...unitNames], {
    encoding: "utf8",
    env: plainEnv(),
  });
  if (res.error) throw res.error;
  const output = `${res.stdout}${res.stderr}`.trim();
  return { ok: res.status === 0 && output === "", status: res.status, output };
}
