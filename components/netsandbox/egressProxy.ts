// The egress proxy: Debian's squid, run by Debian's squid.service with a drop-in that points it at
// the kit's own config and confines it. Deny by default: CONNECT to port 443 of the names the trust
// level allows, never to an address inside the host, the VPC or the tailnet. Every request, refused
// or tunnelled, is one access-log line that CloudWatch metric filters can count.
import type { StackModel } from "../../stacks/schema";
import { vpcResolver } from "../../stacks/cidr";
import { PROXY_HOST, PROXY_PORT } from "./addresses";
/** The kit's squid config; not Debian's conffile, so security updates of squid apply unattended. */
export const SQUID_CONF_PATH = "/etc/squid/clawkeep-egress.conf";
export const SQUID_DROPIN_PATH = "/etc/systemd/system/squid.service.d/clawkeep.conf";
/** In /var/log/squid, so Debian's logrotate (daily, `squid -k rotate`) keeps it in bounds. */
export const EGRESS_ACCESS_LOG = "/var/log/squid/access.log";
/** The only TCP port the proxy opens tunnels to. */
export const TLS_PORT = 443;

/**
 * Every access-log line: squid's native fields (so `TCP_DENIED`, `TCP_TUNNEL` and `CONNECT host:443`
 * match as terms) with the requested domain last, one space between fields, for space-delimited filters.
 */
export const EGRESS_LOG_FIELDS = ["time", "elapsedMs", "client", "status", "bytes", "method", "url", "hierarchy", "domain"] as const;
export const EGRESS_LOG_FORMAT = "%ts.%03tu %tr %>a %Ss/%03>Hs %<st %rm %ru %Sh/%<a %>rd";
/** A CloudWatch space-delimited filter that counts refusals, with the domain extractable as a dimension. */
export const EGRESS_DENIED_FILTER = `[${EGRESS_LOG_FIELDS.map((f) => (f === "status" ? 'status="TCP_DENIED*"' : f)).join(", ")}]`;

export type EgressLogLine = Record<(typeof EGRESS_LOG_FIELDS)[number], string>;

/** One access-log line split into its named fields; undefined for anything else. */
export function parseEgressLogLine(line: string): EgressLogLine | undefined {
  const parts = line.trim().split(" ");
  if (parts.length !== EGRESS_LOG_FIELDS.length) return undefined;
  return Object.fromEntries(EGRESS_LOG_FIELDS.map((f, i) => [f, parts[i]])) as EgressLogLine;
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

/** squid's whole config for one cell: nothing is inherited from Debian's squid.conf. */
export function renderSquidConf(model: StackModel): string {
  const domains = squidDomains(model.egressDomains);
  if (domains.length === 0) throw new Error("the egress allowlist is empty: the gateway could not reach its model provider");
  return `${[
    `# clawkeep egress proxy of cell ${model.cellName} (trust level ${model.trustLevel} ${model.capabilities.name}): the gateway's only way out.`,
    `# Deny by default: CONNECT to port ${TLS_PORT} of the names below, never to an address inside the host, VPC or tailnet.`,
    `http_port ${PROXY_HOST}:${PROXY_PORT}`,
    "",
    "# A pass-through for TLS tunnels: no cache, no disk, no helpers, no management interface.",
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
    "# One line per request with the domain last; Debian's logrotate rotates it and signals squid.",
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
  ].join("\n")}`;
}

/**
 * Drop-in for Debian's squid.service: the kit's config, and a sandbox. The kernel's IP firewall
 * repeats the config's rule (no metadata, no VPC host, no tailnet peer) in case an ACL is ever wrong;
 * the VPC resolver is the one private address squid needs, for DNS.
 */
export function renderSquidDropIn(model: StackModel): string {
  const squid = `/usr/sbin/squid --foreground -f ${SQUID_CONF_PATH}`;
  return `${[
    "# clawkeep: squid runs the kit's egress config, confined; the package's unit supplies the rest.",
    "[Unit]",
    "Description=clawkeep egress proxy (squid): allowlisted HTTPS tunnels for the gateway",
    "",
    "[Service]",
    "ExecStartPre=",
    `ExecStartPre=${squid} -z`,
    "ExecStart=",
    `ExecStart=${squid} -sYC`,
    "Restart=on-failure",
    "RestartSec=5",
    "# squid starts as root to write /run/squid.pid (what logrotate signals) and drops to user proxy.",
    "CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ReadWritePaths=/var/log/squid /var/spool/squid /run",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectHostname=yes",
    "ProtectClock=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "LockPersonality=yes",
    "MemoryDenyWriteExecute=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "RestrictNamespaces=yes",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallErrorNumber=EPERM",
    `IPAddressAllow=localhost ${vpcResolver(model.network.vpcCidr)}`,
    "IPAddressDeny=link-local multicast 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 fc00::/7",
    "",
  ].join("\n")}`;
}
