// The EC2 user data: one #cloud-config document that creates the service user, lays down every host
// file, and runs first boot in a fixed order. EC2 stores user data in clear text, so the renderer
// refuses any document that carries a secret value; only references (secret ARN, region) go in.
import * as zlib from "node:zlib";
import { stringify } from "yaml";
import { SECRET_KEYS, type StackModel } from "../../stacks/schema";
import { AGENT_HOME, AGENT_NODE_UNIT, AGENT_PAIR_UNIT, AGENT_USER, GATEWAY_UNIT, NOLOGIN_SHELL, PATHS, SERVICE_GROUP, SERVICE_USER, TOKEN_UNIT, WORK_GROUP } from "../base/layout";
import { execOnNode } from "../gateway/openclawConfig";
import { WORKSPACE_SHARE_UNIT } from "../agent/nodeHost";
import { GATEWAY_AUDIT_LOG_DIR, GATEWAY_JOURNAL_UNIT } from "./cloudwatchAgent";
import { assertVolumeId, stateVolumeHostFiles } from "../state/hostFiles";
import { APPLY_BUNDLE, APPLY_TIMER } from "./bundleApply";
import { SESSION_USER } from "../access/sessionPreferences";
import { NETSANDBOX_PACKAGES, NETSANDBOX_SOCKETS } from "../netsandbox/hostFiles";
import { SQUID_TMPFILES_PATH } from "../netsandbox/egressProxy";
import { tailscaleRuncmd } from "../tailscale/hostFiles";
import { HEALTH_TIMER, startCloudWatchAgentCommand } from "./cloudwatchAgent";
import { PICKUP_TIMER, pickupTokenFile, pickupUnitFiles } from "./pickupToken";
import { ssmAgentKeysFile } from "./ssmAgent";
import { imdsGuardDropIns, imdsGuardEarlyFiles, imdsGuardRuncmd } from "./imdsGuard";
import { credentialFindings } from "../../stacks/secretShapes";
import { ROOT_OWNER, unitFile, type HostFile } from "../base/hostFile";
import { JOURNALD_DROPIN_PATH } from "./systemdUnits";
import { SCRIPT_NAMES, renderBootScripts, renderHostEnv, renderRuntimeEnv, scriptPath, type HostFacts } from "./bootScripts";
import { applyHostFiles } from "./bundleApply";
import { upgradeRuntimeFile } from "./runtimeUpgrade";

/** Host files rendered by the other host renderers (systemd units, journald cap, OpenClaw config). */
export interface RenderedHostConfig {
  gatewayUnit: string;
  tokenUnit: string;
  journald: string;
  openclawJson: string;
  execApprovalsJson: string;
}

export const TMPFILES_CONF = PATHS.tmpfilesConf;
export const AUTO_UPGRADES_CONF = "/etc/apt/apt.conf.d/20auto-upgrades";
/** EC2's user-data limit, on the raw bytes before base64. */
export const EC2_USER_DATA_LIMIT = 16 * 1024;

/** Debian packages first boot installs. Not version-pinned: Debian's archive keeps only each suite's current version. */
// dbus: OpenClaw reads its stop budget through `systemctl show`, which needs the system bus.
// auditd: the kit's watch rules; rsyslog: writes /var/log/auth.log, which the agent ships.
// nftables: the metadata service's root-only table (Priority important, so usually there already).
// logrotate: rotates the shipped copy of the gateway's audit trail (and squid's log).
// The network sandbox's own (squid-openssl, ...) last; a package both lists name appears once.
export const HOST_PACKAGES: readonly string[] = [
  ...new Set(["auditd", "awscli", "ca-certificates", "curl", "dbus", "logrotate", "nftables", "rsyslog", "unattended-upgrades", ...NETSANDBOX_PACKAGES]),
];
/** Levels that run commands: git behind the kit's wrapper, and jq for the jq preset. */
export const AGENT_PACKAGES = ["git", "jq"] as const;

export function hostPackages(model: StackModel): string[] {
  return [...HOST_PACKAGES, ...(execOnNode(model.capabilities) ? AGENT_PACKAGES : [])];
}

const ROOT = ROOT_OWNER;

/**
 * systemd-tmpfiles lines for the service's directories: created at boot, modes and owners re-applied. Where
 * the agent runs commands, the workspace belongs to the workspace group: setgid, so everything in it stays
 * the group's, and a default ACL, so what either side creates is the group's to read and write whatever
 * its umask (the gateway's file tools' own 0600 files are shared by the workspace-share unit).
 */
export function renderTmpfiles(model: StackModel): string {
  const svc = `${SERVICE_USER} ${SERVICE_GROUP}`;
  const shared = execOnNode(model.capabilities);
  return [
    "# clawkeep: the service's directories; systemd-tmpfiles creates them and re-applies mode and owner",
    "# (again once the state volume is mounted over them).",
    `d ${PATHS.stateDir} 0700 ${svc} -`,
    ...(shared
      ? [`d ${PATHS.workspaceDir} 2770 ${SERVICE_USER} ${WORK_GROUP} -`, `a+ ${PATHS.workspaceDir} - - - - group:${WORK_GROUP}:rwx,default:group:${WORK_GROUP}:rwx,default:mask::rwx,default:other::---`]
      : [`d ${PATHS.workspaceDir} 0700 ${svc} -`]),
    `d ${PATHS.configDir} 0750 root ${SERVICE_GROUP} -`,
    `d ${PATHS.logDir} 0750 ${svc} -`,
    // The gateway's audit trail as shipped: only root writes here (its journal shipper's output, opened by systemd).
    `d ${GATEWAY_AUDIT_LOG_DIR} 0750 root root -`,
    "",
  ].join("\n");
}

/** apt's periodic switches: refresh lists and run unattended-upgrades (Debian-Security origin by default) daily. */
export function renderAutoUpgrades(): string {
  return ['APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";', ""].join("\n");
}

/** Every file first boot writes, with its path, mode and owner from the layout contract. */
export function hostFiles(model: StackModel, rendered: RenderedHostConfig, facts: HostFacts): HostFile[] {
  const scripts = renderBootScripts();
  return [
    { path: PATHS.envFile, content: renderHostEnv(model, facts), mode: "0600", owner: ROOT },
    { path: PATHS.runtimeEnvFile, content: renderRuntimeEnv(model), mode: "0644", owner: ROOT },
    ...SCRIPT_NAMES.map((name) => ({ path: scriptPath(name), content: scripts[name], mode: "0750", owner: ROOT })),
    // Day two: the state volume, in-place applies after first boot, runtime upgrades with a way back.
    ...stateVolumeHostFiles(),
    ...applyHostFiles(),
    upgradeRuntimeFile(),
    unitFile(TOKEN_UNIT, rendered.tokenUnit),
    unitFile(GATEWAY_UNIT, rendered.gatewayUnit),
    { path: JOURNALD_DROPIN_PATH, content: rendered.journald, mode: "0644", owner: ROOT },
    { path: TMPFILES_CONF, content: renderTmpfiles(model), mode: "0644", owner: ROOT },
    { path: AUTO_UPGRADES_CONF, content: renderAutoUpgrades(), mode: "0644", owner: ROOT },
    { path: PATHS.configFile, content: rendered.openclawJson, mode: "0640", owner: `root:${SERVICE_GROUP}` },
    { path: PATHS.execApprovalsFile, content: rendered.execApprovalsJson, mode: "0640", owner: `root:${SERVICE_GROUP}` },
    ssmAgentKeysFile(),
    pickupTokenFile(),
    ...pickupUnitFiles(),
    // In the bundle too (the user data carries the first two), so a review of the bundle sees the whole guard.
    ...imdsGuardEarlyFiles(),
    ...imdsGuardDropIns(),
  ];
}

/** What in `text` looks like a secret: the model's own secret values, or what the policy pack refuses in host files (one predicate). Never the value itself. */
export function findSecretLeaks(model: StackModel, text: string): string[] {
  const leaks: string[] = [];
  for (const key of SECRET_KEYS) {
    const secret = model.secrets[key];
    if (secret && secret.value.length >= 8 && text.includes(secret.value)) leaks.push(`the value of ${key}`);
  }
  leaks.push(...credentialFindings(text));
  return leaks;
}

// cloud-init writes these before users and packages exist unless deferred to its final stage:
// files owned by the service group need the group, and apt's config must not be clobbered by a package install.
const mustDefer = (f: HostFile): boolean => f.owner !== ROOT || f.path.startsWith("/etc/apt/");

/** Throws if any host file would carry a secret: user data and the host bundle are stored in clear. */
export function assertNoSecrets(model: StackModel, files: HostFile[]): void {
  const leaks = files.flatMap((f) => findSecretLeaks(model, f.content).map((l) => `${f.path}: ${l}`));
  if (leaks.length > 0) throw new Error(`host files are stored in clear text and must hold no secret; found ${leaks.join("; ")}`);
}

/** What the host needs for its whole life, and nothing that may change while it runs: a change here is a new host. */
export interface InstanceFacts {
  region: string;
  /** The cell's state volume (EBS); a different volume needs a new host (the attachment moves with the instance). */
  stateVolumeId: string;
  bundleBucket: string;
  /** The SSM parameter naming the SHA-256 of the bundle the host must run. */
  bundleParameter: string;
}

/** instance.env: KEY=value lines, written by cloud-init from the user data, read as data. */
export function renderInstanceEnv(f: InstanceFacts): string {
  assertVolumeId(f.stateVolumeId);
  const entries: Array<[string, string]> = [
    ["AWS_REGION", f.region],
    ["CLAWKEEP_STATE_VOLUME_ID", f.stateVolumeId],
    ["CLAWKEEP_BUNDLE_BUCKET", f.bundleBucket],
    ["CLAWKEEP_BUNDLE_PARAMETER", f.bundleParameter],
  ];
  for (const [k, v] of entries) if (!/^[A-Za-z0-9/_.:-]+$/.test(v)) throw new Error(`instance.env ${k}: ${JSON.stringify(v)} is not a plain token`);
  return ["# clawkeep: facts for this host's whole life (from the user data). No secret values.", ...entries.map(([k, v]) => `${k}=${v}`), ""].join("\n");
}

export function instanceEnvFile(f: InstanceFacts): HostFile {
  return { path: PATHS.instanceEnvFile, content: renderInstanceEnv(f), mode: "0644", owner: ROOT };
}

/**
 * The mirror's sources.list: binary packages of main, its updates and security only. Debian's own
 * template adds deb-src and backports, 16 MB of indices per update that no host package needs.
 * cloud-init fills in $PRIMARY, $SECURITY and $RELEASE.
 */
export const MIRROR_SOURCES_LIST = ["deb $PRIMARY $RELEASE main", "deb $PRIMARY $RELEASE-updates main", "deb $SECURITY $RELEASE-security main", ""].join("\n");

/**
 * cloud-init's apt module for a Debian mirror pair. Debian's cloud.cfg sets preserve_sources_list: true,
 * which would keep the image's deb.debian.org sources and ignore the mirror: it is turned off here.
 */
export function aptMirrorConfig(mirror: { primary: string; security: string }): Record<string, unknown> {
  return {
    preserve_sources_list: false,
    primary: [{ arches: ["default"], uri: mirror.primary }],
    security: [{ arches: ["default"], uri: mirror.security }],
    sources_list: MIRROR_SOURCES_LIST,
    // Translations are for people browsing package descriptions; a headless host never shows one.
    conf: 'Acquire::Languages "none";\n',
  };
}

/**
 * The #cloud-config document for one gateway host: only what lasts the host's life (users, packages,
 * the metadata guard, apply-bundle, instance.env). `files` are written by cloud-init itself; the rest
 * arrive as the bundle the cell's pointer names, installed by apply-bundle before any other step runs,
 * and later changes arrive the same way without a new host.
 */
export function renderUserData(model: StackModel, files: HostFile[]): string {
  assertNoSecrets(model, files);

  const agent = execOnNode(model.capabilities);
  const doc = {
    ...(agent ? { groups: [WORK_GROUP] } : {}),
    users: [
      { name: SERVICE_USER, system: true, shell: NOLOGIN_SHELL, lock_passwd: true, no_create_home: true, homedir: PATHS.stateDir },
      // The agent's commands run as this user (the node host): no home, no shell, no password.
      ...(agent ? [{ name: AGENT_USER, system: true, shell: NOLOGIN_SHELL, lock_passwd: true, no_create_home: true, homedir: AGENT_HOME }] : []),
      // Session Manager's shells for the Operator role run as this user (SSMSessionRunAs): no sudo, no password.
      { name: SESSION_USER, shell: "/bin/bash", lock_passwd: true, groups: ["systemd-journal"], sudo: false },
    ],
    disable_root: true,
    ssh_pwauth: false,
    ...(model.packageMirror.debian ? { apt: aptMirrorConfig(model.packageMirror.debian) } : {}),
    package_update: true,
    package_upgrade: true,
    packages: hostPackages(model),
    write_files: files.map((f) => ({ path: f.path, owner: f.owner, permissions: f.mode, ...(mustDefer(f) ? { defer: true } : {}), ...(f.encoding === "base64" ? { encoding: "b64" } : {}), content: f.content })),
    // sshd is up before runcmd; stop and mask it at the first chance, harden-host then purges it.
    bootcmd: [["cloud-init-per", "once", "clawkeep-mask-sshd", "systemctl", "mask", "--now", "ssh.service", "ssh.socket"]],
    runcmd: [
      // cloud-init runs runcmd as one sh script: stop at the first failed step instead of starting a half-built host.
      "set -eu",
      // First: only root reaches the metadata service (the role's credentials), before any session or the gateway can exist.
      imdsGuardRuncmd(),
      // The bundle the cell's pointer names, verified by SHA-256 (retries while the new host's bindings settle).
      [APPLY_BUNDLE, "--first-boot"],
      ["systemd-tmpfiles", "--create", TMPFILES_CONF],
      [scriptPath("harden-host")],
      // SSM before the runtime, so a failed install can still be looked at through Session Manager.
      [scriptPath("install-ssm-agent")],
      // The CloudWatch agent ships the gateway, proxy, auth and audit logs (signed .deb, pinned signer).
      [scriptPath("install-cloudwatch-agent")],
      startCloudWatchAgentCommand(),
      [scriptPath("install-runtime")],
      ["systemctl", "daemon-reload"],
      // The sandbox's bridges (egress into squid, ingress to the gateway), then squid on the kit's config.
      ["systemctl", "enable", ...NETSANDBOX_SOCKETS],
      ["systemctl", "restart", "squid.service"],
      // Only now: the package's first squid (Debian's config, as root) removes /run/squid.pid, link or not, when it stops.
      ["systemd-tmpfiles", "--create", SQUID_TMPFILES_PATH],
      // The token unit has no [Install]: the gateway's Requires= pulls it in at every boot.
      ["systemctl", "start", TOKEN_UNIT],
      // The gateway's journal, copied by a root-owned shipper to the file the CloudWatch agent sends.
      ["systemctl", "enable", "--now", GATEWAY_JOURNAL_UNIT],
      // Requires= the state volume: on a replacement this waits until the old host has stopped and the volume moved.
      ["systemctl", "enable", "--now", GATEWAY_UNIT],
      // The agent's side: its workspace sharing, and the node host enabled for every boot (paired last, below).
      ...(agent ? [["systemctl", "enable", "--now", WORKSPACE_SHARE_UNIT], ["systemctl", "enable", AGENT_NODE_UNIT, AGENT_PAIR_UNIT]] : []),
      // Join the tailnet with the one-shot key and publish the gateway with Serve (never Funnel).
      ...tailscaleRuncmd(model.tailscale),
      // Fallback pickup of a rotated or revoked token (EventBridge is the fast path).
      ["systemctl", "enable", "--now", PICKUP_TIMER],
      // Fallback pickup of a new bundle (the deploy's Run Command is the fast path).
      ["systemctl", "enable", "--now", APPLY_TIMER],
      // auditd picks up the kit's rules; the /healthz metric every minute.
      ["augenrules", "--load"],
      ["systemctl", "enable", "--now", HEALTH_TIMER],
      // Pairing takes several OpenClaw CLI runs; last, so a failure leaves every other part of the host in place.
      ...(agent ? [["systemctl", "start", AGENT_PAIR_UNIT]] : []),
    ],
  };
  // No trust level here: a promotion changes the bundle, never the host.
  const header = `#cloud-config\n# clawkeep cell ${model.cellName}. Generated; holds no secret values.\n`;
  const text = header + stringify(doc, { lineWidth: 0 });
  const docLeaks = findSecretLeaks(model, text);
  if (docLeaks.length > 0) throw new Error(`user data must hold no secret; found ${docLeaks.join("; ")}`);
  return text;
}

export interface EncodedUserData {
  /** gzip, then base64: for the instance's `userDataBase64`. cloud-init unpacks gzip itself. */
  base64: string;
  rawBytes: number;
  gzippedBytes: number;
}

/** Compress user data for EC2 and check it fits the 16 KB limit. */
export function encodeUserData(userData: string): EncodedUserData {
  const raw = Buffer.from(userData, "utf8");
  const gzipped = zlib.gzipSync(raw, { level: 9 });
  if (gzipped.length > EC2_USER_DATA_LIMIT) {
    throw new Error(`user data is ${gzipped.length} bytes gzipped (${raw.length} raw); EC2 accepts at most ${EC2_USER_DATA_LIMIT}`);
  }
  return { base64: gzipped.toString("base64"), rawBytes: raw.length, gzippedBytes: gzipped.length };
}
