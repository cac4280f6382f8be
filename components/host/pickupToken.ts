// pickup-token: how the running gateway takes a new gateway token or provider API key with nobody logging
// in. The rotation function runs it through SSM during setSecret/testSecret (`--version-id ID`, `--test`);
// an EventBridge rule on a new AWSCURRENT of any credential the gateway loads and a 5-minute systemd timer
// run it bare. Pure renderers: the tests run the same text against moto and the real gateway.
import { GATEWAY_UNIT, PATHS, PICKUP_SCRIPT_PATH, PICKUP_TIMEOUT_SECONDS, PROVIDER_KEYS_SUBDIR, TOKEN_UNIT } from "../base/layout";

// Their home is the layout (the SSM documents and the rotation function name them too, without this script).
export { PICKUP_SCRIPT_PATH, PICKUP_TIMEOUT_SECONDS };
import { unitFile, type HostFile } from "../base/hostFile";
import { PRELUDE, scriptPath } from "./bootScripts";
import { KERNEL_PROTECTIONS, ROOT_HELPER_RESTRICTIONS } from "../base/sandboxDirectives";

/** Root oneshot + timer: the fallback that bounds pickup when EventBridge or SSM does not deliver. */
export const PICKUP_UNIT = "clawkeep-token-pickup.service";
export const PICKUP_TIMER = "clawkeep-token-pickup.timer";
export const PICKUP_INTERVAL_MINUTES = 5;
/** Exit status when the gateway is stopped (e.g. after a revoke): token and keys are staged, nothing is started. */
export const GATEWAY_STOPPED_EXIT = 3;
/** An AWSPENDING version younger than this belongs to a rotation in flight: a bare run leaves it alone. */
export const PENDING_GRACE_SECONDS = 900;
/** How long the gateway may take to answer /healthz after its restart: the gateway unit's TimeoutStartSec. */
export const HEALTH_WAIT_SECONDS = 90;

const ROOT = "root:root";

const SCRIPT = `#!/bin/bash
# Gives the running gateway one version of its token and the current provider API keys, or proves that
# it uses the token.
#   pickup-token [--version-id ID]         stage that version (default: AWSCURRENT) as ${PATHS.tokenFile} and
#                                          the keys (fetch-token --provider-keys-only), restart ${GATEWAY_UNIT}
#                                          unless it already holds both, wait for /healthz
#   pickup-token --test [--version-id ID]  exit 0 only if the gateway accepts that version's token and
#                                          answers 401 to another one (AWSCURRENT's, else a random one)
# Exit ${GATEWAY_STOPPED_EXIT}: the gateway is stopped (say, after a revoke); token and keys are staged for its next start
# and the gateway is not started. Tokens travel from the AWS CLI's stdout into private files and reach curl
# as header files: never in any process's argv or environment, never printed; keys are only hashed.
${PRELUDE}
umask 077
unit=${GATEWAY_UNIT}
# Overridden by the tests only; production uses the host layout.
token_file=\${CLAWKEEP_TOKEN_FILE:-${PATHS.tokenFile}}
config=\${CLAWKEEP_OPENCLAW_CONFIG:-${PATHS.configFile}}
fetch_token=\${CLAWKEEP_FETCH_TOKEN:-${scriptPath("fetch-token")}}
health_seconds=\${CLAWKEEP_PICKUP_HEALTH_SECONDS:-${HEALTH_WAIT_SECONDS}}
pending_grace=\${CLAWKEEP_PICKUP_PENDING_GRACE_SECONDS:-${PENDING_GRACE_SECONDS}}
secret_id=\${CLAWKEEP_TOKEN_SECRET_ID:?missing in host.env}
region=\${AWS_REGION:?missing in host.env}
min_length=32
[[ $health_seconds =~ ^[1-9][0-9]*$ && $pending_grace =~ ^[0-9]+$ ]] || die "bad CLAWKEEP_PICKUP_* override"

version_id="" test_only=0
while (($#)); do
  case $1 in
    --version-id)
      (($# >= 2)) || die "--version-id needs a value"
      version_id=$2
      shift 2
      ;;
    --test)
      test_only=1
      shift
      ;;
    *) die "usage: \${0##*/} [--test] [--version-id ID]" ;;
  esac
done
if [[ -n $version_id && ! $version_id =~ ^[A-Za-z0-9_-]{32,64}$ ]]; then die "not a secret version id: $version_id"; fi

port=$(python3 -I -c 'import json, sys; print(json.load(open(sys.argv[1]))["gateway"]["port"])' "$config") || die "cannot read gateway.port from $config"
[[ $port =~ ^[0-9]{1,5}$ ]] || die "gateway.port in $config is not a port: $port"
base=http://127.0.0.1:$port

# Debian 12's awscli (2.9) predates AWS_ENDPOINT_URL*, so the standard overrides are passed on here.
endpoint=\${AWS_ENDPOINT_URL_SECRETS_MANAGER:-\${AWS_ENDPOINT_URL:-}}
aws_args=(--region "$region")
if [[ -n $endpoint ]]; then aws_args+=(--endpoint-url "$endpoint"); fi

dir=$(dirname "$token_file")
# fetch-token's key directory: the gateway unit loads it whole (LoadCredential=), at start only.
key_dir=$dir/${PROVIDER_KEYS_SUBDIR}
# Present while the gateway runs on older keys than the staged ones: a restart is owed.
keys_owed=$dir/.provider-keys-owed
install -d -m 0700 "$dir"
# One run at a time: the rotation function, EventBridge and the timer may fire together.
exec 9>"$dir/.pickup-token.lock"
flock -w ${PICKUP_TIMEOUT_SECONDS} 9 || die "another pickup-token still holds $dir/.pickup-token.lock"
work=$(mktemp -d "$dir/.pickup.XXXXXX")
trap 'rm -rf "$work"' EXIT

# read_version SELECTOR...: sets version and token (checked) from one version of the secret.
read_version() {
  AWS_PAGER='' aws secretsmanager get-secret-value --secret-id "$secret_id" "$@" "\${aws_args[@]}" \\
    --query '[VersionId,SecretString]' --output text >"$work/version" || return 1
  [[ $(wc -l <"$work/version") == 1 ]] || die "version $*: the secret is not a single line"
  IFS=$'\\t' read -r version token <"$work/version"
  [[ $token =~ ^[[:graph:]]+$ ]] || die "version $version: the secret is not a single printable token"
  ((\${#token} >= min_length)) || die "version $version: the secret is shorter than $min_length characters"
}

if [[ -n $version_id ]]; then selector=(--version-id "$version_id"); else selector=(--version-stage AWSCURRENT); fi
read_version "\${selector[@]}" || die "cannot read version \${version_id:-AWSCURRENT} of $secret_id"
[[ -z $version_id || $version == "$version_id" ]] || die "asked for version $version_id, got $version"
target_version=$version target=$token

# probe HEADERFILE: HTTP status of an empty tool call. The gateway checks the token first; with a good
# one it answers 400 invalid_request ("requires name") without looking up a tool or a session.
probe() {
  curl -s -o "$work/body" -w '%{http_code}' --max-time 5 -H @"$1" -H 'Content-Type: application/json' \\
    --data '{}' "$base/tools/invoke" || true
}
accepted() { [[ $status == 400 && $(<"$work/body") == *'"type":"invalid_request"'* ]]; }
healthz() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/healthz" || true; }
# wait_for CHECK...: sets status, retrying while the gateway does not listen (000) or still starts (503).
wait_for() {
  local deadline=$((SECONDS + health_seconds))
  while status=$("$@") && [[ $status == 000 || $status == 503 ]] && ((SECONDS < deadline)); do sleep 0.25; done
}

printf 'Authorization: Bearer %s\\n' "$target" >"$work/target.header"
if ((test_only)); then
  other=""
  if [[ -n $version_id ]] && read_version --version-stage AWSCURRENT && [[ $token != "$target" ]]; then other=$token; fi
  if [[ -z $other ]]; then other=wrong-$(head -c 32 /dev/urandom | base64 -w0); fi
  printf 'Authorization: Bearer %s\\n' "$other" >"$work/other.header"
  unset token target other
  wait_for probe "$work/target.header"
  accepted || die "the gateway does not accept version $target_version's token (HTTP $status)"
  status=$(probe "$work/other.header")
  [[ $status == 401 ]] || die "the gateway does not refuse another token (HTTP $status, want 401)"
  log "the gateway accepts version $target_version's token and refuses another"
  exit 0
fi

# The staged file is what systemd hands the gateway at its next start, crash restarts included.
stage() {
  if [[ -f $token_file && $(<"$token_file") == "$target" ]]; then return 0; fi
  printf '%s' "$target" >"$work/staged"
  mv -f "$work/staged" "$token_file"
  log "version $target_version staged at $token_file"
}

# keys_digest: one hash over the staged keys' names and contents; kept in a variable, never printed.
keys_digest() {
  local f
  for f in "$key_dir"/*; do
    if [[ -f $f ]]; then
      printf '%s\\n' "\${f##*/}"
      sha256sum <"$f"
    fi
  done | sha256sum
}

# A bare run (AWSCURRENT) leaves a gateway alone that a rotation in flight gave its AWSPENDING token.
rotation_in_flight() {
  local pending pending_version pending_created created age
  pending=$(AWS_PAGER='' aws secretsmanager get-secret-value --secret-id "$secret_id" --version-stage AWSPENDING \\
    "\${aws_args[@]}" --query '[VersionId,CreatedDate]' --output text 2>/dev/null) || return 1
  read -r pending_version pending_created <<<"$pending"
  [[ $pending_version != "$target_version" ]] || return 1
  # The AWS CLI prints epoch seconds or ISO 8601, depending on its version and configuration.
  if [[ $pending_created =~ ^([0-9]+)(\\.[0-9]+)?$ ]]; then
    created=\${BASH_REMATCH[1]}
  else
    created=$(date -d "$pending_created" +%s) || die "cannot parse the AWSPENDING version's date: $pending_created"
  fi
  age=$(($(date +%s) - created))
  ((age < pending_grace)) || return 1
  log "a rotation is in flight (AWSPENDING version $pending_version, \${age}s old): leaving the gateway to the rotation function"
}

# A key fetch-token could not refresh fails a bare run (timer, EventBridge) once the token is handled;
# a rotation's --version-id run answers for the token only, so a bad key cannot stall a token rotation.
keys_failed=0
check_keys() {
  if ((keys_failed)) && [[ -z $version_id ]]; then die "provider API keys not refreshed: see fetch-token's messages above"; fi
}

# systemd copies the key directory to the gateway only when it starts: a changed key needs a restart.
keys_before=$(keys_digest)
"$fetch_token" --provider-keys-only || keys_failed=1
if [[ $(keys_digest) != "$keys_before" ]]; then : >"$keys_owed"; fi
if ((keys_failed)); then log "fetch-token --provider-keys-only failed: the gateway keeps the keys it has"; fi

if ! systemctl is-active --quiet "$unit"; then
  stage
  rm -f "$keys_owed"
  log "$unit is not running: version $target_version and the staged keys wait for its next start; not starting it"
  check_keys
  exit ${GATEWAY_STOPPED_EXIT}
fi
# Ask the gateway itself: its credential is private to it. A token it refuses costs one failed attempt.
wait_for healthz
# A gateway still starting (a slow first boot) or hung is not pickup's to restart: that would only start
# it over. The timer's next run, or systemd's Restart= for a crash, takes it from there.
[[ $status == 200 ]] || die "$unit does not answer /healthz (HTTP $status) after \${health_seconds}s: not restarting it; the next run retries"
if wait_for probe "$work/target.header" && accepted; then
  stage
  if [[ ! -e $keys_owed ]]; then
    log "$unit already runs with version $target_version"
    check_keys
    exit 0
  fi
  log "restarting $unit for a changed provider API key (token version $target_version unchanged)"
elif [[ -z $version_id ]] && rotation_in_flight; then
  # The owed mark stays: the bare run that follows finishSecret restarts the gateway for the staged keys.
  check_keys
  exit 0
else
  stage
  log "restarting $unit with version $target_version"
fi
unset token target
# try-restart: never starts a gateway someone stopped in the meantime.
systemctl try-restart "$unit" || die "systemctl try-restart $unit failed"
wait_for healthz
[[ $status == 200 ]] || die "$unit did not answer /healthz within \${health_seconds}s (HTTP $status)"
wait_for probe "$work/target.header"
accepted || die "$unit is up but does not accept version $target_version's token (HTTP $status)"
rm -f "$keys_owed"
log "$unit is up with version $target_version and the staged provider API keys"
check_keys
`;

/** The pickup-token script, exactly as it lands on the host. Static: stack facts come from host.env. */
export function renderPickupToken(): string {
  return SCRIPT;
}

/** pickup-token in the user data: root-only, beside the boot scripts. */
export function pickupTokenFile(): HostFile {
  return { path: PICKUP_SCRIPT_PATH, content: renderPickupToken(), mode: "0750", owner: ROOT };
}

const why = (text: string): string => `# ${text}`;

/** The timer's oneshot: a bare pickup-token run (AWSCURRENT), sandboxed around what it needs. */
export function renderPickupService(): string {
  return [
    "[Unit]",
    "Description=clawkeep: give the gateway the AWSCURRENT token and provider keys unless it holds them already",
    why("The boot-time fetch stages the first token; picking up before it would race it."),
    `After=${TOKEN_UNIT} network-online.target`,
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${PICKUP_SCRIPT_PATH}`,
    why(`Exit ${GATEWAY_STOPPED_EXIT}: the gateway is stopped on purpose (revoke); the token is staged, there is nothing to do.`),
    `SuccessExitStatus=${GATEWAY_STOPPED_EXIT}`,
    why("A restart may wait for the gateway to drain its runs (TimeoutStopSec=330) and to start (90 s)."),
    `TimeoutStartSec=${PICKUP_TIMEOUT_SECONDS}`,
    "UMask=0077",
    "NoNewPrivileges=yes",
    why("Root without capabilities: systemctl reaches PID 1 over its root-only private socket, which needs none."),
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "ProtectSystem=strict",
    why("The staged token and provider keys (fetch-token writes them here too) and the lock; the rest of /run read-only,"),
    why("  said outright: systemd 252 leaves /run writable under ProtectSystem=strict once ProtectKernelTunables= is set."),
    "ReadOnlyPaths=/run",
    `ReadWritePaths=${PATHS.runSecretsDir}`,
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    why("Root is mapped to root: PID 1 still sees uid 0 on its private socket and lets systemctl restart the gateway."),
    "PrivateUsers=yes",
    "PrivateIPC=yes",
    "PrivateMounts=yes",
    ...KERNEL_PROTECTIONS,
    ...ROOT_HELPER_RESTRICTIONS,
    why("Left off on purpose (each is a line in systemd-analyze security's report):"),
    why("User= not set: only root may ask PID 1 to restart a unit."),
    why("PrivateNetwork=/IPAddressDeny= not set: it needs IMDS (role credentials), Secrets Manager and the gateway on loopback;"),
    why("  RestrictAddressFamilies= above keeps it to AF_UNIX/AF_INET/AF_INET6."),
    why("MemoryDenyWriteExecute= not set: not tried with Debian's awscli, whose Python may need libffi's W+X closures."),
    why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
    why("DeviceAllow= char-rtc r comes with ProtectClock=; no other device is reachable."),
    "",
  ].join("\n");
}

/** Every PICKUP_INTERVAL_MINUTES: the bound on pickup even when EventBridge or SSM does not deliver. */
export function renderPickupTimer(): string {
  return [
    "[Unit]",
    `Description=clawkeep: check the gateway's token and provider keys every ${PICKUP_INTERVAL_MINUTES} minutes (fallback to the EventBridge push)`,
    "",
    "[Timer]",
    `OnBootSec=${PICKUP_INTERVAL_MINUTES}min`,
    `OnUnitActiveSec=${PICKUP_INTERVAL_MINUTES}min`,
    why("The default 1 min of timer slack would add to the bound."),
    "AccuracySec=10s",
    `Unit=${PICKUP_UNIT}`,
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

/** The timer and its oneshot as host files. */
export function pickupUnitFiles(): HostFile[] {
  return [
    unitFile(PICKUP_UNIT, renderPickupService()),
    unitFile(PICKUP_TIMER, renderPickupTimer()),
  ];
}

/**
 * EventBridge pattern for "AWSCURRENT moved on one of these secrets" (native Secrets Manager event, no
 * CloudTrail needed; not sent for AWSPENDING/AWSPREVIOUS). `resources` holds each secret's full ARN: the
 * gateway token and every provider key the gateway loads.
 */
export function pickupEventPattern(secretArns: string[]): Record<string, unknown> {
  if (secretArns.length === 0) throw new Error("pickupEventPattern: no secret ARN to watch");
  return {
    source: ["aws.secretsmanager"],
    "detail-type": ["Secret Label Updated"],
    resources: [...secretArns],
    detail: { labelUpdated: ["AWSCURRENT"] },
  };
}
