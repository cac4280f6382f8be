// The instance metadata service for root only: an nftables table that refuses every socket not owned
// by uid 0 on the way to the metadata addresses, loaded by a kit unit before the network comes up on
// every boot, and as the very first runcmd step of the first. The instance role's credentials then
// reach only root's agents and kit helpers, never an Operator's session user or the gateway's user.
// Pure renderers: the tests load this exact text with the real `nft` in namespaces they create.
import { KERNEL_PROTECTIONS } from "../base/sandboxDirectives";
import { GATEWAY_UNIT } from "../base/layout";
import { ROOT_OWNER, SYSTEMD_UNIT_DIR, unitFile, type HostFile } from "../base/hostFile";

/** EC2's metadata service: IPv4, and the Nitro IPv6 address (used only when the instance enables it). */
export const IMDS_IPV4 = "169.254.169.254";
export const IMDS_IPV6 = "fd00:ec2::254";
/** The kit's own table: replaced as a whole, never touching anyone else's rules. */
export const IMDS_TABLE = "clawkeep_imds";
export const IMDS_RULESET_PATH = "/etc/clawkeep/imds.nft";
export const IMDS_GUARD_UNIT = "clawkeep-imds-guard.service";
export const NFT = "/usr/sbin/nft";
/** Units that must never run while the metadata service is open: sessions land through the SSM agent. */
export const IMDS_GUARDED_UNITS = ["amazon-ssm-agent.service", GATEWAY_UNIT, "squid.service"] as const;
const DROPIN_NAME = "10-clawkeep-imds-guard.conf";

/**
 * The ruleset. `table ...; delete table ...;` first makes one load atomic and idempotent (nft applies
 * the file as one transaction). `skuid != 0` rather than `accept root, drop the rest`: packets with no
 * socket (TIME_WAIT ACKs of root's own connections) pass. TCP gets a reset, so a refused user fails at
 * once instead of hanging; anything else is dropped.
 */
export function renderImdsRuleset(): string {
  return [
    `# clawkeep: only sockets owned by root reach the instance metadata service (and the role's credentials).`,
    `# Loaded by ${IMDS_GUARD_UNIT}; a table of its own, replaced atomically; other tables are never touched.`,
    `table inet ${IMDS_TABLE}`,
    `delete table inet ${IMDS_TABLE}`,
    `table inet ${IMDS_TABLE} {`,
    `\tchain output {`,
    `\t\ttype filter hook output priority filter - 10; policy accept;`,
    `\t\tip daddr ${IMDS_IPV4} meta skuid != 0 meta l4proto tcp counter reject with tcp reset comment "imds: root only"`,
    `\t\tip daddr ${IMDS_IPV4} meta skuid != 0 counter drop comment "imds: root only (not tcp)"`,
    `\t\tip6 daddr ${IMDS_IPV6} meta skuid != 0 meta l4proto tcp counter reject with tcp reset comment "imds6: root only"`,
    `\t\tip6 daddr ${IMDS_IPV6} meta skuid != 0 counter drop comment "imds6: root only (not tcp)"`,
    `\t}`,
    `}`,
    "",
  ].join("\n");
}

const why = (text: string): string => `# ${text}`;
const LOAD = `${NFT} -f ${IMDS_RULESET_PATH}`;

/** The guard: early boot (before the network, sessions and the gateway), fails closed, no stop action. */
export function renderImdsGuardUnit(): string {
  return [
    "[Unit]",
    "Description=clawkeep: only root-owned sockets reach the instance metadata service",
    why("Early boot: before any interface is configured, so no non-root process ever sees an open metadata service."),
    "DefaultDependencies=no",
    "Wants=network-pre.target",
    "Before=network-pre.target sysinit.target shutdown.target",
    why("Debian's nftables.service starts with `flush ruleset`: load after it (its drop-in reloads this table too)."),
    "After=local-fs.target nftables.service",
    "Conflicts=shutdown.target",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=${LOAD}`,
    `ExecStartPost=${NFT} list chain inet ${IMDS_TABLE} output`,
    why("No ExecStop=: stopping the unit never opens the metadata service again."),
    why("Root, bounded to CAP_NET_ADMIN: nft needs it in the host's network namespace (no PrivateNetwork=/PrivateUsers=);"),
    why("  DynamicUser= hangs this early-boot unit (seen under a private systemd 252), so the user stays root."),
    "CapabilityBoundingSet=CAP_NET_ADMIN",
    "NoNewPrivileges=yes",
    "UMask=0077",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    "PrivateIPC=yes",
    "PrivateMounts=yes",
    "RemoveIPC=yes",
    ...KERNEL_PROTECTIONS,
    "RestrictAddressFamilies=AF_NETLINK",
    "IPAddressDeny=any",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "RestrictNamespaces=yes",
    "MemoryDenyWriteExecute=yes",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged @resources",
    "SystemCallErrorNumber=EPERM",
    why("Left off on purpose: CapabilityBoundingSet=/RestrictAddressFamilies= keep CAP_NET_ADMIN and AF_NETLINK, the"),
    why("  whole job; DeviceAllow= char-rtc r comes with ProtectClock=."),
    "",
    "[Install]",
    "WantedBy=sysinit.target",
    "",
  ].join("\n");
}

/** For each guarded unit: it needs the guard, so it never starts (nor a session) when the table did not load. */
export function renderGuardedDropIn(): string {
  return ["[Unit]", why("No start while the metadata service is open to every user (fail closed)."), `Requires=${IMDS_GUARD_UNIT}`, `After=${IMDS_GUARD_UNIT}`, ""].join("\n");
}

/** Debian's nftables.service flushes every table on start, reload and stop: put the kit's back each time. */
export function renderNftablesDropIn(): string {
  return ["[Service]", why(`nftables.service runs \`flush ruleset\`; the metadata table comes back after each of its actions.`), `ExecStartPost=${LOAD}`, `ExecReload=${LOAD}`, `ExecStopPost=${LOAD}`, ""].join("\n");
}

const dropInPath = (unit: string): string => `${SYSTEMD_UNIT_DIR}/${unit}.d/${DROPIN_NAME}`;

/** The ruleset and its unit: small, so they travel in the user data itself and load before the bundle. */
export function imdsGuardEarlyFiles(): HostFile[] {
  return [{ path: IMDS_RULESET_PATH, content: renderImdsRuleset(), mode: "0644", owner: ROOT_OWNER }, unitFile(IMDS_GUARD_UNIT, renderImdsGuardUnit())];
}

/** The drop-ins that tie the guarded units (and Debian's nftables.service) to the guard. */
export function imdsGuardDropIns(): HostFile[] {
  return [
    ...IMDS_GUARDED_UNITS.map((u) => ({ path: dropInPath(u), content: renderGuardedDropIn(), mode: "0644", owner: ROOT_OWNER })),
    { path: dropInPath("nftables.service"), content: renderNftablesDropIn(), mode: "0644", owner: ROOT_OWNER },
  ];
}

/** First boot: the guard is enabled (every later boot) and started (now) before anything else runs. */
export function imdsGuardRuncmd(): string[] {
  return ["systemctl", "enable", "--now", IMDS_GUARD_UNIT];
}
