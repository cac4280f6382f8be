// The VM's root disk: Debian 12 built by mmdebstrap from Debian's packages, shaped like the official
// Debian EC2 image (cloud kernel, cloud-init, openssh-server, unattended-upgrades) plus every package
// the kit's user data installs, so first boot needs no package download. Cached under
// .cache/vm/disk-<hash of its inputs>/; the mmdebstrap run goes through a recording mirror, and that
// snapshot of Debian's archive is what the VM's apt sees later (same indices, same versions).
// The pinned runtime (Node, npm, OpenClaw) is baked in the way an AMI pipeline would: the kit's own
// install-runtime runs unchanged in the image's chroot against the npm snapshot. At first boot the
// same script finds every pin in place; under TCG its npm install alone took 500-1015 s.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { AGENT_NODE_UNIT, AGENT_PAIR_UNIT, GATEWAY_UNIT, PATHS } from "../../components/base/layout";
import { renderBootScripts, renderHostEnv, renderRuntimeEnv } from "../../components/host/bootScripts";
import { hostFacts, renderHost } from "../../components/host/hostFiles";
import type { StackModel } from "../../stacks/schema";
import { loadStackFile, listStacks } from "../../stacks/load";
import { DNS_ADDR, TEST_STATE_VOLUME_ID } from "./addresses";
import { AGENT_BIN, AGENT_SCRIPT, AGENT_UNIT, AGENT_UNIT_TEXT } from "./agent";
import { FIXTURE_RECIPE, ensureFixtures, type Fixtures } from "./fixtures";
import { startMirror } from "./mirror";
import { NPM_UPSTREAM } from "./npmMirror";
import { MOTO_ACCOUNT } from "../support/moto";

export const SUITE = "bookworm";
export const DEBIAN_UPSTREAM = "http://deb.debian.org";
const IMAGE_SIZE = "6G";

/** What the official Debian 12 EC2 image brings that the kit relies on, and what the test itself needs. */
export const BASE_PACKAGES = [
  "linux-image-cloud-amd64",
  "initramfs-tools",
  "systemd-sysv",
  "udev",
  "dbus",
  "kmod",
  "e2fsprogs",
  "netbase",
  "iproute2",
  "procps",
  "cloud-init",
  // cloud-init's locale module runs update-locale and locale-gen.
  "locales",
  "openssh-server",
  "ca-certificates",
  "curl",
  "gpgv",
  "unattended-upgrades",
];

/** The suites the image is built from and the VM's apt later reads (cloud-init's Debian template). */
const SUITES = [SUITE, `${SUITE}-updates`, `${SUITE}-security`];

/** Debian keeps bookworm-security in a separate archive; the VM's single mirror URL serves both. */
export function debianPath(requestPath: string): string {
  return requestPath
    .replace(/^\/debian\/dists\/([a-z]+-security)\//, "/debian-security/dists/$1/")
    .replace(/^\/debian\/pool\/updates\//, "/debian-security/pool/updates/");
}

/** Every package any level's user data installs: the image carries them, as an AMI built for the kit would. */
export function userDataPackages(): string[] {
  const all = new Set<string>();
  for (const stack of listStacks()) {
    const model = loadStackFile(stack);
    const rendered = renderHost(model, hostFacts(model, stack, model.region), { accountId: MOTO_ACCOUNT, stack, stateVolumeId: TEST_STATE_VOLUME_ID });
    const doc = parseYaml(rendered.userData) as { packages?: string[] };
    for (const p of doc.packages ?? []) all.add(p);
  }
  return [...all].sort();
}

/** The gateway's start timeout in the test image (the kit's unit says 90 s). */
export const VM_GATEWAY_START_TIMEOUT_S = 900;

/** The level-2 node host's pairing in the test image (the kit's unit: 1,200 s in all, 600 s a wait); under the guest agent's 3,600 s cap. */
export const VM_AGENT_PAIR_START_TIMEOUT_S = 3000;
export const VM_AGENT_PAIR_WAIT_S = 1500;

/** Files laid over the built root: test wiring only, none of it from the kit. */
export function overlayFiles(fixtures: Pick<Fixtures, "signerFingerprint">): Record<string, string> {
  return {
    "/etc/fstab": "/dev/vda / ext4 defaults,noatime 0 1\n",
    "/etc/hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
    // The test's resolver, reached over TCP: AWS names go to the moto stand-in, every other name fails.
    "/etc/resolv.conf": `nameserver ${DNS_ADDR}\noptions use-vc timeout:2 attempts:2\n`,
    // Like the official image's sources (cloud-init replaces them with the kit's mirror setting).
    "/etc/apt/sources.list": [SUITE, `${SUITE}-updates`].map((s) => `deb http://deb.debian.org/debian ${s} main\n`).join("") + `deb http://deb.debian.org/debian-security ${SUITE}-security main\n`,
    "/etc/cloud/cloud.cfg.d/90-clawkeep-vm-test.cfg": "# test image: user data comes from the NoCloud seed only; nothing else is probed.\ndatasource_list: [ NoCloud ]\n",
    [AGENT_BIN]: AGENT_SCRIPT,
    [`/etc/systemd/system/${AGENT_UNIT}`]: AGENT_UNIT_TEXT,
    // The agent installers' test override: the stand-in .debs are signed by the test key, not AWS's.
    "/etc/systemd/system/cloud-final.service.d/90-clawkeep-vm-test.conf": `[Service]\n${["SSM_AGENT", "CWAGENT"]
      .map((p) => `Environment=CLAWKEEP_${p}_KEYS=/usr/local/share/clawkeep-vm-test/ssm-test-signer.asc\nEnvironment=CLAWKEEP_${p}_SIGNERS=${fixtures.signerFingerprint}\n`)
      .join("")}Environment=CLAWKEEP_TAILSCALE_KEY_FPR=${fixtures.signerFingerprint}\n`,
    // TCG emulates the CPU some 30x slower than an EC2 vCPU: the gateway's CLI step and start took over
    // the unit's 90 s (about 100 s of CPU per try). Only the start timeout changes; the sandbox does not.
    [`/etc/systemd/system/${GATEWAY_UNIT}.d/90-clawkeep-vm-test.conf`]: `[Service]\nTimeoutStartSec=${VM_GATEWAY_START_TIMEOUT_S}\n`,
    // The same for the level-2 node host: its ExecStartPre (an OpenClaw CLI run) outlasted the default 90 s under TCG.
    [`/etc/systemd/system/${AGENT_NODE_UNIT}.d/90-clawkeep-vm-test.conf`]: `[Service]\nTimeoutStartSec=${VM_GATEWAY_START_TIMEOUT_S}\n`,
    // And for its pairing: a dozen CLI runs and three node restarts outlasted the unit's 1,200 s on a level-2 VM host
    // (guest load 4.5); each wait may take 25 min here, the whole unit 50. A setup code still lives the gateway's 10 minutes.
    [`/etc/systemd/system/${AGENT_PAIR_UNIT}.d/90-clawkeep-vm-test.conf`]: `[Service]\nTimeoutStartSec=${VM_AGENT_PAIR_START_TIMEOUT_S}\nEnvironment=CLAWKEEP_PAIR_WAIT_SECONDS=${VM_AGENT_PAIR_WAIT_S}\n`,
    // A small initrd: the VM boots from virtio only, and TCG pays for every byte it unpacks.
    "/etc/initramfs-tools/conf.d/clawkeep-vm-test.conf": "MODULES=list\n",
    "/etc/initramfs-tools/hooks/clawkeep-vm-test": INITRAMFS_HOOK,
  };
}

// With MODULES=list the initrd holds only what boots from virtio; udev and the local script load them.
const INITRAMFS_HOOK = `#!/bin/sh
[ "$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules virtio_pci virtio_blk ext4 crc32c_generic
`;

// Runs as mmdebstrap's hooks: $1 is the new root, $2 the overlay tree, $3 the fixtures dir.
const ESSENTIAL_HOOK = `set -eu
cp -a "$2/etc/initramfs-tools" "$1/etc/"
`;
const CUSTOMIZE_HOOK = `set -eu
root=$1 overlay=$2 fixtures=$3
cp -a "$overlay/." "$root/"
install -D -m 0644 "$fixtures/test-ca.crt" "$root/usr/local/share/ca-certificates/clawkeep-vm-test-ca.crt"
install -D -m 0644 "$fixtures/ssm-test-signer.asc" "$root/usr/local/share/clawkeep-vm-test/ssm-test-signer.asc"
chroot "$root" update-ca-certificates
# The image's locale is set, as on Debian's cloud images, so cloud-init's locale module has nothing to regenerate.
echo 'en_US.UTF-8 UTF-8' >"$root/etc/locale.gen"
chroot "$root" locale-gen
echo 'LANG=en_US.UTF-8' >"$root/etc/default/locale"
chroot "$root" systemctl enable systemd-networkd.service ${AGENT_UNIT}
# First boot must look like a new instance: no machine id, no host keys baked in.
: >"$root/etc/machine-id"
rm -f "$root"/etc/ssh/ssh_host_*
rm -rf "$root/var/lib/apt/lists/"*
`;

export interface Disk {
  hash: string;
  dir: string;
  image: string;
  kernel: string;
  initrd: string;
  fixtures: Fixtures;
  /** The recorded Debian archive snapshot the VM's apt is served from. */
  debianStore: string;
  /** Seconds the cold build took (from its record), and whether this run built it. */
  buildSeconds: number;
  built: boolean;
  packages: string[];
}

function runLogged(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, "a");
    const child = spawn(cmd, args, { stdio: ["ignore", out, out], env });
    fs.closeSync(out);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited ${String(code)}; last lines of ${logFile}:\n${fs.readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n")}`));
    });
  });
}

/** sha256 hex of each file `dists/<suite>/InRelease` lists, for the index files apt fetches. */
export function releaseIndexFiles(inRelease: string): Array<{ file: string; sha256: string }> {
  const block = /^SHA256:\n((?: .*\n?)*)/m.exec(inRelease)?.[1] ?? "";
  const wanted = /^main\/binary-amd64\/Packages\.(xz|bz2|gz)$/;
  return block
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3 && wanted.test(f[2]))
    .map((f) => ({ file: f[2], sha256: f[0] }));
}

/**
 * Fetch, into the snapshot, the indices the VM's apt-get update asks for and mmdebstrap did not
 * (the kit's mirror sources are binary-only main, updates and security), by hash so they match the
 * InRelease recorded with the image.
 */
async function completeDebianSnapshot(store: string, log: (s: string) => void): Promise<void> {
  for (const suite of SUITES) {
    const archive = suite.endsWith("-security") ? "debian-security" : "debian";
    const inReleasePath = path.join(store, archive, "dists", suite, "InRelease~body");
    const get = async (rel: string, dest: string): Promise<void> => {
      if (fs.existsSync(dest)) return;
      const res = await fetch(`${DEBIAN_UPSTREAM}/${archive}/${rel}`, { signal: AbortSignal.timeout(300_000) });
      if (res.status !== 200) throw new Error(`${DEBIAN_UPSTREAM}/${archive}/${rel}: HTTP ${res.status}`);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, Buffer.from(await res.arrayBuffer()));
    };
    await get(`dists/${suite}/InRelease`, inReleasePath);
    for (const { file, sha256 } of releaseIndexFiles(fs.readFileSync(inReleasePath, "utf8"))) {
      const byHash = path.join(store, archive, "dists", suite, path.dirname(file), "by-hash", "SHA256", `${sha256}~body`);
      await get(`dists/${suite}/${path.dirname(file)}/by-hash/SHA256/${sha256}`, byHash);
      const plain = path.join(store, archive, "dists", suite, `${file}~body`);
      if (!fs.existsSync(plain)) fs.copyFileSync(byHash, plain);
    }
    log(`debian snapshot: ${suite} indices complete`);
  }
}

/** What the baked runtime depends on: the stack model's pins and the npm snapshot recorded for them. */
export interface RuntimeBake {
  model: StackModel;
  stack: string;
  npmStore: string;
  /** Settles when the npm snapshot is recorded: mmdebstrap runs meanwhile, only the bake waits for it. */
  npmRecorded: Promise<unknown>;
}

// Runs install-runtime in the new root with /proc and /dev, in a private mount namespace that takes
// the mounts with it. $1 root, $2 the bake directory inside the root.
const BAKE_SCRIPT = `set -eu
mount -t proc proc "$1/proc"
mount --rbind /dev "$1/dev"
exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root CLAWKEEP_HOST_ENV="$2/host.env" CLAWKEEP_RUNTIME_ENV="$2/runtime.env" "$2/install-runtime"
`;

/** host.env and runtime.env as the stack renders them, with the npm registry pointed at `registry` (the bake's mirror). */
function bakeHostEnv(bake: RuntimeBake, region: string, registry: string): string {
  const model = { ...bake.model, packageMirror: { ...bake.model.packageMirror, npmRegistry: registry } };
  return renderHostEnv(model, hostFacts(model, bake.stack, region));
}
function bakeRuntimeEnv(bake: RuntimeBake, registry: string): string {
  return renderRuntimeEnv({ ...bake.model, packageMirror: { ...bake.model.packageMirror, npmRegistry: registry } });
}

/** install-runtime, unchanged, in the image's root, against the npm snapshot on host loopback. */
async function bakeRuntime(rootDir: string, bake: RuntimeBake, region: string, logFile: string, log: (s: string) => void): Promise<void> {
  await bake.npmRecorded;
  const started = Date.now();
  const mirror = await startMirror({ storeDir: bake.npmStore, upstream: NPM_UPSTREAM, mode: "replay" });
  const inside = "/var/tmp/clawkeep-bake";
  const dir = path.join(rootDir, inside);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, "host.env"), bakeHostEnv(bake, region, mirror.url), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "runtime.env"), bakeRuntimeEnv(bake, mirror.url), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "install-runtime"), renderBootScripts()["install-runtime"], { mode: 0o750 });
    log(`baking the runtime: install-runtime in the image's chroot against the npm snapshot (${mirror.url})`);
    await runLogged("unshare", ["--mount", "--propagation", "private", "sh", "-c", BAKE_SCRIPT, "bake", rootDir, inside], logFile);
    if (mirror.stats.misses.length > 0) throw new Error(`install-runtime asked for what the npm snapshot lacks: ${mirror.stats.misses.slice(0, 5).join(", ")}`);
    widenLeaseStartTimeout(rootDir, log);
    log(`runtime baked in ${((Date.now() - started) / 1000).toFixed(0)} s (${mirror.stats.served} npm requests served)`);
  } finally {
    await mirror.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// OpenClaw gives its state-lease worker LEASE_HEARTBEAT_START_TIMEOUT_MS (5 s, no setting) to come up. Under
// TCG the worker needs far longer and the gateway exits "state lease heartbeat did not become ready"; the
// test image alone widens that one constant, as it widens the unit's start timeout. Nothing else changes.
export const LEASE_TIMEOUT_PATCH = { file: /^openclaw-state-lease-heartbeat-shared-.*\.mjs$/, from: "const LEASE_HEARTBEAT_START_TIMEOUT_MS = 5e3;", to: "const LEASE_HEARTBEAT_START_TIMEOUT_MS = 3e5;" };

function widenLeaseStartTimeout(rootDir: string, log: (s: string) => void): void {
  const dist = path.join(rootDir, PATHS.openclawDir, "node_modules", "openclaw", "dist");
  const files = fs.readdirSync(dist).filter((f) => LEASE_TIMEOUT_PATCH.file.test(f));
  if (files.length !== 1) throw new Error(`expected one ${LEASE_TIMEOUT_PATCH.file} in ${dist}, found ${files.length}: the pinned OpenClaw changed`);
  const file = path.join(dist, files[0]);
  const text = fs.readFileSync(file, "utf8");
  if (text.split(LEASE_TIMEOUT_PATCH.from).length !== 2) throw new Error(`${file} does not hold exactly one "${LEASE_TIMEOUT_PATCH.from}": the pinned OpenClaw changed`);
  fs.writeFileSync(file, text.replace(LEASE_TIMEOUT_PATCH.from, LEASE_TIMEOUT_PATCH.to));
  log(`test image: ${files[0]}: ${LEASE_TIMEOUT_PATCH.to}`);
}

export function diskInputs(packages: string[], overlay: Record<string, string>, region: string, bake: RuntimeBake): string {
  // The fingerprint line of the overlay is random per build, so the recipe stands in for it.
  const stableOverlay = Object.fromEntries(Object.entries(overlay).map(([k, v]) => [k, v.replace(/(SIGNERS|KEY_FPR)=[0-9A-F]{40}/g, "$1=<test key>")]));
  const runtime = { env: bakeHostEnv(bake, region, "http://mirror"), runtimeEnv: bakeRuntimeEnv(bake, "http://mirror"), script: renderBootScripts()["install-runtime"], BAKE_SCRIPT, npmStore: path.basename(bake.npmStore), LEASE_TIMEOUT_PATCH: String(LEASE_TIMEOUT_PATCH.to) };
  return JSON.stringify({ region, SUITE, SUITES, packages, stableOverlay, INITRAMFS_HOOK, ESSENTIAL_HOOK, CUSTOMIZE_HOOK, FIXTURE_RECIPE, IMAGE_SIZE, runtime });
}

/** The cached disk for these inputs, building it first when it is not there. */
export async function ensureDisk(cacheRoot: string, region: string, bake: RuntimeBake, log: (s: string) => void): Promise<Disk> {
  const packages = [...new Set([...BASE_PACKAGES, ...userDataPackages()])].sort();
  const probe = overlayFiles({ signerFingerprint: "0".repeat(40) });
  const hash = createHash("sha256").update(diskInputs(packages, probe, region, bake)).digest("hex").slice(0, 16);
  const dir = path.join(cacheRoot, `disk-${hash}`);
  const image = path.join(dir, "root.raw");
  const kernel = path.join(dir, "vmlinuz");
  const initrd = path.join(dir, "initrd.img");
  const debianStore = path.join(dir, "debian");
  const record = path.join(dir, "build.json");
  const fixtures = ensureFixtures(path.join(dir, "fixtures"), region);
  if (fs.existsSync(record) && fs.existsSync(image)) {
    const { buildSeconds } = JSON.parse(fs.readFileSync(record, "utf8")) as { buildSeconds: number };
    return { hash, dir, image, kernel, initrd, fixtures, debianStore, buildSeconds, built: false, packages };
  }

  const started = Date.now();
  const logFile = path.join(dir, "build.log");
  fs.writeFileSync(logFile, "");
  const rootDir = path.join(dir, "rootfs");
  fs.rmSync(rootDir, { recursive: true, force: true });
  const overlayDir = path.join(dir, "overlay");
  fs.rmSync(overlayDir, { recursive: true, force: true });
  for (const [file, content] of Object.entries(overlayFiles(fixtures))) {
    fs.mkdirSync(path.join(overlayDir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(overlayDir, file), content, { mode: content.startsWith("#!") ? 0o755 : 0o644 });
  }
  const hooks = path.join(dir, "hooks");
  fs.mkdirSync(hooks, { recursive: true });
  fs.writeFileSync(path.join(hooks, "essential.sh"), ESSENTIAL_HOOK);
  fs.writeFileSync(path.join(hooks, "customize.sh"), CUSTOMIZE_HOOK);

  const mirror = await startMirror({ storeDir: debianStore, upstream: DEBIAN_UPSTREAM, mode: "record", rewrite: debianPath, log });
  try {
    log(`mmdebstrap ${SUITE} with ${packages.length} requested packages (log: ${logFile})`);
    const sources = [
      `deb ${mirror.url}/debian ${SUITE} main`,
      `deb ${mirror.url}/debian ${SUITE}-updates main`,
      `deb ${mirror.url}/debian-security ${SUITE}-security main`,
    ];
    await runLogged(
      "mmdebstrap",
      [
        "--mode=root",
        "--variant=minbase",
        "--format=directory",
        `--include=${packages.join(",")}`,
        '--aptopt=Acquire::Retries "3"',
        `--essential-hook=sh ${path.join(hooks, "essential.sh")} "$1" ${overlayDir} ${fixtures.dir}`,
        `--customize-hook=sh ${path.join(hooks, "customize.sh")} "$1" ${overlayDir} ${fixtures.dir}`,
        SUITE,
        rootDir,
        ...sources,
      ],
      logFile,
    );
    log(`mmdebstrap done in ${((Date.now() - started) / 1000).toFixed(0)} s (${mirror.stats.fetched} files fetched into the snapshot)`);
  } finally {
    await mirror.close();
  }
  await completeDebianSnapshot(debianStore, log);
  await bakeRuntime(rootDir, bake, region, logFile, log);

  const bootDir = path.join(rootDir, "boot");
  const pick = (prefix: string): string => {
    const f = fs.readdirSync(bootDir).find((n) => n.startsWith(prefix));
    if (!f) throw new Error(`no ${prefix}* in ${bootDir}`);
    return path.join(bootDir, f);
  };
  fs.copyFileSync(pick("vmlinuz-"), kernel);
  fs.copyFileSync(pick("initrd.img-"), initrd);
  const mkfsStarted = Date.now();
  fs.rmSync(image, { force: true });
  await runLogged("mkfs.ext4", ["-q", "-F", "-L", "clawkeep-root", "-d", rootDir, image, IMAGE_SIZE], logFile);
  log(`mkfs.ext4 -d: ${((Date.now() - mkfsStarted) / 1000).toFixed(0)} s`);
  fs.rmSync(rootDir, { recursive: true, force: true });
  const buildSeconds = Math.round((Date.now() - started) / 1000);
  // Only the disk for the current inputs is kept: each is gigabytes.
  for (const old of fs.readdirSync(cacheRoot)) {
    if (old.startsWith("disk-") && old !== path.basename(dir)) fs.rmSync(path.join(cacheRoot, old), { recursive: true, force: true });
  }
  fs.writeFileSync(record, `${JSON.stringify({ hash, buildSeconds, builtAt: new Date().toISOString(), packages, gatewayUnit: GATEWAY_UNIT }, null, 2)}\n`);
  return { hash, dir, image, kernel, initrd, fixtures, debianStore, buildSeconds, built: true, packages };
}
