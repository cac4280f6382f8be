// upgrade-runtime: a new pinned OpenClaw or Node with a way back. The new runtime installs beside the
// running one (install-runtime --beside, verified), the new OpenClaw validates the current config, the
// gateway stops, its state is copied byte for byte on the state volume (root-only), the runtime links
// switch atomically, the new OpenClaw runs its safe state migrations (`doctor --non-interactive`: the
// config stays read-only, so no --fix), and the gateway starts and must pass its health check.
// Otherwise the previous runtime and the pre-upgrade state come back and
// RuntimeUpgradeRolledBack is published (an alarm). OpenClaw cannot downgrade a migrated state
// (an older build exits 78 on it): the copy, not the old runtime alone, is the way back.
import { PATHS, RUNTIME_UNITS, SERVICE_USER, STATE_TREES } from "../base/layout";
import { ROOT_OWNER, type HostFile } from "../base/hostFile";
import { APPLY_METRICS, PUT_METRIC } from "./bundleApply";
import { RUNTIME_PRELUDE, scriptPath } from "./bootScripts";
import { UPGRADE_RUNTIME } from "./effects";

/** The pre-upgrade copies' directory at the top of the state volume (root 0700; the gateway never sees it). */
const PRE_UPGRADE_NAME = "pre-upgrade";
export const PRE_UPGRADE_DIR = `${PATHS.stateVolumeDir}/${PRE_UPGRADE_NAME}`;

const SCRIPT = `#!/bin/bash
# Switches this host to the runtime runtime.env pins, with a way back: install beside, validate the
# config, stop the gateway, copy its state, switch the links, start, health check; on failure the
# previous runtime and the pre-upgrade state come back and RuntimeUpgradeRolledBack=1 is published.
${RUNTIME_PRELUDE}
umask 077
# Overridden by the tests only: production uses the kit's layout.
runtimes=\${CLAWKEEP_RUNTIMES_DIR:-${PATHS.runtimesDir}}
node_link=\${CLAWKEEP_NODE_DIR:-${PATHS.nodeDir}}
openclaw_link=\${CLAWKEEP_OPENCLAW_DIR:-${PATHS.openclawDir}}
volume=\${CLAWKEEP_STATE_VOLUME_DIR:-${PATHS.stateVolumeDir}}
copies=$volume/${PRE_UPGRADE_NAME}
install_runtime=\${CLAWKEEP_INSTALL_RUNTIME:-${scriptPath("install-runtime")}}
put_metric=\${CLAWKEEP_PUT_METRIC:-${PUT_METRIC}}
# The trees by their names on the volume: moves stay on one mount (a rename), never across the bind mounts.
read -r -a trees <<<"\${CLAWKEEP_STATE_TREES:-${STATE_TREES.map((t) => t.name).join(" ")}}"
read -r -a units <<<"\${CLAWKEEP_RUNTIME_UNITS:-${RUNTIME_UNITS.join(" ")}}"
service_user=${SERVICE_USER}
port=\${CLAWKEEP_GATEWAY_PORT:?missing in host.env}
[[ $port =~ ^[0-9]+$ ]] || die "CLAWKEEP_GATEWAY_PORT is not a port"
: "\${CLAWKEEP_NODE_VERSION:?missing in runtime.env}" "\${CLAWKEEP_OPENCLAW_VERSION:?missing in runtime.env}"
new_node=$runtimes/node-$CLAWKEEP_NODE_VERSION
new_openclaw=$runtimes/openclaw-$CLAWKEEP_OPENCLAW_VERSION

exec 9>"\${CLAWKEEP_UPGRADE_LOCK:-/run/clawkeep-upgrade-runtime.lock}"
flock 9

old_node=$(readlink -f "$node_link") || die "no runtime at $node_link: first boot installs it (install-runtime)"
old_openclaw=$(readlink -f "$openclaw_link") || die "no runtime at $openclaw_link"
if [[ $old_node == "$(readlink -f "$new_node")" && $old_openclaw == "$(readlink -f "$new_openclaw")" ]]; then
  log "already on node $CLAWKEEP_NODE_VERSION and openclaw $CLAWKEEP_OPENCLAW_VERSION"
  exit 0
fi
from="\${old_openclaw##*/}+\${old_node##*/}"
to="openclaw-$CLAWKEEP_OPENCLAW_VERSION+node-$CLAWKEEP_NODE_VERSION"
log "upgrading $from -> $to"

# 1. Beside the running runtime: verified downloads into directories of their own.
"$install_runtime" --beside || die "could not install $to beside the running runtime; nothing switched"

# new_openclaw_cli STATE_DIR ARGS...: the new OpenClaw's CLI as the service user, on the read-only config,
# in a network namespace of its own (loopback only: nothing it does here needs the network or the proxy).
new_openclaw_cli() {
  local state=$1
  shift
  unshare --net -- runuser -u "$service_user" -- env -i HOME="$state" PATH=/usr/bin:/bin OPENCLAW_CONFIG_PATH=${PATHS.configFile} OPENCLAW_CONFIG_READONLY=1 \\
    OPENCLAW_STATE_DIR="$state" OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_SERVICE_REPAIR_POLICY=external \\
    "$new_node/bin/node" "$new_openclaw/node_modules/openclaw/openclaw.mjs" "$@"
}

# 2. The new OpenClaw must accept the current config, as the service user, away from the live state.
scratch=$(mktemp -d /tmp/clawkeep-upgrade.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
chown "$service_user" "$scratch"
if ! new_openclaw_cli "$scratch" config validate >"$scratch/validate.log" 2>&1; then
  tail -n 20 "$scratch/validate.log" >&2
  die "openclaw $CLAWKEEP_OPENCLAW_VERSION rejects the current config; nothing switched"
fi

# Twice in a row, seconds apart, within the unit's own start timeout: active, and /healthz 200.
healthy() {
  local unit=\${units[0]} wait streak=0 deadline
  wait=$(systemctl show -P TimeoutStartUSec "$unit" | awk '{ t = 0; for (i = 1; i <= NF; i++) { n = $i + 0; if ($i ~ /min/) t += n * 60; else if ($i ~ /ms/) t += n / 1000; else if ($i ~ /us/) t += 0; else if ($i ~ /h/) t += n * 3600; else t += n } print int(t) }')
  deadline=$((SECONDS + \${CLAWKEEP_UPGRADE_HEALTH_WAIT:-$((wait + 60))}))
  while ((SECONDS < deadline)); do
    if [[ $(systemctl is-active "$unit") == active ]] && curl -fsS -o /dev/null --max-time 10 "http://127.0.0.1:$port/healthz"; then
      ((streak += 1))
      ((streak < 2)) || return 0
    else
      streak=0
    fi
    sleep 3
  done
  return 1
}

# 3. The gateway stops (it drains its runs), then its state is copied while nothing writes it.
findmnt -rn --mountpoint "$volume" >/dev/null || die "the state volume is not mounted at $volume; nothing switched"
for t in "\${trees[@]}"; do [[ $t =~ ^[a-z0-9-]+$ && -d $volume/$t ]] || die "no state tree $volume/$t; nothing switched"; done
active=()
for u in "\${units[@]}"; do if systemctl is-active --quiet "$u"; then active+=("$u"); fi; done
stamp=$(date -u +%Y%m%dT%H%M%SZ)
copy=$copies/$stamp-from-$from
need=0
for t in "\${trees[@]}"; do need=$((need + $(du -sk --apparent-size "$volume/$t" | cut -f1))); done
install -d -m 0700 "$copies"
avail=$(df -Pk "$copies" | awk 'NR == 2 { print $4 }')
((avail > need + need / 10 + 1024)) || die "not enough room on the state volume for the pre-upgrade copy (\${need} KiB needed, \${avail} KiB free); nothing switched"
log "stopping \${units[*]}"
systemctl stop "\${units[@]}"
started=$SECONDS
install -d -m 0700 "$copy.partial"
for t in "\${trees[@]}"; do cp -a "$volume/$t" "$copy.partial/$t"; done
printf 'node=%s\\nopenclaw=%s\\n' "$old_node" "$old_openclaw" >"$copy.partial/runtime"
sync -f "$copy.partial"
mv "$copy.partial" "$copy"
log "state copied to $copy in $((SECONDS - started)) s ($need KiB)"

point() {
  ln -sfn "$(realpath -m --relative-to="$(dirname "$1")" "$2")" "$1.new"
  mv -T "$1.new" "$1"
}

# 4. Switch, migrate the state with the new OpenClaw (the gateway is stopped), start, check.
point "$node_link" "$new_node"
point "$openclaw_link" "$new_openclaw"
installed=$("$new_node/bin/node" -p 'require(process.argv[1]).version' "$openclaw_link/node_modules/openclaw/package.json" 2>/dev/null || true)
ok=1
[[ $installed == "$CLAWKEEP_OPENCLAW_VERSION" ]] || { log "$openclaw_link reports openclaw $installed, pinned $CLAWKEEP_OPENCLAW_VERSION"; ok=0; }
if ((ok)); then
  started=$SECONDS
  if new_openclaw_cli ${PATHS.stateDir} doctor --non-interactive >"$scratch/doctor.log" 2>&1; then
    log "state migrations of openclaw $CLAWKEEP_OPENCLAW_VERSION (doctor --non-interactive) done in $((SECONDS - started)) s"
  else
    tail -n 30 "$scratch/doctor.log" >&2
    log "openclaw $CLAWKEEP_OPENCLAW_VERSION doctor --non-interactive could not migrate the state"
    ok=0
  fi
fi
if ((ok && \${#active[@]} > 0)); then
  systemctl start "\${active[@]}" || true
  healthy || { log "\${units[0]} not healthy on $to"; ok=0; }
elif ((ok)); then
  log "\${units[*]} stopped on purpose: $to migrates the state at its next start; the copy stays in $copy"
fi

if ((ok)); then
  # One step back stays: the previous runtime and this copy, until the next successful upgrade.
  for old in "$copies"/*; do [[ $old == "$copy" ]] || rm -rf "$old"; done
  for dir in "$runtimes"/*; do
    case $(readlink -f "$dir") in "$(readlink -f "$new_node")" | "$(readlink -f "$new_openclaw")" | "$old_node" | "$old_openclaw") ;; *) rm -rf "$dir" ;; esac
  done
  "$put_metric" ${APPLY_METRICS.runtimeUpgradeRolledBack} 0 || log "could not publish ${APPLY_METRICS.runtimeUpgradeRolledBack}=0"
  log "upgraded to $to (way back: $from and $copy)"
  exit 0
fi

# 5. The way back: the previous runtime and the pre-upgrade state.
log "rolling back to $from and the state of $copy"
systemctl stop "\${units[@]}" || true
point "$node_link" "$old_node"
point "$openclaw_link" "$old_openclaw"
failed=$copies/$stamp-failed-$to
install -d -m 0700 "$failed"
for t in "\${trees[@]}"; do
  install -d -m 0700 "$failed/$t"
  # The tree's top is the source of a bind mount: its entries move (renames on the volume), it stays.
  find "$volume/$t" -mindepth 1 -maxdepth 1 -exec mv -t "$failed/$t" {} +
  # The copy stays whole for another attempt.
  find "$copy/$t" -mindepth 1 -maxdepth 1 -exec cp -a -t "$volume/$t" {} +
done
"$put_metric" ${APPLY_METRICS.runtimeUpgradeRolledBack} 1 || log "could not publish ${APPLY_METRICS.runtimeUpgradeRolledBack}=1"
if ((\${#active[@]} > 0)); then
  # A crash-looping new runtime may have used up the gateway's start limit: the old one must still start.
  systemctl reset-failed "\${units[@]}" || true
  systemctl start "\${active[@]}" || true
  healthy || die "ROLLBACK FAILED: \${units[0]} is not healthy on $from either (state as it was in $copy; the migrated state in $failed)"
fi
die "upgrade to $to failed; rolled back to $from with the pre-upgrade state (the migrated state kept in $failed)"
`;

export function renderUpgradeRuntime(): string {
  return SCRIPT;
}

export function upgradeRuntimeFile(): HostFile {
  return { path: UPGRADE_RUNTIME, content: renderUpgradeRuntime(), mode: "0750", owner: ROOT_OWNER };
}
