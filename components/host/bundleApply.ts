// apply-bundle: how a host takes its files, at first boot and for the rest of its life. It reads the
// bundle pointer (an SSM parameter naming the bundle's SHA-256), fetches that object, checks its hash,
// and installs it; on a running host it installs only the changed files and runs only the actions
// their bundle entries name (components/host/effects.ts), checks the gateway's health, and on any
// failure puts the last good bundle back and publishes BundleApplyFailed (an alarm). Python: cloud-init
// (and so python3) is on every host that runs it.
import { GATEWAY_UNIT, PATHS } from "../base/layout";
import { ROOT_OWNER, unitFile, type HostFile } from "../base/hostFile";
import { actionCommands, APPLY_ACTIONS, type ApplyAction } from "./effects";
import { APPLY_SCRIPT_PATH, APPLY_TIMEOUT_SECONDS } from "../commands/documents";

export const APPLY_BUNDLE = APPLY_SCRIPT_PATH;
/** Publishes one metric of the cell (BundleApplyFailed, RuntimeUpgradeRolledBack) with the instance's id. */
export const PUT_METRIC = `${PATHS.libexecDir}/put-metric`;
export const APPLY_SERVICE = "clawkeep-apply-bundle.service";
export const APPLY_TIMER = "clawkeep-apply-bundle.timer";
/** Metric names the host publishes into the cell's namespace; the alarms watch them. */
export const APPLY_METRICS = { bundleApplyFailed: "BundleApplyFailed", runtimeUpgradeRolledBack: "RuntimeUpgradeRolledBack" } as const;

export { bundleKey, bundleParameterName } from "../base/names";

const SCRIPT = String.raw`#!/usr/bin/python3 -I
"""clawkeep apply-bundle: install the host bundle the cell's pointer names, verified by SHA-256.

  apply-bundle --first-boot       every file, no service touched (the user data's runcmd starts them)
  apply-bundle [--expect SHA]     on a running host: only the changed files, only the actions they need,
                                  a health check, and the last good bundle back on any failure
"""
import base64, fcntl, grp, gzip, hashlib, json, os, pwd, re, subprocess, sys, time, urllib.request

CONFIG = json.loads(r'''__CONFIG__''')
ENV = os.environ
# Overridden by the tests only: a prefix for every installed path, a runner that logs commands, a health URL.
ROOT = ENV.get("CLAWKEEP_APPLY_ROOT", "")
RUNNER = ENV.get("CLAWKEEP_APPLY_RUNNER", "")
STATE = ROOT + CONFIG["stateDir"]
LOCK = ENV.get("CLAWKEEP_APPLY_LOCK", "/run/clawkeep-apply-bundle.lock")
SHA = re.compile(r"[0-9a-f]{64}")


def log(msg):
    print(f"apply-bundle: {msg}", flush=True)


def die(msg, code=1):
    log(msg)
    sys.exit(code)


def facts(path):
    """KEY=value lines read as data, never sourced; only AWS_REGION and CLAWKEEP_* keys."""
    out = {}
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as err:
        die(f"cannot read {path}: {err.strerror}")
    for line in lines:
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if not re.fullmatch(r"AWS_REGION|CLAWKEEP_[A-Z0-9_]+", key):
            die(f"unexpected key in {path}: {key}")
        out[key] = value
    return out


def run(cmd, check=True, capture=False):
    full = [RUNNER] + cmd if RUNNER else cmd
    res = subprocess.run(full, stdout=subprocess.PIPE if capture else None, text=True)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}")
    return res


def aws(args, region, endpoint_keys):
    endpoint = next((ENV[k] for k in endpoint_keys if ENV.get(k)), "")
    cmd = ["aws"] + args + ["--region", region] + (["--endpoint-url", endpoint] if endpoint else [])
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**ENV, "AWS_PAGER": ""})


def retrying(what, attempts, fn):
    # A replaced host's first reads race the policies that bind the role to the new instance (updated
    # seconds after it exists): spaced retries ride that out instead of failing the boot.
    for attempt in range(1, attempts + 1):
        res = fn()
        if res.returncode == 0:
            return res
        log(f"{what} failed (attempt {attempt}/{attempts}): {res.stderr.strip()[-300:]}")
        if attempt < attempts:
            time.sleep(min(attempt * 3, 30))
    die(f"could not {what}")


def load(gz):
    return {e["path"]: e for e in json.loads(gzip.decompress(gz))}


def install(entry):
    target = ROOT + entry["path"]
    if not entry["path"].startswith("/") or ".." in entry["path"].split("/"):
        raise RuntimeError(f"refusing path {entry['path']!r}")
    user, group = entry["owner"].split(":")
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    tmp = f"{target}.clawkeep-new"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, base64.b64decode(entry["content"]))
        if not ROOT:
            os.fchown(fd, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
        os.fchmod(fd, int(entry["mode"], 8))
    finally:
        os.close(fd)
    os.replace(tmp, target)


def remove(path):
    try:
        os.unlink(ROOT + path)
    except FileNotFoundError:
        pass


def ordered(actions):
    acts = set(actions)
    if "runtime-upgrade" in acts:
        acts.discard("gateway-restart")  # the upgrade restarts the gateway itself, health-checked
    rank = {name: i for i, name in enumerate(CONFIG["order"])}
    key = lambda a: (rank["tailscale"] + 0.5 if a.startswith("restart:") else rank[a], a)
    return sorted(acts, key=key)


def commands(action):
    if action.startswith("restart:"):
        unit = action[len("restart:"):]
        if not re.fullmatch(r"(clawkeep|openclaw)-[a-z0-9@_.-]+\.(service|socket|timer|path|target)", unit):
            raise RuntimeError(f"{action} names no kit unit")
        return [["systemctl", "try-restart", unit]]
    if action not in CONFIG["actions"]:
        raise RuntimeError(f"unknown action {action!r} in the bundle")
    return CONFIG["actions"][action]


def timespan_seconds(text):
    total = 0.0
    for n, unit in re.findall(r"([0-9.]+)\s*(us|ms|min|h|d|s)", text):
        total += float(n) * {"us": 1e-6, "ms": 1e-3, "s": 1, "min": 60, "h": 3600, "d": 86400}[unit]
    return total


def gateway_active():
    return run(["systemctl", "is-active", CONFIG["gatewayUnit"]], check=False, capture=True).stdout.strip() == "active"


def healthy(port):
    url = ENV.get("CLAWKEEP_APPLY_HEALTH_URL", f"http://127.0.0.1:{port}/healthz")
    wait = ENV.get("CLAWKEEP_APPLY_HEALTH_WAIT")
    if wait is None:
        shown = run(["systemctl", "show", "-P", "TimeoutStartUSec", CONFIG["gatewayUnit"]], check=False, capture=True).stdout
        wait = timespan_seconds(shown) + 60
    deadline = time.time() + float(wait)
    streak = 0
    while time.time() < deadline:
        ok = False
        if gateway_active():
            try:
                ok = urllib.request.urlopen(url, timeout=10).status == 200
            except OSError:
                ok = False
        streak = streak + 1 if ok else 0
        # Twice in a row, seconds apart: a gateway that answers once and then dies is not healthy.
        if streak >= 2:
            return True
        time.sleep(3)
    return False


def put_metric(name, value):
    res = run([CONFIG["putMetric"], name, str(value)], check=False)
    if res.returncode != 0:
        log(f"could not publish {name}={value} (exit {res.returncode})")


def plan(old, new):
    changed = [p for p in new if p not in old or old[p] != new[p]]
    removed = [p for p in old if p not in new]
    actions = set()
    for p in changed:
        actions.update(new[p].get("effect", []))
    for p in removed:
        actions.update(old[p].get("effect", []))
    return changed, removed, ordered(actions)


def precheck(new, changed):
    for p in changed:
        if p == CONFIG["squidConf"]:
            staged = f"{ROOT}{p}.clawkeep-check"
            install({**new[p], "path": p + ".clawkeep-check"})
            try:
                run(["squid", "-k", "parse", "-f", staged])
            finally:
                remove(p + ".clawkeep-check")


def switch(old, new, port, was_active):
    """Make the host run 'new' where it ran 'old'; raises on any failure (the caller rolls back)."""
    changed, removed, actions = plan(old, new)
    precheck(new, changed)
    for p in changed:
        install(new[p])
    for p in removed:
        remove(p)
    for action in actions:
        for cmd in commands(action):
            run(cmd)
    restarted = {"gateway-restart", "runtime-upgrade"} & set(actions)
    if restarted and was_active and not healthy(port):
        raise RuntimeError(f"{CONFIG['gatewayUnit']} is not healthy after {' and '.join(sorted(restarted))}")
    return changed, removed, actions


def save(path, data):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with open(f"{path}.new", "wb") as f:
        f.write(data)
    os.replace(f"{path}.new", path)


def main(argv):
    first_boot, expect = False, None
    if argv == ["--first-boot"]:
        first_boot = True
    elif len(argv) == 2 and argv[0] == "--expect" and SHA.fullmatch(argv[1]):
        expect = argv[1]
    elif argv:
        die(f"usage: apply-bundle [--first-boot | --expect SHA256]; got {' '.join(argv)[:100]!r}", 2)
    inst = facts(ENV.get("CLAWKEEP_INSTANCE_ENV", CONFIG["instanceEnv"]))
    region, bucket, parameter = (inst.get(k) for k in ("AWS_REGION", "CLAWKEEP_BUNDLE_BUCKET", "CLAWKEEP_BUNDLE_PARAMETER"))
    if not (region and bucket and parameter):
        die("instance.env needs AWS_REGION, CLAWKEEP_BUNDLE_BUCKET and CLAWKEEP_BUNDLE_PARAMETER")
    os.makedirs(os.path.dirname(LOCK), exist_ok=True)
    lock = open(LOCK, "w")
    fcntl.flock(lock, fcntl.LOCK_EX)

    attempts = int(ENV.get("CLAWKEEP_APPLY_ATTEMPTS", "20" if first_boot else "5"))
    got = retrying(f"read the bundle pointer {parameter}", attempts, lambda: aws(["ssm", "get-parameter", "--name", parameter, "--query", "Parameter.Value", "--output", "text"], region, ["AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL"]))
    want = got.stdout.strip()
    if not SHA.fullmatch(want):
        die(f"the bundle pointer {parameter} holds {want[:80]!r}, not a SHA-256")
    if expect and expect != want:
        die(f"asked to apply {expect[:12]}, but the pointer {parameter} names {want[:12]}; nothing installed")
    current_path, previous_path = f"{STATE}/current.json.gz", f"{STATE}/previous.json.gz"
    failed_marker = f"{STATE}/failed/{want}"
    old_gz = open(current_path, "rb").read() if os.path.exists(current_path) else None
    if old_gz is not None and hashlib.sha256(old_gz).hexdigest() == want:
        log(f"{want[:12]} already current")
        return 0
    if old_gz is not None and os.path.exists(failed_marker) and not expect:
        log(f"{want[:12]} failed here before and the last good bundle runs; apply it again with --expect {want}")
        return 0

    download = ROOT + f"/run/clawkeep-host-bundle.{want}.json.gz"
    os.makedirs(os.path.dirname(download), exist_ok=True)
    key = f"host-bundle/{want}.json.gz"
    retrying(f"download s3://{bucket}/{key}", attempts, lambda: aws(["s3", "cp", "--only-show-errors", f"s3://{bucket}/{key}", download], region, ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]))
    data = open(download, "rb").read()
    os.unlink(download)
    if hashlib.sha256(data).hexdigest() != want:
        die(f"s3://{bucket}/{key} has SHA-256 {hashlib.sha256(data).hexdigest()}, the pointer names {want}; nothing installed")
    new = load(data)

    if old_gz is None:
        if not first_boot:
            die(f"no bundle installed yet ({current_path}): the first boot installs it (--first-boot)")
        for entry in new.values():
            install(entry)
        save(current_path, data)
        log(f"installed {want[:12]} ({len(new)} files) for first boot")
        return 0

    old = load(old_gz)
    env = facts(ROOT + CONFIG["hostEnv"])
    port = env.get("CLAWKEEP_GATEWAY_PORT", "")
    was_active = gateway_active()
    started = time.time()
    try:
        changed, removed, actions = switch(old, new, port, was_active)
    except Exception as err:  # any failure: the last good bundle back, and an alarm
        log(f"FAILED applying {want[:12]}: {err}; putting the last good bundle back")
        try:
            switch(new, old, port, was_active)
            log("rolled back: the last good bundle runs")
        except Exception as err2:
            log(f"ROLLBACK FAILED: {err2}")
        os.makedirs(os.path.dirname(failed_marker), mode=0o700, exist_ok=True)
        open(failed_marker, "w").write(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {err}\n")
        put_metric(CONFIG["failedMetric"], 1)
        return 1
    save(previous_path, old_gz)
    save(current_path, data)
    put_metric(CONFIG["failedMetric"], 0)
    log(f"applied {want[:12]}: {len(changed)} changed, {len(removed)} removed; actions: {' '.join(actions) or 'none'} ({time.time() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
`;

export interface ApplyConfig {
  stateDir: string;
  instanceEnv: string;
  hostEnv: string;
  gatewayUnit: string;
  squidConf: string;
  putMetric: string;
  failedMetric: string;
  order: string[];
  actions: Record<string, string[][]>;
}

export function applyConfig(squidConf: string): ApplyConfig {
  const names = Object.keys(APPLY_ACTIONS) as ApplyAction[];
  return {
    stateDir: PATHS.bundleStateDir,
    instanceEnv: PATHS.instanceEnvFile,
    hostEnv: PATHS.envFile,
    gatewayUnit: GATEWAY_UNIT,
    squidConf,
    putMetric: PUT_METRIC,
    failedMetric: APPLY_METRICS.bundleApplyFailed,
    order: names,
    actions: Object.fromEntries(names.map((a) => [a, actionCommands(a)])),
  };
}

/** The script's text, its action table rendered from effects.ts (no second copy of the classification). */
export function renderApplyBundle(squidConf: string): string {
  const config = JSON.stringify(applyConfig(squidConf));
  if (config.includes("'''")) throw new Error("apply-bundle config cannot hold '''");
  return SCRIPT.replace("__CONFIG__", config);
}

const PUT_METRIC_SCRIPT = `#!/bin/bash
# Publishes one metric of the cell with the instance's id: put-metric NAME VALUE. Run as root (the
# metadata service answers root only); the role may write only into the cell's namespace.
set -euo pipefail
usage="usage: \${0##*/} NAME VALUE"
name=\${1:?$usage}
value=\${2:?$usage}
[[ $name =~ ^[A-Za-z]+$ && $value =~ ^[0-9]+$ ]] || { printf '%s\\n' "$usage" >&2; exit 2; }
env_file=\${CLAWKEEP_HOST_ENV:-${PATHS.envFile}}
namespace=$(sed -n 's/^CLAWKEEP_METRIC_NAMESPACE=//p' "$env_file")
region=$(sed -n 's/^AWS_REGION=//p' "$env_file")
[[ -n $namespace && -n $region ]] || { echo "\${0##*/}: $env_file lacks CLAWKEEP_METRIC_NAMESPACE or AWS_REGION" >&2; exit 1; }
imds=\${CLAWKEEP_IMDS_URL:-http://169.254.169.254}
endpoint=\${AWS_ENDPOINT_URL_CLOUDWATCH:-\${AWS_ENDPOINT_URL:-}}
token=$(curl -fsS --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$imds/latest/api/token")
instance_id=$(curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/instance-id")
args=(cloudwatch put-metric-data --region "$region" --namespace "$namespace" --metric-name "$name" --dimensions "InstanceId=$instance_id" --value "$value" --unit Count)
if [[ -n $endpoint ]]; then args+=(--endpoint-url "$endpoint"); fi
AWS_PAGER='' aws "\${args[@]}"
`;

export function renderPutMetric(): string {
  return PUT_METRIC_SCRIPT;
}

/** The fallback to the deploy's Run Command: a host that was stopped during a deploy, or a lost event. */
export function renderApplyTimer(): string {
  return ["[Unit]", "Description=clawkeep: apply the host bundle the cell's pointer names, if it changed", "", "[Timer]", "OnBootSec=5min", "OnUnitActiveSec=5min", "RandomizedDelaySec=30", "", "[Install]", "WantedBy=timers.target", ""].join("\n");
}

/**
 * Directives systemd-analyze still counts against the apply unit, and why each stays: it is above the 1.5
 * helper ceiling by design (README, "Unit scores"), and every remaining exposure is named here.
 */
const APPLY_EXPOSURES_LEFT = [
  "# Left off on purpose (each is a line in systemd-analyze security's report):",
  "# User=/DynamicUser= root, NoNewPrivileges= not set (runuser switches to the service users), CapabilityBoundingSet= keeps",
  "#   CAP_SYS_ADMIN/CAP_NET_ADMIN (unshare --net for a new runtime's check), CAP_CHOWN/CAP_FOWNER/CAP_DAC_OVERRIDE (it installs",
  "#   files with their owners), CAP_AUDIT_CONTROL (augenrules --load), CAP_KILL/CAP_SETUID/CAP_SETGID and the rest of root's set.",
  "# ProtectSystem=/ReadWritePaths= not set: it writes /etc, /opt, /usr/local and /var; ProtectKernelTunables=/ProtectControlGroups=",
  "#   not set: a new runtime's namespace is brought up with ip(8) and systemctl restarts units; ProtectProc=/ProcSubset= not set:",
  "#   it reads units' processes; PrivateDevices=/DeviceAllow=/ProtectClock= not set: the devices of a namespace and the state tools.",
  "# PrivateNetwork=/IPAddressDeny=/PrivateUsers=/PrivateMounts=/PrivateIPC=/RemoveIPC=: it fetches from S3 and SSM as root",
  "#   (the metadata service's root-only rule), mounts and enters namespaces; RestrictNamespaces= not set (unshare --net);",
  "#   RestrictAddressFamilies= keeps AF_NETLINK (ip) and AF_INET*; RestrictSUIDSGID= not set: the workspace is setgid;",
  "#   MemoryDenyWriteExecute= not set: node runs the state migration; SystemCallFilter= not set: mount, unshare, chown, setuid.",
  "# RootDirectory= not set: it installs into the host's own tree; UMask= stays 0022: files carry their modes explicitly.",
];

export function renderApplyService(): string {
  return [
    "[Unit]",
    "Description=clawkeep: apply the host bundle the cell's pointer names (verified, rolled back on failure)",
    "Wants=network-online.target",
    "After=network-online.target cloud-final.service",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${APPLY_BUNDLE}`,
    `TimeoutStartSec=${APPLY_TIMEOUT_SECONDS}`,
    "# The host's configuration manager, like cloud-init: root, writing /etc, /opt and /usr/local, restarting units,",
    "# running a new runtime in a network namespace of its own (unshare --net) and reloading audit rules.",
    "# What it never needs is taken away:",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectHostname=yes",
    "LockPersonality=yes",
    "RestrictRealtime=yes",
    "SystemCallArchitectures=native",
    "KeyringMode=private",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
    "CapabilityBoundingSet=~CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_BOOT CAP_SYS_TIME CAP_SYS_PTRACE CAP_BPF CAP_SYSLOG CAP_WAKE_ALARM CAP_LINUX_IMMUTABLE CAP_MKNOD CAP_SYS_TTY_CONFIG CAP_MAC_ADMIN CAP_MAC_OVERRIDE",
    ...APPLY_EXPOSURES_LEFT,
    "",
  ].join("\n");
}

/** In the user data: the apply script itself (it must exist before the bundle does). */
export function applyBundleFile(squidConf: string): HostFile {
  return { path: APPLY_BUNDLE, content: renderApplyBundle(squidConf), mode: "0750", owner: ROOT_OWNER };
}

/** In the bundle: the metric helper, the timer and its service. */
export function applyHostFiles(): HostFile[] {
  return [{ path: PUT_METRIC, content: renderPutMetric(), mode: "0750", owner: ROOT_OWNER }, unitFile(APPLY_SERVICE, renderApplyService()), unitFile(APPLY_TIMER, renderApplyTimer())];
}
