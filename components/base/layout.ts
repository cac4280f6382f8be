// The host's file-system and process layout: the contract between the user data, the boot scripts,
// the systemd units and the OpenClaw config. Every renderer takes its paths and names from here.
import type { ModelProvider } from "../../stacks/trustLevels";

export const SERVICE_USER = "openclaw";
export const SERVICE_GROUP = "openclaw";
export const NOLOGIN_SHELL = "/usr/sbin/nologin";

/** The gateway's systemd unit; credentials land in /run/credentials/<unit>/ (systemd's fixed path). */
export const GATEWAY_UNIT = "openclaw-gateway.service";
/** Root oneshot that fetches the token from Secrets Manager before the gateway starts. */
export const TOKEN_UNIT = "clawkeep-token.service";
export const TOKEN_CREDENTIAL = "gateway-token";
export const CREDENTIALS_DIR = `/run/credentials/${GATEWAY_UNIT}`;

export const PATHS = {
  /** OpenClaw state (SQLite, sessions); 0700 openclaw. */
  stateDir: "/var/lib/openclaw",
  /** The agent's workspace, inside the state dir so the sandbox grants one writable tree. */
  workspaceDir: "/var/lib/openclaw/workspace",
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
  /** Pinned runtimes, root-owned, read-only to the service. */
  nodeDir: "/opt/clawkeep/node",
  nodeBin: "/opt/clawkeep/node/bin/node",
  openclawDir: "/opt/clawkeep/openclaw",
  openclawEntry: "/opt/clawkeep/openclaw/node_modules/openclaw/openclaw.mjs",
  /** Kit scripts run by root units. */
  libexecDir: "/usr/local/libexec/clawkeep",
  /** Facts the boot scripts need (secret ARN, region); no secret values. */
  envFile: "/etc/clawkeep/host.env",
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
