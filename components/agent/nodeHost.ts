// The agent's commands under their own identity (issue 17, item 2): OpenClaw's headless node host runs
// every exec as AGENT_USER in a sandbox of its own, and the gateway (tools.exec.host node) never runs a
// command itself. The node sees the workspace and nothing of the gateway's: no credentials, config,
// state, logs or audit trail, no metadata service, one loopback shared with the gateway (its port and
// the egress listener). It pairs once, with a single-use setup code the root pair unit mints: the
// gateway's token never reaches it. Only levels that run commands have any of this.
import type { StackModel } from "../../stacks/schema";
import {
  AGENT_HOME,
  AGENT_NODE_COMMANDS,
  AGENT_NODE_NAME,
  AGENT_NODE_UNIT,
  AGENT_PAIR_UNIT,
  AGENT_USER,
  GATEWAY_UNIT,
  PATHS,
  SERVICE_GROUP,
  SERVICE_USER,
  TOKEN_UNIT,
  WORK_GROUP,
} from "../base/layout";
import { KERNEL_PROTECTIONS, ROOT_HELPER_RESTRICTIONS } from "../base/sandboxDirectives";
import { ROOT_OWNER, unitFile, type HostFile } from "../base/hostFile";
import { STRICT } from "../base/shellPrelude";
import { EGRESS_SOCKET, GATEWAY_PROXY_URL, INGRESS_SOCKET } from "../netsandbox/addresses";
import { execOnNode } from "../gateway/openclawConfig";
import { gitWrapperHostFiles } from "./gitWrapper";

export const PAIR_SCRIPT = `${PATHS.libexecDir}/pair-agent-node`;
/** Written by the pair unit for the node's pairing runs only, then removed: `--pair-if-needed <setup code>`. */
export const PAIR_RUNTIME_DIR = "/run/clawkeep-agent-pair";
export const PAIR_ENV_FILE = `${PAIR_RUNTIME_DIR}/node-pair.env`;
import { WORKSPACE_SHARE_SCRIPT, WORKSPACE_SHARE_UNIT } from "../base/layout";
export { WORKSPACE_SHARE_SCRIPT, WORKSPACE_SHARE_UNIT };
/** Libraries of every dynamically linked binary the node may run (node, git, jq, git-remote-https). */
const LIB_DIR = "/usr/lib/x86_64-linux-gnu";

const why = (text: string): string => `# ${text}`;
const unit = (sections: Array<[string, string[]]>): string => `${sections.map(([name, lines]) => [`[${name}]`, ...lines].join("\n")).join("\n\n")}\n`;
const dirUnder = (prefix: string, dir: string): string => {
  if (!dir.startsWith(prefix)) throw new Error(`${dir} is not under ${prefix}`);
  return dir.slice(prefix.length);
};

/** Every program the agent's sandbox may execute: the node runtime, its login shell, git, and the allowlist's binaries. */
export function agentExecPaths(model: StackModel): string[] {
  // "-": an allowlisted binary that is not installed must not keep the node host from starting.
  const allowlisted = model.execAllowlist.map((e) => `-${e.path}`);
  // The runtime paths are links into the runtimes tree (switched by an upgrade): the real tree is named.
  return [...new Set([PATHS.runtimesDir, "/usr/bin/dash", "/usr/bin/git", "/usr/lib/git-core", LIB_DIR, ...allowlisted])];
}

/** The node host's environment: no secret, a HOME that does not exist, the kit's git first on PATH, egress through the proxy. */
export function agentNodeEnvironment(): Record<string, string> {
  const noProxy = "localhost,127.0.0.1,::1";
  return {
    HOME: AGENT_HOME,
    // OpenClaw stages SQLite snapshots under $XDG_CACHE_HOME (else $HOME/.cache): the private, per-start /var/tmp.
    XDG_CACHE_HOME: "/var/tmp",
    PATH: `${PATHS.agentBinDir}:/usr/bin:/bin`,
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    OPENCLAW_STATE_DIR: PATHS.agentStateDir,
    // No config file: updates, mDNS and the browser proxy are off by these switches and by --commands.
    OPENCLAW_CONFIG_READONLY: "1",
    OPENCLAW_NO_RESPAWN: "1",
    OPENCLAW_NO_AUTO_UPDATE: "1",
    OPENCLAW_DISABLE_BONJOUR: "1",
    HTTPS_PROXY: GATEWAY_PROXY_URL,
    https_proxy: GATEWAY_PROXY_URL,
    HTTP_PROXY: GATEWAY_PROXY_URL,
    http_proxy: GATEWAY_PROXY_URL,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}

/** What the agent's commands may never see, even read-only: the gateway's secrets, state, logs and the host's agents. */
export const AGENT_HIDDEN_PATHS = [
  "/run/credentials",
  PATHS.runSecretsDir,
  PATHS.configDir,
  PATHS.stateDir,
  PATHS.logDir,
  "/etc/clawkeep",
  PATHS.libexecDir,
  "/var/log/clawkeep-gateway",
  "/var/log/audit",
  "/var/log/journal",
  "/var/log/squid",
  "/run/tailscale",
  "/var/lib/tailscale",
  "/var/lib/amazon",
  "/opt/aws",
  "/run/dbus",
  PAIR_RUNTIME_DIR,
] as const;

/** The node host: OpenClaw's `node run` as AGENT_USER, every command it runs inside this sandbox. */
export function renderAgentNodeUnit(model: StackModel): string {
  const env = Object.entries(agentNodeEnvironment()).map(([k, v]) => `Environment=${k}=${v}`);
  const entry = `${PATHS.nodeBin} ${PATHS.openclawEntry}`;
  return unit([
    [
      "Unit",
      [
        `Description=OpenClaw node host: the agent's commands as ${AGENT_USER} (clawkeep cell ${model.cellName}, trust level ${model.trustLevel})`,
        `Wants=${GATEWAY_UNIT}`,
        `Requires=${EGRESS_SOCKET}`,
        `After=${GATEWAY_UNIT} ${EGRESS_SOCKET}`,
        why("The gateway's network namespace: its loopback port and the egress listener, nothing else (PrivateNetwork= below)."),
        `JoinsNamespaceOf=${EGRESS_SOCKET}`,
        "StartLimitBurst=10",
        "StartLimitIntervalSec=300",
      ],
    ],
    [
      "Service",
      [
        "Type=exec",
        `User=${AGENT_USER}`,
        `Group=${AGENT_USER}`,
        why(`SupplementaryGroups= set: the workspace's group; the gateway's file tools and these commands share ${PATHS.workspaceDir}.`),
        `SupplementaryGroups=${WORK_GROUP}`,
        `WorkingDirectory=${PATHS.workspaceDir}`,
        ...env,
        why("The allowlist lives in the node's own state DB: re-applied at every start, so drift never survives a restart."),
        `ExecStartPre=${entry} approvals set --file ${PATHS.agentExecApprovalsFile}`,
        why(`$CLAWKEEP_NODE_PAIR is "--pair-if-needed <single-use setup code>" only while ${AGENT_PAIR_UNIT} pairs it; empty after.`),
        `EnvironmentFile=-${PAIR_ENV_FILE}`,
        `ExecStart=${entry} node run --host 127.0.0.1 --port ${model.gateway.port} --display-name ${AGENT_NODE_NAME} --commands ${AGENT_NODE_COMMANDS.join(",")} $CLAWKEEP_NODE_PAIR`,
        "Restart=always",
        "RestartSec=5",
        why("A node paused on a pairing request ignores SIGTERM; it holds nothing to drain."),
        "TimeoutStopSec=15",
        "MemoryMax=50%",
        "TasksMax=256",
        why("UMask=0007: what the commands create is shared with the workspace's group, never with others."),
        "UMask=0007",
        `StateDirectory=${dirUnder("/var/lib/", PATHS.agentStateDir)}`,
        "StateDirectoryMode=0700",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
        "AmbientCapabilities=",
        why("The OS and /etc are read-only; the workspace and the node's own state are the only writable trees."),
        "ProtectSystem=strict",
        `ReadWritePaths=${PATHS.workspaceDir}`,
        "ProtectHome=yes",
        why("Own /tmp and /var/tmp, not the gateway's: JoinsNamespaceOf= would share them if PrivateTmp= were set here."),
        "TemporaryFileSystem=/tmp:mode=1777,nosuid,nodev,noexec /var/tmp:mode=1777,nosuid,nodev,noexec",
        "PrivateDevices=yes",
        "DevicePolicy=closed",
        "PrivateUsers=yes",
        "PrivateMounts=yes",
        ...KERNEL_PROTECTIONS,
        "RestrictRealtime=yes",
        why("RestrictSUIDSGID= not set: it makes openat2() fail with ENOSYS, and OpenClaw's fs-safe then cannot make its"),
        why("  temp root or take its state locks (the node host exits 1, as the gateway would; see its unit)."),
        "RestrictNamespaces=yes",
        "RemoveIPC=yes",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "SystemCallArchitectures=native",
        "SystemCallFilter=@system-service",
        "SystemCallFilter=~@privileged @resources",
        "SystemCallErrorNumber=EPERM",
        why("No route to the instance metadata, the VPC, the tailnet or the internet: only the gateway's loopback, and the proxy through it."),
        "PrivateNetwork=yes",
        "IPAddressAllow=localhost",
        "IPAddressDeny=any",
        why("None of the gateway's credentials, config, state or logs, the audit trail, or the host agents' sockets and state."),
        `InaccessiblePaths=${AGENT_HIDDEN_PATHS.map((p) => `-${p}`).join(" ")}`,
        why("The login shell's profile would run /usr/bin/id and friends: sh -l reads none of it here."),
        "InaccessiblePaths=-/etc/profile -/etc/profile.d",
        why("Only these may execute: the node runtime, /bin/sh, git and the allowlisted binaries. A human-approved command"),
        why("  outside the list is refused here too: add its binary (pinned) to execAllowlist to make it runnable."),
        "NoExecPaths=/",
        `ExecPaths=${agentExecPaths(model).join(" ")}`,
        why("Left off on purpose (each is a line in systemd-analyze security's report):"),
        why("PrivateTmp= not set: with JoinsNamespaceOf= it would share the gateway's /tmp; TemporaryFileSystem= above gives its own."),
        why("MemoryDenyWriteExecute= not set: V8's JIT needs W+X pages (nodejs/node#55509)."),
        why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
        why("RestrictAddressFamilies= keeps AF_UNIX and AF_INET/AF_INET6: the gateway's WebSocket and the proxy, on loopback only."),
        why("IPAddressDeny= allows localhost only (the gateway, the egress listener); DeviceAllow= char-rtc r comes with ProtectClock=."),
      ],
    ],
    ["Install", ["WantedBy=multi-user.target"]],
  ]);
}

const PAIR_SCRIPT_TEXT = `#!/bin/bash
# Pairs the agent's node host with the gateway, once: a single-use setup code (a 10-minute bootstrap token,
# never the gateway's token) lets the node ask for pairing; this script approves the device and then its
# command surface, and the node keeps only its own device token. Root; the gateway's token goes from the
# staged file into this script's environment for its own OpenClaw CLI calls, never into an argument.
#   pair-agent-node PORT
${STRICT}
port=\${1:?usage: pair-agent-node PORT}
[[ $port =~ ^[0-9]{1,5}$ ]] || die "not a port: $port"
token_file=\${CLAWKEEP_TOKEN_FILE:-${PATHS.tokenFile}}
env_file=\${CLAWKEEP_PAIR_ENV_FILE:-${PAIR_ENV_FILE}}
node_unit=\${CLAWKEEP_AGENT_NODE_UNIT:-${AGENT_NODE_UNIT}}
name=${AGENT_NODE_NAME}
wait_seconds=\${CLAWKEEP_PAIR_WAIT_SECONDS:-600}
# A setup code lives 10 minutes (OpenClaw 2026.9.6; the gateway says when it expires). On a slow host a node's start can
# outlast it: the gateway refuses the code, the node exits, and a new code is minted, $code_tries in all. Each code is
# tried once: 5 refused codes lock pairing from loopback out for 15 minutes (gateway.auth.rateLimit).
code_tries=3
code_seconds_max=\${CLAWKEEP_PAIR_CODE_SECONDS:-}
[[ -z $code_seconds_max || $code_seconds_max =~ ^[0-9]+$ ]] || die "CLAWKEEP_PAIR_CODE_SECONDS is not a number of seconds: $code_seconds_max"

work=$(mktemp -d)
trap 'rm -rf "$work" "$env_file"' EXIT
printf '{"gateway":{"mode":"local","port":%s}}\\n' "$port" >"$work/openclaw.json"
OPENCLAW_GATEWAY_TOKEN=$(<"$token_file")
export OPENCLAW_GATEWAY_TOKEN
oc() {
  HOME=$work OPENCLAW_STATE_DIR=$work/state OPENCLAW_CONFIG_PATH=$work/openclaw.json OPENCLAW_NO_RESPAWN=1 \\
    OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_DISABLE_BONJOUR=1 NO_COLOR=1 ${PATHS.nodeBin} ${PATHS.openclawEntry} "$@"
}

# node_state: "<approvalState> <connected> <pendingRequestId|-> <runs commands>" of the node named $name at the gateway.
node_state() {
  oc nodes status --json 2>/dev/null | python3 -I -c '
import json, sys
nodes = [n for n in json.load(sys.stdin).get("nodes", []) if n.get("displayName") == sys.argv[1]]
n = nodes[-1] if nodes else {}
print(n.get("approvalState", "none"), str(n.get("connected", False)).lower(), n.get("pendingRequestId") or "-", str("system.run" in n.get("commands", [])).lower())
' "$name"
}

# device_request: the newest pending device-pairing request of $name, or nothing.
device_request() {
  oc devices list --json 2>/dev/null | python3 -I -c '
import json, sys
ids = [p["requestId"] for p in json.load(sys.stdin).get("pending", []) if p.get("displayName") == sys.argv[1]]
print(ids[-1] if ids else "")
' "$name"
}

# wait_until DEADLINE CMD...: until CMD succeeds (0), or 1 once $SECONDS passes DEADLINE. Each check is an OpenClaw CLI
# run: between checks it rests as long as the last one took (3 s at least), so checks never starve the node it waits for.
wait_until() {
  local deadline=$1 started
  shift
  until started=$SECONDS && "$@"; do
    ((SECONDS < deadline)) || return 1
    rest_until $((SECONDS + (SECONDS - started > 3 ? SECONDS - started : 3))) || return 1
  done
}

# node_runs: how often systemd has restarted the node so far.
node_runs() { systemctl show -p NRestarts --value "$node_unit"; }

# rest_until T: sleeps until $SECONDS reaches T. While a code is out ($code_out_runs set), it returns 1 at once when the
# node has exited since: the gateway refused its code, and it must not try that code again.
rest_until() {
  while ((SECONDS < $1)); do
    [[ -z \${code_out_runs:-} || $(node_runs) == "$code_out_runs" ]] || return 1
    sleep 1
  done
}

# wait_for WHAT CMD...: until CMD succeeds, or die after $wait_seconds.
wait_for() {
  local what=$1
  shift
  wait_until $((SECONDS + wait_seconds)) "$@" || die "$name: no $what after $wait_seconds s"
}

approved() { read -r approval connected _ runs <<<"$(node_state)" && [[ $approval == approved && $runs == true && $connected == true ]]; }
device_pending() { req=$(device_request) && [[ -n $req ]]; }
surface_pending() { read -r _ connected req _ <<<"$(node_state)" && [[ $connected == true && $req != - ]]; }
device_pending_or_approved() { approved || device_pending; }
surface_pending_or_approved() { approved || surface_pending; }

# The gateway mints the setup code itself (device.pair.setupCode): wait until it answers.
gateway_up() { oc nodes status --json 2>/dev/null | python3 -I -c 'import json, sys; sys.exit(0 if "nodes" in json.load(sys.stdin) else 1)'; }
wait_for "answer from the gateway" gateway_up

read -r approval _ _ runs <<<"$(node_state)"
if [[ $approval == approved && $runs == true ]]; then
  log "$name already paired; its command surface is approved"
  exit 0
fi

# mint_code: a new single-use setup code into $env_file for the node's next start; sets code_deadline (in $SECONDS)
# to when the gateway stops taking it, plus a minute for a request made just before that to show.
mint_code() {
  local minted code left
  # Not \`openclaw qr\`: it records the code in the CLI's own state, which the gateway never reads. Profile "node": role node, no operator scope.
  minted=$(oc gateway call device.pair.setupCode --json --params '{"bootstrapProfile":"node","includeQr":false,"publicUrl":"ws://127.0.0.1:'"$port"'"}' |
    python3 -I -c '
import json, sys, time
d = json.load(sys.stdin)
r = d.get("result", d.get("payload", d)) if isinstance(d, dict) else {}
if not isinstance(r, dict) or "setupCode" not in r or not isinstance(r.get("expiresAtMs"), (int, float)):
    sys.exit("device.pair.setupCode answered without a code and its expiry: " + json.dumps(d.get("error", sorted(d)) if isinstance(d, dict) else type(d).__name__)[:300])
print(r["setupCode"], max(0, int(r["expiresAtMs"] / 1000 - time.time())))
') ||
    die "the gateway minted no setup code"
  read -r code left <<<"$minted"
  unset minted
  if [[ -n $code_seconds_max ]] && ((left > code_seconds_max)); then left=$code_seconds_max; fi
  (umask 077 && printf 'CLAWKEEP_NODE_PAIR=--pair-if-needed %s\\n' "$code" >"$env_file")
  unset code
  code_deadline=$((SECONDS + left + 60))
}

if [[ $approval == none ]]; then
  # 1. The node asks for pairing with a setup code, and its device is approved.
  # The node profile's code approves the device and its advertised surface itself; an older gateway asks first.
  req=
  for ((try = 1; ; try++)); do
    # Stopped first: the code's life then covers the node's start only.
    systemctl stop "$node_unit"
    mint_code
    systemctl start "$node_unit"
    code_out_runs=$(node_runs)
    deadline=$((SECONDS + wait_seconds))
    if ((code_deadline < deadline)); then deadline=$code_deadline; fi
    if wait_until "$deadline" device_pending_or_approved; then
      code_out_runs=
      break
    fi
    # Refused or expired: the node must not try the same code again.
    systemctl stop "$node_unit"
    code_out_runs=
    ((try < code_tries)) || die "$name: no device pairing request or approval with any of $code_tries setup codes"
    log "$name: setup code $try brought no pairing request (refused, or unused while valid); minting another"
  done
  if [[ -n $req ]]; then
    oc devices approve "$req" >/dev/null
    log "device of $name approved"
    # 2. Reconnecting with the code, it receives its own device token and asks for its command surface.
    systemctl restart "$node_unit"
    wait_for "command-surface request" surface_pending_or_approved
  fi
fi

# 3. From now on it connects with its device token alone; its command surface is approved.
rm -f "$env_file"
systemctl restart "$node_unit"
req=-
wait_for "connection on its device token" surface_pending_or_approved
approved || oc nodes approve "$req" >/dev/null
wait_for "approved connection" approved
log "$name paired; command surface approved: ${AGENT_NODE_COMMANDS.join(" ")}"
`;

export function renderPairScript(): string {
  return PAIR_SCRIPT_TEXT;
}

/** The root oneshot that pairs the node host at boot when it holds no device token yet. */
export function renderAgentPairUnit(model: StackModel): string {
  return unit([
    [
      "Unit",
      [
        `Description=clawkeep: pair the agent's node host with the gateway of cell ${model.cellName} (single-use setup code)`,
        `Requires=${GATEWAY_UNIT} ${TOKEN_UNIT}`,
        `After=${GATEWAY_UNIT} ${TOKEN_UNIT} ${INGRESS_SOCKET}`,
      ],
    ],
    [
      "Service",
      [
        "Type=oneshot",
        "RemainAfterExit=yes",
        `ExecStart=${PAIR_SCRIPT} ${model.gateway.port}`,
        why("Each OpenClaw CLI run and node restart takes seconds; under emulation, minutes."),
        "TimeoutStartSec=1200",
        "UMask=0077",
        why(`The setup code's file, for the node's two pairing runs only.`),
        `RuntimeDirectory=${dirUnder("/run/", PAIR_RUNTIME_DIR)}`,
        "RuntimeDirectoryMode=0700",
        "NoNewPrivileges=yes",
        why("Root without capabilities: it reads the root-owned staged token and asks systemd (over D-Bus) to restart the node."),
        "CapabilityBoundingSet=",
        "AmbientCapabilities=",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "DevicePolicy=closed",
        "PrivateIPC=yes",
        "PrivateMounts=yes",
        ...KERNEL_PROTECTIONS,
        ...ROOT_HELPER_RESTRICTIONS,
        "RemoveIPC=yes",
        why("Loopback only: the gateway through the ingress bridge."),
        "IPAddressAllow=localhost",
        "IPAddressDeny=any",
        why("Left off on purpose (each is a line in systemd-analyze security's report):"),
        why("User= not set: it reads the root-only staged token; it holds no capabilities."),
        why("PrivateUsers= not set: systemd's D-Bus API refuses the restart request of a caller whose uid it cannot map."),
        why("PrivateNetwork= not set: the gateway's ingress bridge listens on the host's loopback."),
        why("MemoryDenyWriteExecute= not set: the OpenClaw CLI runs on Node, whose JIT needs W+X pages."),
        why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
        why("RestrictAddressFamilies= keeps AF_UNIX (systemd, D-Bus) and AF_INET/AF_INET6 (the gateway on loopback)."),
        why("IPAddressDeny= allows localhost only; DeviceAllow= char-rtc r comes with ProtectClock=."),
      ],
    ],
    ["Install", ["WantedBy=multi-user.target"]],
  ]);
}

const WORKSPACE_SHARE_TEXT = `// clawkeep: share what the gateway writes in the workspace with the workspace's group.
// OpenClaw's file tools create files 0600 and directories 0700 (fs-safe atomic writes), so the agent's
// commands, under their own user, could not read what the agent itself just wrote. Run as the gateway's
// user (only an owner may chmod), this adds the group's read/write (and search on directories) to what
// that user owns; "other" stays empty. Symlinks are never followed: each entry is opened O_NOFOLLOW and
// changed through its descriptor.
import * as fs from "node:fs";
import * as path from "node:path";

const root = process.argv[2];
if (!root || !path.isAbsolute(root)) {
  console.error("usage: workspace-share.mjs ABSOLUTE_DIR");
  process.exit(2);
}
const uid = process.getuid();
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = fs.constants;

function share(file) {
  let fd;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } catch {
    return; // gone, a symlink (ELOOP), or not ours to open
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.uid !== uid || !(st.isFile() || st.isDirectory())) return;
    const mode = st.mode & 0o7777;
    const want = (mode | (st.isDirectory() ? 0o070 : 0o060)) & ~0o007;
    if (want !== mode) fs.fchmodSync(fd, want);
  } finally {
    fs.closeSync(fd);
  }
}

function walk(dir) {
  share(dir);
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile()) share(p);
  }
}

walk(root);
fs.watch(root, { recursive: true }, (_event, name) => {
  if (!name) return walk(root);
  const p = path.join(root, name.toString());
  share(p);
  // A directory created or moved in arrives with its contents.
  try {
    if (fs.lstatSync(p).isDirectory()) walk(p);
  } catch {}
});
console.log(\`workspace-share: watching \${root}\`);
`;

export function renderWorkspaceShareScript(): string {
  return WORKSPACE_SHARE_TEXT;
}

/** The gateway's user, sharing its workspace files with the group; nothing else of the gateway's is visible. */
export function renderWorkspaceShareUnit(model: StackModel): string {
  return unit([
    [
      "Unit",
      [`Description=clawkeep: share the gateway's workspace files with the agent's commands (cell ${model.cellName})`, `After=${GATEWAY_UNIT}`],
    ],
    [
      "Service",
      [
        "Type=exec",
        `User=${SERVICE_USER}`,
        `Group=${SERVICE_GROUP}`,
        why("SupplementaryGroups= set: the workspace's group, whose members it shares files with."),
        `SupplementaryGroups=${WORK_GROUP}`,
        `ExecStart=${PATHS.nodeBin} ${WORKSPACE_SHARE_SCRIPT} ${PATHS.workspaceDir}`,
        "Restart=always",
        "RestartSec=5",
        why("UMask=0007: it creates nothing; the group bits are what it grants."),
        "UMask=0007",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
        "AmbientCapabilities=",
        "ProtectSystem=strict",
        `ReadWritePaths=${PATHS.workspaceDir}`,
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "DevicePolicy=closed",
        "PrivateUsers=yes",
        "PrivateIPC=yes",
        "PrivateMounts=yes",
        "PrivateNetwork=yes",
        "IPAddressDeny=any",
        ...KERNEL_PROTECTIONS,
        "RestrictRealtime=yes",
        "RestrictSUIDSGID=yes",
        "RestrictNamespaces=yes",
        "RemoveIPC=yes",
        "RestrictAddressFamilies=AF_UNIX",
        "SystemCallArchitectures=native",
        "SystemCallFilter=@system-service",
        "SystemCallFilter=~@privileged @resources",
        "SystemCallErrorNumber=EPERM",
        why("The gateway's user, none of the gateway's files: state, logs, config, credentials."),
        `InaccessiblePaths=${AGENT_HIDDEN_PATHS.map((p) => `-${p}`).join(" ")}`,
        "NoExecPaths=/",
        `ExecPaths=${PATHS.runtimesDir} ${LIB_DIR}`,
        why("Left off on purpose (each is a line in systemd-analyze security's report):"),
        why("MemoryDenyWriteExecute= not set: V8's JIT needs W+X pages (nodejs/node#55509)."),
        why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
        why("RestrictAddressFamilies= keeps AF_UNIX only (Node's own IPC); DeviceAllow= char-rtc r comes with ProtectClock=."),
      ],
    ],
    ["Install", ["WantedBy=multi-user.target"]],
  ]);
}

/** Every file of the agent's side at levels that run commands; none below. */
export function agentHostFiles(model: StackModel, execApprovalsJson: string): HostFile[] {
  if (!execOnNode(model.capabilities)) return [];
  return [
    unitFile(AGENT_NODE_UNIT, renderAgentNodeUnit(model)),
    unitFile(AGENT_PAIR_UNIT, renderAgentPairUnit(model)),
    unitFile(WORKSPACE_SHARE_UNIT, renderWorkspaceShareUnit(model)),
    { path: PAIR_SCRIPT, content: renderPairScript(), mode: "0750", owner: ROOT_OWNER },
    { path: WORKSPACE_SHARE_SCRIPT, content: renderWorkspaceShareScript(), mode: "0644", owner: ROOT_OWNER },
    // The same allowlist as the gateway's: the node enforces its own copy, the gateway its policy.
    { path: PATHS.agentExecApprovalsFile, content: execApprovalsJson, mode: "0644", owner: ROOT_OWNER },
    ...gitWrapperHostFiles(),
  ];
}
