// The host side of Tailscale access: install the pinned tailscale package from Tailscale's signed
// apt repository (its key checked against a pinned fingerprint first), then a root oneshot that joins
// the tailnet with the credentials read from Secrets Manager at boot (never from user data) and
// publishes the gateway with Tailscale Serve to the tailnet only. Funnel is never turned on.
import { GATEWAY_UNIT, PATHS, STATE_VOLUME_UNIT } from "../base/layout";
import { STRICT, factsReader } from "../base/shellPrelude";
import { KERNEL_PROTECTIONS, ROOT_HELPER_RESTRICTIONS } from "../base/sandboxDirectives";
import { INGRESS_SOCKET } from "../netsandbox/addresses";
import type { TailscaleOptions } from "../../stacks/tailscale";

export const INSTALL_TAILSCALE = `${PATHS.libexecDir}/install-tailscale`;
export const TAILSCALE_JOIN = `${PATHS.libexecDir}/tailscale-join`;
export const TAILSCALE_ENV = "/etc/clawkeep/tailscale.env";
export const TAILSCALE_JOIN_UNIT = "clawkeep-tailscale.service";
export const TAILSCALE_LEAVE = `${PATHS.libexecDir}/tailscale-leave`;
/** Logs the node out when the host powers off (a replaced host is stopped first), never at a reboot. */
export const TAILSCALE_LEAVE_UNIT = "clawkeep-tailscale-leave.service";
/** How long a join waits for a usable key: a new host's key is minted by the same deploy, maybe moments later. */
export const TAILSCALE_JOIN_WAIT_SECONDS = 900;
/** The join unit's RuntimeDirectory= under /run: the only place the auth key is ever written. */
export const TAILSCALE_RUNTIME_DIR = "clawkeep-tailscale";
/** Tailscale Inc. package repository signing key (primary key fingerprint), as public installers pin it. */
export const TAILSCALE_APT_KEY_FINGERPRINT = "2596A99EAAB33821893C0A79458CA832957F5868";
/** The signing key's file in the repository (or its mirror). */
export const TAILSCALE_KEY_FILE = "bookworm.noarmor.gpg";
export const TAILSCALE_KEYRING = "/usr/share/keyrings/tailscale-archive-keyring.gpg";
export const TAILSCALE_SOURCES = "/etc/apt/sources.list.d/tailscale.list";

/** What the join script needs; the secret's NAME only, the key or federated identity is read at boot. */
export interface TailscaleHostFacts {
  region: string;
  /** The Secrets Manager secret holding {"authKey"} or {"clientId","audience"} as JSON. */
  joinSecretId: string;
  hostname: string;
  gatewayPort: number;
  /** Tailscale's apt repository, or the mirror of it that packageMirror.tailscaleRepo names. */
  repo: string;
}

const SAFE_VALUE = /^[A-Za-z0-9:/_+=.@,-]+$/;

/** /etc/clawkeep/tailscale.env: plain KEY=value lines, read as data by the scripts (never sourced). */
export function renderTailscaleEnv(options: TailscaleOptions, facts: TailscaleHostFacts): string {
  const entries: Array<[string, string]> = [
    ["AWS_REGION", facts.region],
    ["CLAWKEEP_TAILSCALE_VERSION", options.version],
    ["CLAWKEEP_TAILSCALE_AUTH", options.auth],
    ["CLAWKEEP_TAILSCALE_SECRET_ID", facts.joinSecretId],
    ["CLAWKEEP_TAILSCALE_TAGS", options.tags.join(",")],
    ["CLAWKEEP_TAILSCALE_HOSTNAME", facts.hostname],
    ["CLAWKEEP_TAILSCALE_SSH", options.ssh ? "yes" : "no"],
    ["CLAWKEEP_TAILSCALE_EPHEMERAL", options.ephemeral ? "true" : "false"],
    ["CLAWKEEP_GATEWAY_PORT", String(facts.gatewayPort)],
    ["CLAWKEEP_TAILSCALE_REPO", facts.repo],
  ];
  for (const [key, value] of entries) if (!SAFE_VALUE.test(value)) throw new Error(`${TAILSCALE_ENV} ${key}: ${JSON.stringify(value)} is not a plain token`);
  return ["# clawkeep Tailscale facts: versions, names, the join secret's name. No secret values.", ...entries.map(([k, v]) => `${k}=${v}`), ""].join("\n");
}

const READ_ENV = `\n${factsReader("env_file", "CLAWKEEP_TAILSCALE_ENV", TAILSCALE_ENV)}`;

/**
 * Prints the v4 fingerprint of every primary key (packet tag 6) in a binary OpenPGP keyring, one per
 * line (RFC 4880 12.2: SHA-1 of 0x99, a two-octet length and the key packet body). python3 is on the
 * host already (cloud-init); gpg is not.
 */
export const KEYRING_FINGERPRINTS_PY = String.raw`import hashlib, sys
data = open(sys.argv[1], "rb").read()
i = 0
while i < len(data):
    h = data[i]
    if not h & 0x80:
        sys.exit("not an OpenPGP packet at byte %d" % i)
    if h & 0x40:
        tag = h & 0x3F
        l0 = data[i + 1]
        if l0 < 192:
            n, i = l0, i + 2
        elif l0 < 224:
            n, i = ((l0 - 192) << 8) + data[i + 2] + 192, i + 3
        elif l0 == 255:
            n, i = int.from_bytes(data[i + 2:i + 6], "big"), i + 6
        else:
            sys.exit("partial body lengths are not valid in a keyring")
    else:
        tag, lt = (h >> 2) & 0x0F, h & 0x03
        if lt == 3:
            sys.exit("indeterminate packet length")
        size = (1, 2, 4)[lt]
        n, i = int.from_bytes(data[i + 1:i + 1 + size], "big"), i + 1 + size
    body = data[i:i + n]
    if len(body) != n:
        sys.exit("truncated packet")
    if tag == 6:
        if body[0] != 4:
            sys.exit("only v4 primary keys are accepted")
        print(hashlib.sha1(b"\x99" + n.to_bytes(2, "big") + body).hexdigest().upper())
    i += n
`;

const INSTALL = `#!/bin/bash
# Installs the pinned tailscale package from Tailscale's apt repository. apt trusts the repository
# only through a keyring whose every primary key has the pinned fingerprint, and installs exactly the
# pinned version. Safe to re-run. A mirror of the repository changes nothing of that: the key must
# still have the pinned fingerprint, and apt checks the mirror's Release files against it.
${STRICT}${READ_ENV}
version=\${CLAWKEEP_TAILSCALE_VERSION:?missing in $env_file}
repo=\${CLAWKEEP_TAILSCALE_REPO:?missing in $env_file}
[[ $repo =~ ^https?://[A-Za-z0-9.:/_~-]+$ ]] || die "not a repository URL: $repo"
key_url=$repo/${TAILSCALE_KEY_FILE}
# Overridden by the tests only: production uses the kit's pins.
pinned=\${CLAWKEEP_TAILSCALE_KEY_FPR:-${TAILSCALE_APT_KEY_FINGERPRINT}}
keyring=\${CLAWKEEP_TAILSCALE_KEYRING:-${TAILSCALE_KEYRING}}
[[ $pinned =~ ^[0-9A-F]{40}$ ]] || die "not a key fingerprint: $pinned"
export DEBIAN_FRONTEND=noninteractive

# shellcheck disable=SC2016 # \${Version} is dpkg-query's format field, not a shell expansion
installed=$(dpkg-query -W -f='\${Version}' tailscale 2>/dev/null || true)
if [[ $installed == "$version" ]]; then
  log "tailscale $version already installed"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl --fail --silent --show-error --location --proto '=https,http' --retry 5 --retry-connrefused -o "$work/key.gpg" "$key_url" || die "cannot download $key_url"
fingerprints=$(python3 - "$work/key.gpg" <<'PY'
${KEYRING_FINGERPRINTS_PY}PY
) || die "$key_url is not a binary OpenPGP keyring"
[[ -n $fingerprints ]] || die "$key_url holds no primary key"
while read -r fpr; do
  [[ $fpr == "$pinned" ]] || die "$key_url holds key $fpr, not the pinned Tailscale signing key $pinned; not trusting it"
done <<<"$fingerprints"
install -D -m 0644 "$work/key.gpg" "$keyring"
[[ \${CLAWKEEP_TAILSCALE_KEY_ONLY:-} != yes ]] || { log "keyring $keyring verified ($pinned)"; exit 0; }

printf 'deb [signed-by=%s] %s bookworm main\\n' "$keyring" "$repo" >${TAILSCALE_SOURCES}
# Only this repository's index: cloud-init updated the Debian lists minutes ago, and List-Cleanup=0 keeps them for any dependency.
apt-get -o DPkg::Lock::Timeout=600 -o Dir::Etc::SourceList=${TAILSCALE_SOURCES} -o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0 update
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "tailscale=$version"
systemctl enable --now tailscaled.service
log "tailscale $version installed"
`;

const JOIN = `#!/bin/bash
# Joins the tailnet as a tagged node and publishes the gateway to the tailnet with Tailscale Serve.
# The credentials come from Secrets Manager at boot; the auth key is written to a private file and
# handed to tailscale as file:PATH, so it is never in any argv, environment or log. Funnel: never.
${STRICT}${READ_ENV}
umask 077
region=\${AWS_REGION:?missing in $env_file}
secret_id=\${CLAWKEEP_TAILSCALE_SECRET_ID:?missing in $env_file}
tags=\${CLAWKEEP_TAILSCALE_TAGS:?missing in $env_file}
hostname=\${CLAWKEEP_TAILSCALE_HOSTNAME:?missing in $env_file}
port=\${CLAWKEEP_GATEWAY_PORT:?missing in $env_file}
[[ $port =~ ^[0-9]+$ ]] || die "CLAWKEEP_GATEWAY_PORT is not a port"
[[ $tags =~ ^tag:[a-z0-9-]+(,tag:[a-z0-9-]+)*$ ]] || die "CLAWKEEP_TAILSCALE_TAGS is not a tag list"
ts=\${CLAWKEEP_TAILSCALE_CLI:-tailscale}

# Every flag every time: tailscale up does not keep flags from an earlier run.
up_flags=(--hostname="$hostname" --advertise-tags="$tags" --accept-dns=false --accept-routes=false --reset)
if [[ \${CLAWKEEP_TAILSCALE_SSH:-no} == yes ]]; then up_flags+=(--ssh); fi

state=$("$ts" status --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("BackendState",""))' || true)
if [[ $state == Running ]]; then
  log "already in the tailnet; re-applying flags"
  "$ts" up "\${up_flags[@]}"
else
  # The unit's RuntimeDirectory= (tmpfs, 0700): the key never touches a disk, and no other /run path is writable.
  work=$(mktemp -d "\${RUNTIME_DIRECTORY:-/run}/clawkeep-tailscale.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  endpoint=\${AWS_ENDPOINT_URL_SECRETS_MANAGER:-\${AWS_ENDPOINT_URL:-}}
  args=(secretsmanager get-secret-value --secret-id "$secret_id" --region "$region" --query SecretString --output text)
  if [[ -n $endpoint ]]; then args+=(--endpoint-url "$endpoint"); fi
  # Boot can race the network and the role's credentials; a few spaced retries ride that out.
  attempts=\${CLAWKEEP_TAILSCALE_ATTEMPTS:-5}
  [[ $attempts =~ ^[1-9][0-9]*$ ]] || die "CLAWKEEP_TAILSCALE_ATTEMPTS must be a positive number"
  # A refused key (used by the host before, or not yet replaced by this deploy) is read again until this ends.
  join_wait=\${CLAWKEEP_TAILSCALE_JOIN_WAIT:-${TAILSCALE_JOIN_WAIT_SECONDS}}
  [[ $join_wait =~ ^[0-9]+$ ]] || die "CLAWKEEP_TAILSCALE_JOIN_WAIT must be a number of seconds"
  join_deadline=$((SECONDS + join_wait))
  while :; do
  attempt=1
  until AWS_PAGER='' aws "\${args[@]}" >"$work/secret.json"; do
    ((attempt < attempts)) || die "could not read secret $secret_id"
    log "Secrets Manager read failed (attempt $attempt); retrying"
    sleep $((attempt * 3))
    ((attempt += 1))
  done
  rm -f "$work/authkey" "$work/client-id" "$work/audience"
  # Split the JSON into private files; only the non-secret client id and audience ever reach argv.
  python3 - "$work" <<'PY' || die "secret $secret_id is not the kit's Tailscale join document"
import json, os, re, sys
work = sys.argv[1]
doc = json.load(open(os.path.join(work, "secret.json")))
if set(doc) == {"authKey"} and re.fullmatch(r"tskey-[A-Za-z0-9-]+", doc["authKey"]):
    open(os.path.join(work, "authkey"), "w").write(doc["authKey"])
elif set(doc) == {"clientId", "audience"} and all(re.fullmatch(r"[A-Za-z0-9_./:-]+", doc[k]) for k in doc):
    open(os.path.join(work, "client-id"), "w").write(doc["clientId"])
    open(os.path.join(work, "audience"), "w").write(doc["audience"])
else:
    sys.exit(1)
PY
  rm -f "$work/secret.json"
  joined=0
  if [[ -s $work/authkey ]]; then
    "$ts" up "\${up_flags[@]}" --auth-key="file:$work/authkey" && joined=1
  else
    # Workload identity federation: tailscaled gets an STS web identity token for the audience and mints its own key.
    "$ts" up "\${up_flags[@]}" --client-id="$(<"$work/client-id")?ephemeral=\${CLAWKEEP_TAILSCALE_EPHEMERAL:-false}&preauthorized=true" --audience="$(<"$work/audience")" && joined=1
  fi
  ((joined == 0)) || break
  ((SECONDS < join_deadline)) || die "the tailnet refused the join credentials of $secret_id for \${join_wait}s (a single-use key is valid for one host: the deploy that made this host mints its key)"
  retry_s=\${CLAWKEEP_TAILSCALE_RETRY_SEC:-15}
  log "the tailnet refused the join credentials; reading $secret_id again in \${retry_s} s"
  sleep "$retry_s"
  done
fi

# The gateway's port on the host's loopback (${INGRESS_SOCKET}), over HTTPS, to the tailnet only.
"$ts" serve --bg --yes --https=443 "http://127.0.0.1:$port"
serve_json=$("$ts" serve status --json)
if ! python3 -c 'import json,sys; c=json.load(sys.stdin) or {}; sys.exit(1 if any(c.get("AllowFunnel", {}).values()) else 0)' <<<"$serve_json"; then
  "$ts" funnel --https=443 off || true
  die "Funnel was on for this node; turned it off. The gateway is published to the tailnet only."
fi
log "joined as $hostname ($tags); serving the gateway on https:443 to the tailnet"
`;

const LEAVE = `#!/bin/bash
# Leaves the tailnet when the host powers off: a replaced host is stopped before its state volume moves,
# and its node must not linger beside the new one. A reboot keeps the node (it comes back as itself).
${STRICT}
ts=\${CLAWKEEP_TAILSCALE_CLI:-tailscale}
jobs=$(systemctl list-jobs --no-legend --no-pager 2>/dev/null || true)
if [[ $jobs =~ (reboot|kexec|soft-reboot)\.target ]]; then
  log "rebooting: the node stays in the tailnet"
elif [[ $jobs =~ (poweroff|halt)\.target ]]; then
  "$ts" logout || log "tailscale logout failed; an ephemeral node still leaves after its inactivity period"
  log "powering off: logged the node out of the tailnet"
else
  log "stopped while the host runs: the node stays in the tailnet"
fi
`;

/** The scripts' text. Static: everything stack-specific comes from TAILSCALE_ENV at run time. */
export function renderTailscaleScripts(): { install: string; join: string; leave: string } {
  return { install: INSTALL, join: JOIN, leave: LEAVE };
}

/** Started with the join; its stop (before tailscaled's, at shutdown) is what leaves the tailnet. */
export function renderTailscaleLeaveUnit(): string {
  return [
    "[Unit]",
    "Description=clawkeep: leave the tailnet when the host powers off (a replaced host), not at a reboot",
    "Wants=tailscaled.service",
    "# Stopped before tailscaled at shutdown, so the logout still reaches it.",
    "After=tailscaled.service",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    "ExecStart=/bin/true",
    `ExecStop=${TAILSCALE_LEAVE}`,
    "TimeoutStopSec=30",
    "UMask=0077",
    "# It only speaks to tailscaled's local socket (a path socket reaches it from any network namespace).",
    "ReadOnlyPaths=/run",
    "NoNewPrivileges=yes",
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
    "PrivateNetwork=yes",
    "IPAddressDeny=any",
    ...KERNEL_PROTECTIONS,
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "RestrictNamespaces=yes",
    "RestrictAddressFamilies=AF_UNIX",
    "MemoryDenyWriteExecute=yes",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged @resources",
    "SystemCallErrorNumber=EPERM",
    "# Left off on purpose: User= not set (tailscaled grants logout to root only; PrivateUsers= maps root to root);",
    "#   RestrictAddressFamilies= keeps AF_UNIX, the whole job; RootDirectory= not set (the host's read-only /usr);",
    "#   DeviceAllow= char-rtc r comes with ProtectClock=; RemoveIPC= has no effect on root.",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** The root oneshot that runs tailscale-join once tailscaled and the gateway's ingress listener are up. */
export function renderTailscaleJoinUnit(): string {
  const why = (text: string) => `# ${text}`;
  return `${[
    "[Unit]",
    "Description=clawkeep: join the tailnet and publish the gateway with Tailscale Serve (tailnet only)",
    `Wants=network-online.target tailscaled.service ${INGRESS_SOCKET}`,
    "# After the state volume: a replacement joins only once the old host has stopped (and left) and the volume moved.",
    `After=network-online.target tailscaled.service ${INGRESS_SOCKET} ${STATE_VOLUME_UNIT} ${GATEWAY_UNIT}`,
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=${TAILSCALE_JOIN}`,
    "TimeoutStartSec=300",
    "UMask=0077",
    why("The auth key's only place: a private tmpfs directory, removed when the join ends."),
    `RuntimeDirectory=${TAILSCALE_RUNTIME_DIR}`,
    "RuntimeDirectoryMode=0700",
    why("The rest of /run read-only, said outright: systemd 252 leaves /run writable under ProtectSystem=strict once"),
    why("  ProtectKernelTunables=, ProtectControlGroups= or ProtectProc= is set (root could replace the gateway's token)."),
    "ReadOnlyPaths=/run",
    "NoNewPrivileges=yes",
    why("Root without capabilities: it only talks to Secrets Manager and to tailscaled's local socket, which"),
    why("  accepts uid 0 (PrivateUsers= maps root to root)."),
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
    why("User= not set: tailscaled grants its local API (up, serve) to root only."),
    why("PrivateNetwork=/IPAddressDeny= not set: it needs IMDS (role credentials), DNS and Secrets Manager;"),
    why("  RestrictAddressFamilies= above keeps it to AF_UNIX/AF_INET/AF_INET6."),
    why("MemoryDenyWriteExecute= not set: not tried with Debian's awscli, whose Python may need libffi's W+X closures."),
    why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
    why("DeviceAllow= char-rtc r comes with ProtectClock=; no other device is reachable."),
    why("RemoveIPC= not set: it has no effect on root."),
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n")}`;
}
