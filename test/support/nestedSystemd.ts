// A private systemd 252 as PID 1 of its own pid/mount/uts/ipc/cgroup namespaces, to run the kit's real
// units: the systemd-units test boots it on a loopback-only network, the netns-sandbox test inside a
// network namespace it built with veths. Everything the manager changes is private to it.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PATHS, WORK_GROUP } from "../../components/base/layout";
import { SECRETS_GATE_SCRIPT, renderSecretsGate } from "../../components/host/secretsGate";
import { NODE_BIN } from "./openclaw";
import { IN_CI, isRoot, needTools } from "./tools";
import { renderExecApprovalsJson } from "../../components/gateway/openclawConfig";
import { loadStackFile } from "../../stacks/load";

/** True when this machine can boot the private manager; skips (or fails under CI) with the reason otherwise. */
export function nestedManagerUsable(...extraTools: string[]): boolean {
  if (!needTools("systemd-analyze", "unshare", "nsenter", "ip", "useradd", ...extraTools)) return false;
  if (!fs.existsSync("/usr/lib/systemd/systemd")) {
    if (IN_CI) throw new Error("/usr/lib/systemd/systemd is missing; CI=true, so this is a failure");
    console.warn("skipping: /usr/lib/systemd/systemd is missing");
    return false;
  }
  if (!isRoot()) {
    const msg = "booting a private systemd manager needs root (namespaces, mounts, cgroups)";
    if (IN_CI) throw new Error(`${msg}; CI=true, so this is a failure`);
    console.warn(`skipping: ${msg}`);
    return false;
  }
  return true;
}

const tmpDirs: string[] = [];
export function tmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
/** Remove every directory tmpDir() made (call from afterAll). */
export function removeTmpDirs(): void {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function writeFile(file: string, content: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/** The writable cgroup2 hierarchy: the root on a unified host, /unified on a hybrid one. */
const CGROUP2_ROOT = fs.existsSync("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";

/**
 * Runs as PID 1 of fresh pid/mount/uts/ipc namespaces (and a fresh network namespace unless the caller
 * entered one) and becomes systemd. Everything it changes is private: /etc is an overlay, /run /var/lib
 * /var/log /var/tmp /tmp /opt /usr/local are tmpfs, /proc/sys is read-only, and the manager's cgroups
 * live in a subtree removed afterwards. /run/harness is the test's output directory; $W/setup.sh
 * places the caller's files and runs its setup lines just before systemd starts.
 */
const HARNESS = String.raw`set -eu
W=$1 NODE_PKG=$2 MODULES=$3 MAIN=$4
mount -t proc proc /proc
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
ip link set lo up
for a in $LO_ADDRS; do ip addr add "$a/32" dev lo; done
mount -t tmpfs -o mode=0700 tmpfs "$W/ov"
mkdir "$W/ov/upper" "$W/ov/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/ov/upper,workdir=$W/ov/work" /etc
for d in /var/lib /var/log /usr/local /opt; do mount -t tmpfs -o mode=0755 tmpfs "$d"; done
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
useradd --system --no-create-home --home-dir ${PATHS.stateDir} --shell /usr/sbin/nologin openclaw
# The workspace's group (levels 2-3 give it to the gateway as SupplementaryGroups=).
groupadd -f --system ${WORK_GROUP}
install -d -m 0750 -g openclaw ${PATHS.configDir}
install -m 0640 -g openclaw "$W/in/openclaw.json" ${PATHS.configFile}
install -m 0640 -g openclaw "$W/in/exec-approvals.json" ${PATHS.execApprovalsFile}
install -d -m 0700 "$(dirname ${PATHS.envFile})"
install -m 0600 "$W/in/host.env" ${PATHS.envFile}
cp -r "$W/in/units/." /etc/systemd/system/
# The host's side-by-side layout: the runtime paths are links into ${PATHS.runtimesDir} (the units name that tree).
install -d ${PATHS.runtimesDir}/node ${PATHS.runtimesDir}/openclaw ${PATHS.libexecDir}
ln -s runtimes/node ${PATHS.nodeDir}
ln -s runtimes/openclaw ${PATHS.openclawDir}
mount --bind -o ro "$NODE_PKG" ${PATHS.runtimesDir}/node
cp "$W"/in/oc/* ${PATHS.openclawDir}/
if [ -n "$MODULES" ]; then mkdir ${PATHS.openclawDir}/node_modules; mount --bind -o ro "$MODULES" ${PATHS.openclawDir}/node_modules; fi
install -m 0755 "$W/in/fetch-token" ${PATHS.libexecDir}/fetch-token
# The gateway's boot gate (ExecStartPre): OpenClaw's own secrets audit must find nothing in plain text.
install -D -m 0644 "$W/in/secrets-gate.mjs" ${SECRETS_GATE_SCRIPT}
mount -t tmpfs -o mode=0755 tmpfs /run
install -d -m 0700 /run/harness
mount --bind "$W/out" /run/harness
# $W is under /tmp: the caller's files and setup go in before /tmp is covered.
. "$W/setup.sh"
mount -t tmpfs -o mode=1777 tmpfs /tmp
# systemd moves credential mounts into place through shared propagation, as on a booted host.
mount --make-rshared /
mkdir "$CGROUP2_ROOT/$CGROUP_NAME"
echo 0 > "$CGROUP2_ROOT/$CGROUP_NAME/cgroup.procs"
export container=clawkeep-test
exec unshare --cgroup sh -ec 'mount -t cgroup2 cgroup2 /sys/fs/cgroup; exec /usr/lib/systemd/systemd --system --unit="$0" --show-status=no' "$MAIN"
`;

export interface ManagerRun {
  status: number | null;
  ms: number;
  read(name: string): string;
}

export interface ManagerOptions {
  /** Unit files and drop-ins by name relative to /etc/systemd/system. */
  units: Record<string, string>;
  /** Files copied into PATHS.openclawDir (probes, checks). */
  scripts: Record<string, string>;
  config: string;
  /** The exec approvals document the unit applies at start; level 0's by default. */
  execApprovals?: string;
  fetchToken: string;
  /** The only job the manager starts; it exits when this unit's SuccessAction/FailureAction fire. */
  main: string;
  /** Extra /32 addresses on the manager's loopback. */
  addrs?: string[];
  /** A node_modules tree bind-mounted read-only under PATHS.openclawDir. */
  modules?: string;
  timeoutMs: number;
  /** Enter this named network namespace (/run/netns/NAME) instead of creating a loopback-only one. */
  netns?: string;
  /** Files placed in the manager's root before it boots (after /run is mounted; not under /tmp). */
  files?: Record<string, { content: string; mode: number }>;
  /** Shell lines run as root right before systemd starts (ownership of `files`, sockets...). */
  setup?: string;
}

/** Boot a private systemd 252 with `units` installed and `main` as its only job; it exits when `main` does. */
export function runManager(opts: ManagerOptions): ManagerRun {
  const w = tmpDir("clawkeep-manager-");
  for (const d of ["ov", "out", "in/units", "in/oc", "in/root"]) fs.mkdirSync(path.join(w, d), { recursive: true });
  for (const [name, text] of Object.entries(opts.units)) writeFile(path.join(w, "in/units", name), text);
  for (const [name, text] of Object.entries(opts.scripts)) writeFile(path.join(w, "in/oc", name), text);
  for (const [file, f] of Object.entries(opts.files ?? {})) writeFile(path.join(w, "in/root", file), f.content, f.mode);
  writeFile(path.join(w, "in/openclaw.json"), opts.config, 0o600);
  // The gateway unit re-applies these before every start (ExecStartPre); level 0's deny-all by default.
  writeFile(path.join(w, "in/exec-approvals.json"), opts.execApprovals ?? renderExecApprovalsJson(loadStackFile("level0")), 0o600);
  writeFile(path.join(w, "in/host.env"), "CLAWKEEP_TEST=1\n", 0o600);
  writeFile(path.join(w, "in/fetch-token"), opts.fetchToken, 0o700);
  writeFile(path.join(w, "in/secrets-gate.mjs"), renderSecretsGate(), 0o644);
  writeFile(path.join(w, "harness.sh"), HARNESS, 0o700);
  // install(1) per file: parent directories are created 0755 and existing ones (/tmp, /run) keep their modes.
  const place = Object.entries(opts.files ?? {}).map(([file, f]) => `install -D -m ${f.mode.toString(8)} "$W/in/root${file}" ${file}`);
  writeFile(path.join(w, "setup.sh"), `${[...place, opts.setup ?? ""].join("\n")}\n`, 0o600);
  const cgroupName = `clawkeep-test-${process.pid}-${randomBytes(4).toString("hex")}`;
  const nodePkg = path.dirname(path.dirname(fs.realpathSync(NODE_BIN)));
  const namespaces = ["--pid", "--kill-child", "--mount", "--uts", "--ipc", "--propagation", "private"];
  const unshare = ["unshare", ...namespaces, ...(opts.netns ? [] : ["--net"]), "sh", path.join(w, "harness.sh"), w, nodePkg, opts.modules ?? "", opts.main];
  const [cmd, ...args] = opts.netns ? ["nsenter", `--net=/run/netns/${opts.netns}`, ...unshare] : unshare;
  const started = Date.now();
  const res = spawnSync(cmd, args, {
    encoding: "utf8",
    timeout: opts.timeoutMs,
    // unshare --fork ignores SIGTERM while it waits: only SIGKILL ends it (and --kill-child then ends the manager).
    killSignal: "SIGKILL",
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LO_ADDRS: (opts.addrs ?? []).join(" "), CGROUP2_ROOT, CGROUP_NAME: cgroupName },
  });
  removeCgroupTree(path.join(CGROUP2_ROOT, cgroupName));
  if (res.error) throw res.error;
  const read = (name: string) => {
    const f = path.join(w, "out", name);
    return fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "";
  };
  if (res.stderr.trim()) console.warn(`nested manager stderr: ${res.stderr.trim()}`);
  return { status: res.status, ms: Date.now() - started, read };
}

/** Remove the manager's cgroups, leaves first; the kernel may need a moment to empty them after a kill. */
function removeCgroupTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
  for (let attempt = 0; ; attempt++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EBUSY" || attempt >= 50) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

/** [Unit]/[Service] lines that only wire a unit into the test. */
export function dropIn(unit: string[], service: string[]): string {
  return `[Unit]\n${unit.join("\n")}\n\n[Service]\n${service.join("\n")}\n`;
}
/** Keys a harness drop-in may set: none of them touches a sandbox. */
export const HARNESS_ONLY_KEYS = new Set(["DefaultDependencies", "SuccessAction", "FailureAction", "ExecStart", "ExecStartPre", "Restart", "StandardOutput", "StandardError"]);

/** fetch-token stand-in: stages the token as the real script must, and reports what it could do. */
export function fetchTokenStub(token: string): string {
  return `#!/bin/sh
set -eu
mkdir -p -m 0700 ${PATHS.runSecretsDir}/provider-keys
printf '%s\\n' '${token}' > ${PATHS.tokenFile}.tmp
mv ${PATHS.tokenFile}.tmp ${PATHS.tokenFile}
stat -c '%a %U:%G %n' ${PATHS.runSecretsDir} ${PATHS.tokenFile}
grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' /proc/self/status
`;
}

/**
 * Harness wiring for tests about the gateway's sandbox: the gateway Requires= the state volume's unit,
 * which needs a block device. This stand-in only satisfies the dependency; the real unit is run on a
 * loop device in test/state-volume.integration.test.ts and test/runtime-upgrade.test.ts.
 */
export const STATE_VOLUME_STAND_IN = dropIn(["Description=harness stand-in for the state volume unit", "DefaultDependencies=no"], ["Type=oneshot", "RemainAfterExit=yes", "ExecStart=/bin/true"]);
