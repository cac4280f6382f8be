// The egress proxy's moving parts beside squid's config: the root oneshot that makes squid's TLS key
// and certificate on the host, the external ACL helper that holds the TLS server name to the CONNECT
// name, and the check squid must pass before anything may use it. Static script text, so shellcheck
// and the tests judge exactly what lands on the host.
import { PATHS } from "../base/layout";
import { ROOT_HELPER_RESTRICTIONS, KERNEL_PROTECTIONS } from "../base/sandboxDirectives";
import { STRICT } from "../base/shellPrelude";
import { PROXY_HOST, PROXY_PORT, TLS_PORT } from "./addresses";

/** Debian's squid runs as this user and group. */
export const SQUID_USER = "proxy";
export const SQUID_GROUP = "proxy";

/** squid's key and self-signed leaf certificate: StateDirectory= of EGRESS_TLS_UNIT, 0750 root:proxy. */
export const EGRESS_TLS_STATE = "clawkeep-egress-tls";
export const EGRESS_TLS_DIR = `/var/lib/${EGRESS_TLS_STATE}`;
export const EGRESS_TLS_KEY = `${EGRESS_TLS_DIR}/key.pem`;
export const EGRESS_TLS_CERT = `${EGRESS_TLS_DIR}/cert.pem`;
export const EGRESS_TLS_UNIT = "clawkeep-egress-tls.service";

export const EGRESS_TLS_SCRIPT = `${PATHS.libexecDir}/egress-proxy-tls`;
export const SNI_HELPER = `${PATHS.libexecDir}/egress-sni-check`;
export const EGRESS_SELFCHECK = `${PATHS.libexecDir}/egress-proxy-check`;

/** The self-check connects from here, so its deliberate refusals never count as the gateway's. */
export const SELFCHECK_SOURCE = "127.0.0.2";
/** The server name the self-check sends with an allowlisted CONNECT name: never a real host (RFC 6761). */
export const SELFCHECK_SNI = "clawkeep-selfcheck.invalid";

const TLS_SCRIPT = `#!/bin/bash
# Makes the egress proxy's TLS key and self-signed certificate on this host, once. squid needs them to
# read each tunnel's TLS server name (ssl-bump); it shows the certificate only to a client whose CONNECT
# it refused, and never mints or signs anything with the key. Made here and never shipped: user data
# and the host bundle are stored in clear text. Run by ${EGRESS_TLS_UNIT} as root with group ${SQUID_GROUP}.
${STRICT}umask 027
dir=\${CLAWKEEP_EGRESS_TLS_DIR:-${EGRESS_TLS_DIR}}
key=$dir/key.pem
cert=$dir/cert.pem
group=${SQUID_GROUP}
[[ -d $dir ]] || die "$dir does not exist"

# usable: both files, a certificate with 30 days left, and it holds the key's public half.
usable() {
  [[ -s $key && -s $cert ]] || return 1
  openssl x509 -in "$cert" -noout -checkend $((30 * 86400)) >/dev/null 2>&1 || return 1
  [[ $(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null) == "$(openssl pkey -in "$key" -pubout 2>/dev/null)" ]]
}

if usable; then
  log "the key and certificate in $dir are current"
else
  work=$(mktemp -d "$dir/.new.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # A leaf, not a CA: with generate-host-certificates=off squid never signs with it.
  if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \\
    -subj "/CN=clawkeep egress proxy: connection refused" \\
    -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \\
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.log"; then
    cat "$work/openssl.log" >&2
    die "openssl could not make the key and certificate"
  fi
  # Group ${SQUID_GROUP} comes from the unit (Group=); chown is outside its system call filter.
  chmod 0640 "$work/key.pem"
  chmod 0644 "$work/cert.pem"
  # The key first: a crash between the two renames leaves a pair usable() rejects, so the next start makes a new one.
  mv -f "$work/key.pem" "$key"
  mv -f "$work/cert.pem" "$cert"
  log "made a new key and certificate in $dir"
fi
# squid (user ${SQUID_USER}) reads the key through its group and cannot change it; no other user can read it.
mode=$(stat -c '%U:%G %a' "$key")
[[ $mode == "root:$group 640" ]] || die "$key is $mode, not root:$group 640"
`;

const SNI_HELPER_SCRIPT = `#!/bin/bash
# squid's external ACL helper: OK only when the tunnel's TLS server name (SNI) is the name the client
# asked squid to CONNECT to, ERR otherwise. squid writes "<sni> <connect host>" per line, URL-quoted,
# "-" for a ClientHello without SNI. Without it, ssl::server_name falls back to the CONNECT name when
# there is no SNI, and a wildcard entry would let CONNECT a.example.com carry the SNI b.example.com.
# No strict mode: a helper that exits takes squid down with it.
while IFS=' ' read -r sni host _; do
  if [[ -n $sni && $sni != - && \${sni,,} == "\${host,,}" ]]; then echo OK; else echo ERR; fi
done
`;

/** Positions of the fields the self-check reads, 0-based, in EGRESS_LOG_FIELDS order. */
export interface SelfcheckFields {
  client: number;
  method: number;
  url: number;
  sni: number;
  bump: number;
  count: number;
}

function selfcheckScript(f: SelfcheckFields, accessLog: string): string {
  return `#!/bin/bash
# squid's ExecStartPost: before anything may use the proxy, prove that squid reads each tunnel's TLS
# server name and cuts one that is not the CONNECT name. Without its TLS certificate squid starts all
# the same, logs "Will not bump SSL" and tunnels everything unchecked; this check then fails the start.
# Two handshakes to ALLOWED_NAME:${TLS_PORT}, from ${SELFCHECK_SOURCE} (the alarms tell them from the gateway's
# traffic by that address): one with another server name, one with none. Each must be refused, and
# squid's own log line must say so: sni=<what was sent> bump=terminate.
${STRICT}[[ $# == 1 && $1 =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || { printf 'usage: %s ALLOWED_NAME\\n' "\${0##*/}" >&2; exit 2; }
name=$1
proxy=http://${PROXY_HOST}:${PROXY_PORT}
access_log=\${CLAWKEEP_EGRESS_ACCESS_LOG:-${accessLog}}
source=${SELFCHECK_SOURCE}
other_sni=${SELFCHECK_SNI}
start=$(stat -c %s "$access_log" 2>/dev/null || echo 0)

# handshake HOST LABEL: a TLS handshake for https://HOST/ through squid, CONNECTing to $name:${TLS_PORT}; curl sends
# HOST as the server name, none for an address. Retries while squid's port is not open yet. squid resolves
# $name first (its address must be public), so a slow resolver delays the answer: up to 60 s.
handshake() {
  local rc
  for _ in {1..50}; do
    rc=0
    curl --silent --output /dev/null --max-time 60 --insecure --interface "$source" --proxy "$proxy" \\
      --connect-to "$1:${TLS_PORT}:$name:${TLS_PORT}" "https://$1/" || rc=$?
    ((rc == 7)) || break
    sleep 0.2
  done
  if ((rc == 0)); then die "a TLS session came up through squid for CONNECT $name:${TLS_PORT} with server name $2: squid is tunnelling without checking server names"; fi
  ((rc != 7)) || die "squid does not accept connections on $proxy"
}
# Both at once: while squid waits for the resolver, they wait together.
handshake "$other_sni" "$other_sni" &
mismatch_probe=$!
handshake 127.0.0.9 "(none)" &
nosni_probe=$!
wait "$mismatch_probe"
wait "$nosni_probe"

# squid writes a line when a connection ends: wait for both, from $source, cut after reading the server name.
mismatch=0 nosni=0
for _ in {1..40}; do
  while read -r -a f; do
    ((\${#f[@]} == ${f.count})) || continue
    [[ \${f[${f.client}]} == "$source" && \${f[${f.method}]} == CONNECT && \${f[${f.url}]} == "$name:${TLS_PORT}" && \${f[${f.bump}]} == bump=terminate ]] || continue
    case \${f[${f.sni}]} in
      "sni=$other_sni") mismatch=1 ;;
      "sni=-") nosni=1 ;;
    esac
  done < <(tail -c "+$((start + 1))" "$access_log" 2>/dev/null)
  ((mismatch && nosni)) && break
  sleep 0.5
done
if ((!mismatch || !nosni)); then
  log "squid's lines for $source since the start:"
  tail -c "+$((start + 1))" "$access_log" 2>/dev/null | grep -F " $source " >&2 || true
  die "squid did not log both handshakes as refused after reading their server names (mismatch=$mismatch, no server name=$nosni): it may be tunnelling unchecked"
fi
log "squid refuses a server name other than the CONNECT name ($other_sni for $name) and a handshake without one"
`;
}

/** Every script of the egress proxy, by its path on the host. */
export function renderEgressScripts(fields: SelfcheckFields, accessLog: string): Record<string, string> {
  return { [EGRESS_TLS_SCRIPT]: TLS_SCRIPT, [SNI_HELPER]: SNI_HELPER_SCRIPT, [EGRESS_SELFCHECK]: selfcheckScript(fields, accessLog) };
}

const why = (text: string): string => `# ${text}`;

/** The root oneshot that runs EGRESS_TLS_SCRIPT before squid: no network, no capabilities, one writable directory. */
export function renderEgressTlsUnit(): string {
  return `${[
    "[Unit]",
    "Description=clawkeep: the egress proxy's TLS key and certificate, made on this host",
    "Before=squid.service",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=${EGRESS_TLS_SCRIPT}`,
    why(`Group ${SQUID_GROUP}: the files it makes are root:${SQUID_GROUP}, so squid can read the key and not change it.`),
    `Group=${SQUID_GROUP}`,
    "UMask=0027",
    `StateDirectory=${EGRESS_TLS_STATE}`,
    "StateDirectoryMode=0750",
    "NoNewPrivileges=yes",
    why("Root without capabilities: it owns what it writes and needs no override."),
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "ProtectSystem=strict",
    why("Said outright: systemd 252 leaves /run writable under ProtectSystem=strict once ProtectKernelTunables= is set."),
    "ReadOnlyPaths=/run",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    "PrivateUsers=yes",
    "PrivateIPC=yes",
    "PrivateMounts=yes",
    why("openssl needs no network at all."),
    "PrivateNetwork=yes",
    "IPAddressDeny=any",
    ...KERNEL_PROTECTIONS,
    "MemoryDenyWriteExecute=yes",
    ...ROOT_HELPER_RESTRICTIONS.filter((l) => !l.startsWith("RestrictAddressFamilies=")),
    "RestrictAddressFamilies=none",
    why("Left off on purpose (each is a line in systemd-analyze security's report):"),
    why(`User= not set: a root oneshot writes the key, so the squid user can read it but never replace it.`),
    why(`UMask=0027: the key must be readable by group ${SQUID_GROUP}; the script checks it is 0640 root:${SQUID_GROUP}.`),
    why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
    why("DeviceAllow= char-rtc r comes with ProtectClock=; no other device is reachable."),
    why("RemoveIPC= not set: it has no effect on root."),
    "",
  ].join("\n")}`;
}
