// The host's file-system and process layout: the contract between the user data, the boot scripts,
// the systemd units and the OpenClaw config. Every renderer takes its paths and names from here.
import type { ModelProvider } from "../../stacks/trustLevels";
import { AGENT_BIN_DIR, AGENT_GIT, AGENT_TOOLS_DIR } from "../../stacks/execAllowlist";

export const SERVICE_USER = "openclaw";
export const SERVICE_GROUP = "openclaw";
export const NOLOGIN_SHELL = "/usr/sbin/nologin";

/** The agent's own identity: the node host and every command it runs (levels with commands). */
export const AGENT_USER = "openclaw-agent";
/** The workspace's group: the gateway's file tools and the agent's commands both write it. */
export const WORK_GROUP = "openclaw-work";
/** The OpenClaw node host that runs the agent's commands, as AGENT_USER in its own sandbox. */
export const AGENT_NODE_UNIT = "openclaw-agent-node.service";
/** Root oneshot that pairs the node host with the gateway once, with a single-use setup code. */
/** Shares what the gateway's file tools write with the workspace group (components/agent/nodeHost.ts). */
export const WORKSPACE_SHARE_UNIT = "clawkeep-workspace-share.service";
export const WORKSPACE_SHARE_SCRIPT = "/usr/local/lib/clawkeep/workspace-share.mjs";
/** journald's caps for the host (components/host/systemdUnits.ts). */
export const JOURNALD_DROPIN_PATH = "/etc/systemd/journald.conf.d/50-clawkeep.conf";
export const AGENT_PAIR_UNIT = "clawkeep-agent-pair.service";
/** The node's name at the gateway (tools.exec.node). */
export const AGENT_NODE_NAME = "agent-node";
/** The node's command surface: running commands and what approvals need, nothing else (no files, browser, MCP). */
export const AGENT_NODE_COMMANDS = ["system.run", "system.run.prepare", "system.which", "system.execApprovals.get"] as const;
/** HOME of the agent's login shell: absent, so no ~/.profile is ever read. */
export const AGENT_HOME = "/nonexistent";

/** The gateway's systemd unit; credentials land in /run/credentials/<unit>/ (systemd's fixed path). */
export const GATEWAY_UNIT = "openclaw-gateway.service";
/** Root oneshot that fetches the token from Secrets Manager before the gateway starts. */
export const TOKEN_UNIT = "clawkeep-token.service";
/** Root oneshot that finds, checks and mounts the cell's state volume; the gateway requires it. */
export const STATE_VOLUME_UNIT = "clawkeep-state-volume.service";
/** The units that run the OpenClaw runtime: an upgrade stops and starts them around the switch. */
export const RUNTIME_UNITS = [GATEWAY_UNIT] as const;
export const TOKEN_CREDENTIAL = "gateway-token";
export const CREDENTIALS_DIR = `/run/credentials/${GATEWAY_UNIT}`;

export const PATHS = {
  /** OpenClaw state (SQLite, sessions); 0700 openclaw. */
  stateDir: "/var/lib/openclaw",
  /** The agent's workspace, outside the gateway's 0700 state: group WORK_GROUP, setgid, default ACL. */
  workspaceDir: "/var/lib/openclaw-workspace",
  /** The node host's own OpenClaw state (its device identity and token, its approvals); 0700 AGENT_USER. */
  agentStateDir: "/var/lib/openclaw-agent-node",
  /** The node host's exec approvals, the same allowlist as the gateway's; root-owned, readable by AGENT_USER. */
  agentConfigDir: "/etc/openclaw-agent",
  agentExecApprovalsFile: "/etc/openclaw-agent/exec-approvals.json",
  /** The agent's tools (the git wrapper); root-owned, on the node's PATH first. */
  agentToolsDir: AGENT_TOOLS_DIR,
  agentBinDir: AGENT_BIN_DIR,
  agentGit: AGENT_GIT,
  agentGitScript: `${AGENT_TOOLS_DIR}/git-wrapper.sh`,
  /** Kit-owned config; 0750 root:openclaw, file 0640 root:openclaw, read-only to the service. */
  configDir: "/etc/openclaw",
  configFile: "/etc/openclaw/openclaw.json",
  /** Host exec approvals (allowlist, ask, askFallback deny); applied with `openclaw approvals set` at each start. */
  execApprovalsFile: "/etc/openclaw/exec-approvals.json",
  /** Gateway file logs; 0750 openclaw. */
  logDir: "/var/log/openclaw",
  /** Root-owned tmpfs staging area for secrets fetched at boot (0700 root). */
  runSecretsDir: "/run/clawkeep",
  tokenFile: "/run/clawkeep/gateway-token",
  /** Pinned runtimes: links into runtimesDir, switched atomically by an upgrade; root-owned, read-only to the service. */
  nodeDir: "/opt/clawkeep/node",
  nodeBin: "/opt/clawkeep/node/bin/node",
  openclawDir: "/opt/clawkeep/openclaw",
  openclawEntry: "/opt/clawkeep/openclaw/node_modules/openclaw/openclaw.mjs",
  /** Each installed runtime in a directory of its own (node-<version>, openclaw-<version>), never changed once complete. */
  runtimesDir: "/opt/clawkeep/runtimes",
  /** The cell's state volume, root 0700: each state tree is a subdirectory bind-mounted at its path. */
  stateVolumeDir: "/var/lib/clawkeep/state-volume",
  /** The running bundle and the one before it (root 0700), for an in-place apply and its rollback. */
  bundleStateDir: "/var/lib/clawkeep/bundle",
  /** Kit scripts run by root units. */
  libexecDir: "/usr/local/libexec/clawkeep",
  /** The service's directories (systemd-tmpfiles): created at boot, re-applied once the state volume is mounted. */
  tmpfilesConf: "/etc/tmpfiles.d/clawkeep.conf",
  /** Facts the boot scripts need (secret ARN, region); no secret values. */
  envFile: "/etc/clawkeep/host.env",
  /** The pinned runtime versions (Node, npm, OpenClaw): a change is a runtime upgrade. */
  runtimeEnvFile: "/etc/clawkeep/runtime.env",
  /** Facts for the host's whole life, from the user data: the state volume, the bundle pointer. */
  instanceEnvFile: "/etc/clawkeep/instance.env",
  compileCache: "/var/tmp/openclaw-compile-cache",
} as const;

/** The host's pickup script: the gateway takes a new token or provider key (components/host/pickupToken.ts). */
export const PICKUP_SCRIPT_PATH = `${PATHS.libexecDir}/pickup-token`;
/** One whole pickup run, restart included: the gateway may drain runs for 330 s, then start (90 s) and prove the token (90 s). */
export const PICKUP_TIMEOUT_SECONDS = 600;

/**
 * fetch-token stages provider keys in one directory beside the token, and the gateway unit loads the
 * directory (`LoadCredential=provider-keys:DIR`): systemd 252 fails a unit whose LoadCredential= file is
 * missing, but loads a directory's files, none at all when it is empty, so a key not yet put is no error.
 */
export const PROVIDER_KEYS_SUBDIR = "provider-keys";
export const PROVIDER_KEYS_DIR = `${PATHS.runSecretsDir}/${PROVIDER_KEYS_SUBDIR}`;
/** The credential id the gateway unit gives the directory; systemd names each file's credential `<id>_<file>`. */
export const PROVIDER_KEYS_CREDENTIAL = "provider-keys";

/** The file fetch-token writes a provider's key to, under PROVIDER_KEYS_DIR. */
export function providerKeyFileName(provider: ModelProvider): string {
  return `${provider}-api-key`;
}

/** The provider key's credential name in the gateway's credentials directory. */
export function providerKeyCredential(provider: ModelProvider): string {
  return `${PROVIDER_KEYS_CREDENTIAL}_${providerKeyFileName(provider)}`;
}

/** A tree of the gateway's state that lives on the state volume, in a subdirectory of its own. */
export interface StateTree {
  /** Its directory on the volume (a name, no slash). */
  name: string;
  /** Where the host sees it (a bind mount). */
  path: string;
  owner: string;
  group: string;
  mode: string;
}

/** Everything that must outlive a host: on the state volume, mounted before the gateway starts. */
export const STATE_TREES: readonly StateTree[] = [
  { name: "openclaw", path: PATHS.stateDir, owner: SERVICE_USER, group: SERVICE_GROUP, mode: "0700" },
  // The agent's workspace (its files, memory, git history). Where commands run it is shared with the workspace
  // group: the unit's systemd-tmpfiles step, right after the mount, gives it that level's mode, group and ACL.
  { name: "workspace", path: PATHS.workspaceDir, owner: SERVICE_USER, group: SERVICE_GROUP, mode: "0700" },
];
