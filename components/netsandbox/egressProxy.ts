// The egress proxy: Debian's squid (the squid-openssl build), run by Debian's squid.service with a
// drop-in that points it at the kit's own config and confines it. Deny by default: CONNECT to port 443
// of the names the trust level allows, never to an address inside the host, the VPC or the tailnet,
// and only when the TLS server name the client sends (SNI) is that same name: squid peeks at each
// ClientHello and splices only an exact match, so the name on the CONNECT line is the name reached.
// Every request, refused or tunnelled, is one access-log line that CloudWatch metric filters count.
import type { StackModel } from "../../stacks/schema";
import { vpcResolver } from "../../stacks/cidr";
import { KERNEL_PROTECTIONS } from "../base/sandboxDirectives";
import { PROXY_HOST, PROXY_PORT, TLS_PORT } from "./addresses";
import { EGRESS_SELFCHECK, EGRESS_TLS_CERT, EGRESS_TLS_KEY, EGRESS_TLS_UNIT, SELFCHECK_SOURCE, SNI_HELPER, SQUID_GROUP, SQUID_USER, type SelfcheckFields } from "./egressScripts";

/** The kit's squid config; not Debian's conffile, so security updates of squid apply unattended. */
export const SQUID_CONF_PATH = "/etc/squid/clawkeep-egress.conf";
export const SQUID_DROPIN_PATH = "/etc/systemd/system/squid.service.d/clawkeep.conf";
/** In /var/log/squid, so Debian's logrotate (daily, `squid -k rotate`) keeps it in bounds. */
export const EGRESS_ACCESS_LOG = "/var/log/squid/access.log";
/** In squid's RuntimeDirectory=, writable by squid's own user. */
export const SQUID_PID_FILE = "/run/squid/squid.pid";
/** Where Debian's logrotate looks for squid's pid (`test -e /run/squid.pid || squid -k rotate`): a link to SQUID_PID_FILE. */
export const DEBIAN_SQUID_PID_LINK = "/run/squid.pid";
export const SQUID_TMPFILES_PATH = "/etc/tmpfiles.d/clawkeep-egress.conf";

/**
 * Every access-log line, one space between fields: squid's native fields (so `TCP_DENIED`, `TCP_TUNNEL`
 * and `CONNECT host:443` match as terms), the CONNECT name, then the TLS server name the client sent
 * (URL-quoted, `-` for none) and what squid did with the tunnel (splice, terminate, bump for a refused
 * CONNECT, peek when no TLS came, `-` when squid never looked), each labelled `sni=`/`bump=`.
 */
const LOG_COLUMNS = [
  ["time", "%ts.%03tu"],
  ["elapsedMs", "%tr"],
  ["client", "%>a"],
  ["status", "%Ss/%03>Hs"],
  ["bytes", "%<st"],
  ["method", "%rm"],
  ["url", "%ru"],
  ["hierarchy", "%Sh/%<a"],
  ["domain", "%>rd"],
  ["sni", "sni=%#ssl::>sni"],
  ["bump", "bump=%ssl::bump_mode"],
] as const;
export type EgressLogField = (typeof LOG_COLUMNS)[number][0];
export const EGRESS_LOG_FIELDS: readonly EgressLogField[] = LOG_COLUMNS.map(([f]) => f);
export const EGRESS_LOG_FORMAT = LOG_COLUMNS.map(([, code]) => code).join(" ");
/** Fields logged as `name=value`; the parser strips the label. */
const LABELLED: ReadonlySet<EgressLogField> = new Set(LOG_COLUMNS.filter(([f, code]) => code.startsWith(`${f}=`)).map(([f]) => f));

export type EgressLogLine = Record<EgressLogField, string>;

/** One access-log line split into its named fields (labels stripped); undefined for anything else. */
export function parseEgressLogLine(line: string): EgressLogLine | undefined {
  const parts = line.trim().split(" ");
  if (parts.length !== EGRESS_LOG_FIELDS.length) return undefined;
  const out: Partial<EgressLogLine> = {};
  for (const [i, f] of EGRESS_LOG_FIELDS.entries()) {
    const label = `${f}=`;
    if (LABELLED.has(f) && !parts[i].startsWith(label)) return undefined;
    out[f] = LABELLED.has(f) ? parts[i].slice(label.length) : parts[i];
  }
  return out as EgressLogLine;
}

/** A CloudWatch space-delimited pattern over the access log: `conditions` maps a field to its test. */
function egressLogPattern(conditions: Partial<Record<EgressLogField, string>>): string {
  return `[${EGRESS_LOG_FIELDS.map((f) => conditions[f] ?? f).join(", ")}]`;
}
const value = (f: EgressLogField, v: string): string => (LABELLED.has(f) ? `"${f}=${v}"` : `"${v}"`);

/** A request squid refused on its CONNECT line: off the list, not 443, an address, not CONNECT. */
export const EGRESS_DENIED_PATTERN = '"TCP_DENIED"';
/**
 * A tunnel squid cut after reading its ClientHello: a server name other than the CONNECT name, none,
 * or no TLS at all (peek). The self-check's own handshakes come from SELFCHECK_SOURCE and do not count.
 */
export const EGRESS_SNI_REFUSED_PATTERN = egressLogPattern({
  client: `client != ${value("client", SELFCHECK_SOURCE)}`,
  method: `method = ${value("method", "CONNECT")}`,
  bump: `bump = ${value("bump", "terminate")} || bump = ${value("bump", "peek")}`,
});
/** A CONNECT squid never looked into (bump=-): squid lost its TLS setup and is tunnelling unchecked. */
export const EGRESS_UNCHECKED_PATTERN = egressLogPattern({ method: `method = ${value("method", "CONNECT")}`, bump: `bump = ${value("bump", "-")}` });

/** Where the self-check finds its fields in a line. */
export function selfcheckFields(): SelfcheckFields {
  const at = (f: EgressLogField) => EGRESS_LOG_FIELDS.indexOf(f);
  return { client: at("client"), method: at("method"), url: at("url"), sni: at("sni"), bump: at("bump"), count: EGRESS_LOG_FIELDS.length };
}

/**
 * Destinations no allowlisted name may resolve to (DNS rebinding, SSRF): the instance metadata and
 * every link-local address, loopback, the private ranges (the VPC), CGNAT (the tailnet), benchmark,
 * multicast and reserved space, and the IPv6 forms that embed or mirror them (not ::/96 or ::ffff:0:0/96:
 * squid keeps IPv4 addresses in IPv4-mapped form, so those would cover every IPv4 address). The documentation
 * ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are not routed on the internet at all, so
 * listing them would block nothing there; the namespace test uses them as its fake internet.
 */
export const NON_PUBLIC_RANGES = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/3",
  "::/128",
  "::1",
  "64:ff9b::/96",
  "100::/64",
  "2001::/32",
  "2002::/16",
  "fc00::/7",
  "fe80::/10",
  "fec0::/10",
  "ff00::/8",
] as const;

/**
 * The allowlist as squid dstdomain entries: `*.example.com` becomes `.example.com` (squid's
 * wildcard, which also matches example.com itself), names a wildcard already covers are dropped
 * (squid refuses overlapping entries), sorted for a stable file.
 */
export function squidDomains(domains: readonly string[]): string[] {
  const entries = [...new Set(domains.map((d) => (d.startsWith("*.") ? d.slice(1) : d).toLowerCase()))];
  const wildcards = entries.filter((d) => d.startsWith("."));
  const covered = (d: string) => wildcards.some((w) => w !== d && (`.${d}` === w || d.endsWith(w)));
  return entries.filter((d) => !covered(d)).sort();
}

/** squidDomains() of a list that must not be empty: a proxy that allows nothing leaves the gateway without its provider. */
function allowlistEntries(domains: readonly string[]): string[] {
  const entries = squidDomains(domains);
  if (entries.length === 0) throw new Error("the egress allowlist is empty: the gateway could not reach its model provider");
  return entries;
}

/** The name the self-check CONNECTs to: the first allowlisted name (a wildcard's own domain, which it matches too). */
export function selfcheckName(domains: readonly string[]): string {
  return allowlistEntries(domains)[0].replace(/^\./, "");
}

/** squid's whole config for one cell: nothing is inherited from Debian's squid.conf. */
export function renderSquidConf(model: StackModel): string {
  const domains = allowlistEntries(model.egressDomains);
  // One pair per entry: the CONNECT name and the server name must both be that entry (a wildcard: both under it).
  const pairs = domains.flatMap((d, i) => [`acl clawkeep_connect_${i + 1} dstdomain -n ${d}`, `acl clawkeep_sni_${i + 1} ssl::server_name --client-requested ${d}`]);
  const splices = domains.map((_, i) => `ssl_bump splice clawkeep_step2 clawkeep_sni_is_connect clawkeep_connect_${i + 1} clawkeep_sni_${i + 1}`);
  return `${[
    `# clawkeep egress proxy of cell ${model.cellName} (trust level ${model.trustLevel} ${model.capabilities.name}): the gateway's only way out.`,
    `# Deny by default: CONNECT to port ${TLS_PORT} of the names below, never to an address inside the host, VPC or tailnet,`,
    "# and only with that same name as the TLS server name (SNI): squid peeks at the ClientHello and splices an exact match.",
    "# The certificate is shown only to a client whose CONNECT was refused (squid answers it inside TLS); with",
    "# generate-host-certificates=off squid never mints one, so nothing is ever decrypted or re-signed.",
    `http_port ${PROXY_HOST}:${PROXY_PORT} ssl-bump tls-cert=${EGRESS_TLS_CERT} tls-key=${EGRESS_TLS_KEY} generate-host-certificates=off`,
    `pid_filename ${SQUID_PID_FILE}`,
    "",
    "# A pass-through for TLS tunnels: no cache, no disk, no certificate helper, no management interface.",
    "cache deny all",
    "cache_mem 8 MB",
    "coredump_dir none",
    "pinger_enable off",
    "cachemgr_passwd disable all",
    "httpd_suppress_version_string on",
    "visible_hostname clawkeep-egress",
    "forwarded_for delete",
    "connect_timeout 30 seconds",
    "shutdown_lifetime 3 seconds",
    "",
    "# One line per request: the CONNECT name, then the server name sent and what squid did; the SNI is URL-quoted so it",
    "# can never add a field. Debian's logrotate rotates it and signals squid.",
    `logformat clawkeep ${EGRESS_LOG_FORMAT}`,
    `access_log stdio:${EGRESS_ACCESS_LOG} clawkeep`,
    "logfile_rotate 0",
    "",
    "# -n: names only; a raw IP never matches, and squid does no reverse lookup to make it match.",
    `acl clawkeep_allowed dstdomain -n ${domains.join(" ")}`,
    `acl clawkeep_tls_port port ${TLS_PORT}`,
    `acl clawkeep_non_public dst ${NON_PUBLIC_RANGES.join(" ")}`,
    "http_access deny !CONNECT",
    "http_access deny !clawkeep_tls_port",
    "http_access deny !clawkeep_allowed",
    "http_access deny clawkeep_non_public",
    "http_access allow clawkeep_allowed",
    "http_access deny all",
    "",
    "# The TLS server name must be the CONNECT name, exactly (case aside): the helper says OK only then, and never for a",
    "# ClientHello without one (ssl::server_name alone would fall back to the CONNECT name). Everything else is cut.",
    `external_acl_type clawkeep_sni_is_connect ttl=0 negative_ttl=0 children-max=5 children-startup=1 children-idle=1 %ssl::>sni %>rd ${SNI_HELPER}`,
    "acl clawkeep_sni_is_connect external clawkeep_sni_is_connect",
    "acl clawkeep_step1 at_step SslBump1",
    "acl clawkeep_step2 at_step SslBump2",
    ...pairs,
    "ssl_bump peek clawkeep_step1",
    ...splices,
    "ssl_bump terminate all",
    "",
  ].join("\n")}`;
}

/** systemd-tmpfiles line: Debian's logrotate finds squid's pid where it looks for it. */
export function renderSquidTmpfiles(): string {
  return ["# clawkeep: squid runs as its own user and keeps its pid in its runtime directory; Debian's logrotate looks here.", `L+ ${DEBIAN_SQUID_PID_LINK} - - - - ${SQUID_PID_FILE}`, ""].join("\n");
}

/**
 * Drop-in for Debian's squid.service: the kit's config, squid's own user from the start, a sandbox,
 * and the self-check. The kernel's IP firewall repeats the config's rule (no metadata, no VPC host,
 * no tailnet peer) in case an ACL is ever wrong; the VPC resolver is the one private address squid
 * needs, for DNS.
 */
export function renderSquidDropIn(model: StackModel): string {
  const why = (text: string) => `# ${text}`;
  return `${[
    "# clawkeep: squid runs the kit's egress config as its own user, confined; the package's unit supplies the rest.",
    "[Unit]",
    "Description=clawkeep egress proxy (squid): allowlisted HTTPS tunnels for the gateway, server names checked",
    why("The key and certificate squid needs to read server names, made on this host by a root oneshot."),
    `Requires=${EGRESS_TLS_UNIT}`,
    `After=${EGRESS_TLS_UNIT}`,
    "",
    "[Service]",
    why(`Never root: squid starts as ${SQUID_USER}, so it holds no capability and has nothing to drop.`),
    `User=${SQUID_USER}`,
    `Group=${SQUID_GROUP}`,
    why("One process (-N: no master and kid), so it is the only one allowed to notify systemd."),
    "ExecStartPre=",
    "ExecStart=",
    `ExecStart=/usr/sbin/squid -N -sYC -f ${SQUID_CONF_PATH}`,
    "NotifyAccess=main",
    `PIDFile=${SQUID_PID_FILE}`,
    why("The start fails unless squid refuses a server name other than the CONNECT name (see the script)."),
    `ExecStartPost=${EGRESS_SELFCHECK} ${selfcheckName(model.egressDomains)}`,
    why("The self-check waits for squid's resolver (up to 60 s) before it can judge."),
    "TimeoutStartSec=150",
    "Restart=on-failure",
    "RestartSec=5",
    why("Its logs are read by root (the CloudWatch agent) only."),
    "UMask=0077",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "ProtectSystem=strict",
    "ReadWritePaths=/var/log/squid",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    "PrivateUsers=yes",
    "PrivateIPC=yes",
    "PrivateMounts=yes",
    ...KERNEL_PROTECTIONS,
    "MemoryDenyWriteExecute=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "RestrictNamespaces=yes",
    "RemoveIPC=yes",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged @resources",
    "SystemCallErrorNumber=EPERM",
    `IPAddressAllow=localhost ${vpcResolver(model.network.vpcCidr)}`,
    "IPAddressDeny=link-local multicast 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 fc00::/7",
    why("Left off on purpose (each is a line in systemd-analyze security's report):"),
    why("PrivateNetwork= not set, IPAddressDeny= not any, RestrictAddressFamilies= with AF_INET/AF_INET6: squid is the"),
    why("  gateway's way to the internet; the deny list above keeps it off the host's private neighbours."),
    why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
    why("DeviceAllow= char-rtc r comes with ProtectClock=; no other device is reachable."),
    "",
  ].join("\n")}`;
}
