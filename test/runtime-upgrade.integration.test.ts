// Upgrades with a way back (issue 18 item 4), proven with the real OpenClaw under the kit's units in a
// private systemd 252: the gateway runs 2026.9.5 on the cell's state volume (a loop device, mounted by
// the kit's own state-volume unit), known state is written through the gateway, and upgrade-runtime
// moves it to the pinned 2026.9.6. First with an injected failure (2026.9.6 starts, migrates the state,
// then its unit fails): the previous runtime and the pre-upgrade state come back and RuntimeUpgradeRolledBack
// is published; 2026.9.5 could not even start on the migrated state (it exits 78), so the state copy is
// what makes the way back work. Then without it: the gateway runs 2026.9.6 on the migrated state.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_UNIT, PATHS, STATE_VOLUME_UNIT, TOKEN_UNIT } from "../components/base/layout";
import { renderExecApprovalsJson, renderOpenclawJson } from "../components/gateway/openclawConfig";
import { renderBootScripts, renderHostEnv, renderRuntimeEnv } from "../components/host/bootScripts";
import { hostFacts } from "../components/host/hostFiles";
import { renderGatewayUnit, renderTokenUnit } from "../components/host/systemdUnits";
import { PRE_UPGRADE_DIR, renderUpgradeRuntime } from "../components/host/runtimeUpgrade";
import { APPLY_METRICS, PUT_METRIC } from "../components/host/bundleApply";
import { UPGRADE_RUNTIME } from "../components/host/effects";
import { EGRESS_SERVICE, EGRESS_SOCKET, INGRESS_SERVICE, INGRESS_SOCKET, netsandboxHostFiles } from "../components/netsandbox";
import { PREPARE_STATE_VOLUME, renderPrepareStateVolume, renderStateVolumeUnit, volumeSerial } from "../components/state/hostFiles";
import { renderInstanceEnv, renderTmpfiles } from "../components/host/userData";
import { loadStackFile } from "../stacks/load";
import { GATEWAY_PROBE, stateIntact, type KnownState, type StateReadBack } from "./support/gatewayProbe";
import { dropIn, fetchTokenStub, nestedManagerUsable, removeTmpDirs, runManager, tmpDir } from "./support/nestedSystemd";
import { ensureOpenclaw, type OpenclawInstall } from "./support/openclaw";
import { needTools } from "./support/tools";

const FROM = "2026.9.5";
const VOLUME = "vol-0c1a3e5e7a9b1d2f4";
const BY_ID = "/run/clawkeep-test-by-id";
/** While this file exists, 2026.9.6 fails right after it has started (and migrated the state). */
const INJECT_FLAG = "/run/clawkeep-test-fail-new-runtime";
const UNIT_DIR = "/etc/systemd/system/";

// Runs inside the gateway's sandbox as an ExecStartPost of a test drop-in: waits until the new runtime
// answers /healthz (so it has opened and migrated the state), then fails the unit. The old runtime passes.
const INJECT = String.raw`import * as fs from "node:fs";
const [port, flag] = process.argv.slice(2);
if (!fs.realpathSync("${PATHS.openclawDir}").endsWith("openclaw-2026.9.6") || !fs.existsSync(flag)) process.exit(0);
for (let i = 0; i < 300; i++) {
  try { if ((await fetch("http://127.0.0.1:" + port + "/healthz")).status === 200) break; } catch {}
  await new Promise((r) => setTimeout(r, 500));
}
console.error("clawkeep-test: injected failure of the new runtime after it started");
process.exit(1);
`;

// The schema versions of the gateway's two databases, and the build that last wrote each (OpenClaw's schema_meta).
const SCHEMAS = String.raw`const { DatabaseSync } = require("node:sqlite");
const out = {};
for (const [k, f] of [["state", "state/openclaw.sqlite"], ["agent", "agents/main/agent/openclaw-agent.sqlite"]]) {
  try {
    const d = new DatabaseSync(process.argv[2] + "/" + f, { readOnly: true });
    const m = d.prepare("select schema_version, app_version from schema_meta where meta_key = 'primary'").get();
    out[k] = m.schema_version + "@" + m.app_version;
    d.close();
  } catch (e) { out[k] = "unreadable: " + String(e.message).slice(0, 80); }
}
console.log(JSON.stringify(out));
`;

const DRIVER = (port: number) => `#!/bin/bash
set -u
out=/run/harness
node=${PATHS.nodeBin}
healthy() { for _ in $(seq 1 150); do curl -fs -o /dev/null -m 5 http://127.0.0.1:${port}/healthz && return 0; sleep 2; done; return 1; }
probe() { "$node" /opt/clawkeep-test/probe.mjs ${port} ${PATHS.tokenFile} "$@"; }
facts() {
  echo "$1_link=$(readlink ${PATHS.openclawDir})"
  echo "$1_active=$(systemctl is-active ${GATEWAY_UNIT})"
  echo "$1_schemas=$("$node" /opt/clawkeep-test/schemas.cjs ${PATHS.stateDir})"
  echo "$1_mount=$(findmnt -rno SOURCE,OPTIONS --mountpoint ${PATHS.stateDir})"
}
{
  healthy && echo "start=healthy" || echo "start=never healthy"
  probe write "known state $(date +%s%N)" >$out/state.json; echo "write_exit=$?"
  facts before
  : >${INJECT_FLAG}
  # The injected failure crash-loops the new runtime: no need to wait its whole start timeout for health.
  CLAWKEEP_UPGRADE_HEALTH_WAIT=180 ${UPGRADE_RUNTIME} >$out/upgrade1.log 2>&1; echo "upgrade1_exit=$?"
  rm -f ${INJECT_FLAG}
  healthy && echo "after1=healthy" || echo "after1=never healthy"
  facts after1
  probe read $out/state.json >$out/read1.json; echo "read1_exit=$?"
  echo "failed_copy_schemas=$("$node" /opt/clawkeep-test/schemas.cjs "$(ls -d ${PRE_UPGRADE_DIR}/*-failed-*/openclaw | head -1)")"
  ${UPGRADE_RUNTIME} >$out/upgrade2.log 2>&1; echo "upgrade2_exit=$?"
  healthy && echo "after2=healthy" || echo "after2=never healthy"
  facts after2
  probe read $out/state.json >$out/read2.json; echo "read2_exit=$?"
  echo "copies=$(ls ${PRE_UPGRADE_DIR} | tr '\\n' ' ')"
  echo "copy_schemas=$("$node" /opt/clawkeep-test/schemas.cjs "$(ls -d ${PRE_UPGRADE_DIR}/*-from-*/openclaw | head -1)")"
  echo "runtimes=$(ls ${PATHS.runtimesDir} | tr '\\n' ' ')"
} >$out/driver.out 2>&1
`;

const fields = (text: string): Record<string, string> => Object.fromEntries(text.split("\n").flatMap((l) => (/^[a-z0-9_]+=/.test(l) ? [[l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]] : [])));

describe.skipIf(!nestedManagerUsable("dbus-daemon", "losetup", "mkfs.ext4", "curl", "runuser") || !needTools("npm"))(`upgrade-runtime: openclaw ${FROM} -> the pin, under the kit's units`, () => {
  const model = loadStackFile("level1");
  const port = model.gateway.port;
  let from: OpenclawInstall;
  let to: OpenclawInstall;
  let loop = "";
  let run: ReturnType<typeof runManager>;
  let out: Record<string, string>;

  beforeAll(async () => {
    [from, to] = [await ensureOpenclaw(FROM), await ensureOpenclaw(model.host.openclawVersion)];
    // The cache makes its install directories 0700 (mkdtemp); install-runtime's are 0755, readable by the service.
    for (const inst of [from, to]) fs.chmodSync(inst.dir, 0o755);
    const w = tmpDir("clawkeep-upgrade-");
    const image = path.join(w, "state.img");
    expect(spawnSync("truncate", ["-s", "512M", image]).status).toBe(0);
    loop = spawnSync("losetup", ["--find", "--show", image], { encoding: "utf8" }).stdout.trim();
    expect(loop).toMatch(/^\/dev\/loop\d+$/);

    const npmRoot = path.join(spawnSync("npm", ["root", "-g"], { encoding: "utf8" }).stdout.trim(), "npm");
    const npmVersion = (JSON.parse(fs.readFileSync(path.join(npmRoot, "package.json"), "utf8")) as { version: string }).version;
    const lockIntegrity = (inst: OpenclawInstall) =>
      (JSON.parse(fs.readFileSync(path.join(inst.dir, "package-lock.json"), "utf8")) as { packages: Record<string, { integrity: string }> }).packages["node_modules/openclaw"].integrity;
    expect(lockIntegrity(to)).toBe(model.host.openclawIntegrity);
    const facts = hostFacts(model, "level1", "us-east-1");
    // Nothing may be downloaded: every runtime is in place, the registry answers nothing.
    const hostEnv = renderHostEnv({ ...model, packageMirror: { ...model.packageMirror, npmRegistry: "http://127.0.0.1:9" } }, facts);
    const runtimeEnv = renderRuntimeEnv(model).replace(/^CLAWKEEP_NPM_VERSION=.*$/m, `CLAWKEEP_NPM_VERSION=${npmVersion}`);
    const scripts = renderBootScripts();
    const f = (content: string, mode = 0o644) => ({ content, mode });
    const units: Record<string, string> = {
      [GATEWAY_UNIT]: renderGatewayUnit(model),
      [TOKEN_UNIT]: renderTokenUnit(model),
      [STATE_VOLUME_UNIT]: renderStateVolumeUnit(),
      ...Object.fromEntries(netsandboxHostFiles(model).filter((x) => x.path.startsWith(UNIT_DIR)).map((x) => [x.path.slice(UNIT_DIR.length), x.content])),
      ...Object.fromEntries([EGRESS_SOCKET, EGRESS_SERVICE, INGRESS_SOCKET, INGRESS_SERVICE].map((u) => [`${u}.d/harness.conf`, dropIn(["DefaultDependencies=no"], [])])),
      // Masked (an empty unit file): squid's default dependencies would pull in sysinit.target mid-test, and its
      // --boot run empties /tmp under the running units, taking the gateway's shared PrivateTmp= with it. On a
      // host it runs once, at boot, before any of them.
      "systemd-tmpfiles-setup.service": "",
      "dbus.socket.d/harness.conf": dropIn(["DefaultDependencies=no"], []),
      "dbus.service.d/harness.conf": dropIn(["DefaultDependencies=no"], []),
      // Test wiring: where the loop device's by-id link is, the gateway's log, and the injected failure.
      [`${STATE_VOLUME_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no"], [`Environment=CLAWKEEP_BY_ID_DIR=${BY_ID}`, "StandardError=truncate:/run/harness/state-volume.log"]),
      [`${GATEWAY_UNIT}.d/harness.conf`]: dropIn(
        ["DefaultDependencies=no", "Wants=dbus.socket", "After=dbus.socket dbus.service"],
        ["StandardOutput=append:/run/harness/gateway.log", "StandardError=append:/run/harness/gateway.log", `ExecStartPost=${PATHS.nodeBin} /opt/clawkeep-test/inject.mjs ${port} ${INJECT_FLAG}`],
      ),
      [`${TOKEN_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no"], []),
      "upgrade-check.service": dropIn(
        ["DefaultDependencies=no", `Wants=${GATEWAY_UNIT}`, `After=${GATEWAY_UNIT}`, "SuccessAction=exit", "FailureAction=exit"],
        ["Type=oneshot", "TimeoutStartSec=1500", "ExecStart=/bin/bash /opt/clawkeep-test/driver.sh"],
      ),
    };
    run = runManager({
      units,
      // The harness copies these into the openclaw dir, which the setup below replaces by the runtime links.
      scripts: { "unused.txt": "replaced by the side-by-side layout\n" },
      config: renderOpenclawJson(model),
      execApprovals: renderExecApprovalsJson(model),
      fetchToken: fetchTokenStub("t".repeat(48)),
      main: "upgrade-check.service",
      timeoutMs: 1_700_000,
      files: {
        [PATHS.envFile]: f(hostEnv, 0o600),
        [PATHS.runtimeEnvFile]: f(runtimeEnv),
        [PATHS.instanceEnvFile]: f(renderInstanceEnv({ region: "us-east-1", stateVolumeId: VOLUME, bundleBucket: "b", bundleParameter: "/p" })),
        [PATHS.tmpfilesConf]: f(renderTmpfiles(model)),
        [PREPARE_STATE_VOLUME]: f(renderPrepareStateVolume(), 0o750),
        [`${PATHS.libexecDir}/install-runtime`]: f(scripts["install-runtime"], 0o750),
        [UPGRADE_RUNTIME]: f(renderUpgradeRuntime(), 0o750),
        // The metric goes to a file here (CloudWatch is not reachable from a loopback-only manager).
        [PUT_METRIC]: f("#!/bin/sh\necho \"$*\" >>/run/harness/metrics.log\n", 0o750),
        "/opt/clawkeep-test/probe.mjs": f(GATEWAY_PROBE),
        "/opt/clawkeep-test/inject.mjs": f(INJECT),
        "/opt/clawkeep-test/schemas.cjs": f(SCHEMAS),
        "/opt/clawkeep-test/driver.sh": f(DRIVER(port), 0o755),
      },
      // The side-by-side layout, read-only: the repo's Node, both OpenClaw installs, npm; the links on 2026.9.5.
      setup: [
        `umount ${PATHS.runtimesDir}/node && rm -rf ${PATHS.nodeDir} ${PATHS.openclawDir} ${PATHS.runtimesDir}/node ${PATHS.runtimesDir}/openclaw`,
        `for d in node-${model.host.nodeVersion} openclaw-${FROM} openclaw-${model.host.openclawVersion}; do install -d ${PATHS.runtimesDir}/$d; done`,
        `mount --bind -o ro "$NODE_PKG" ${PATHS.runtimesDir}/node-${model.host.nodeVersion}`,
        `mount --bind -o ro ${from.dir} ${PATHS.runtimesDir}/openclaw-${FROM}`,
        `mount --bind -o ro ${to.dir} ${PATHS.runtimesDir}/openclaw-${model.host.openclawVersion}`,
        `install -d /opt/clawkeep/npm && mount --bind -o ro ${npmRoot} /opt/clawkeep/npm`,
        `ln -s runtimes/node-${model.host.nodeVersion} ${PATHS.nodeDir}`,
        `ln -s runtimes/openclaw-${FROM} ${PATHS.openclawDir}`,
        `install -d ${BY_ID} && ln -s ${loop} ${BY_ID}/virtio-${volumeSerial(VOLUME)}`,
      ].join("\n"),
    });
    out = fields(run.read("driver.out"));
  }, 1_800_000);

  afterAll(() => {
    if (loop) spawnSync("losetup", ["-d", loop]);
    removeTmpDirs();
  });

  const readBack = (name: string): StateReadBack => JSON.parse(run.read(name) || "{}") as StateReadBack;
  const show = () => `${run.read("driver.out")}\n--- upgrade 1\n${run.read("upgrade1.log")}\n--- upgrade 2\n${run.read("upgrade2.log")}\n--- state volume\n${run.read("state-volume.log")}\n--- gateway (tail)\n${run.read("gateway.log").slice(-3000)}`;

  it(`starts on ${FROM} with its state on the state volume, and takes known state through the gateway`, () => {
    console.log(`runtime upgrade in a private systemd: manager ran ${(run.ms / 1000).toFixed(0)} s\n${run.read("driver.out")}`);
    expect(run.status, show()).toBe(0);
    expect(out.start, show()).toBe("healthy");
    expect(out.before_link).toBe(`runtimes/openclaw-${FROM}`);
    expect(out.before_mount).toMatch(/nodev,noexec/);
    expect(out.before_schemas).toBe(JSON.stringify({ state: `17@${FROM}`, agent: `21@${FROM}` }));
    expect(out.write_exit, run.read("state.json")).toBe("0");
    expect((JSON.parse(run.read("state.json")) as KnownState).deviceId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("an injected failure after the new runtime migrated the state: the previous runtime and the pre-upgrade state come back, and an alarm metric", () => {
    expect(out.upgrade1_exit, show()).toBe("1");
    expect(run.read("upgrade1.log")).toMatch(/not healthy on openclaw-2026\.9\.6/);
    expect(run.read("upgrade1.log")).toMatch(/upgrade to openclaw-2026\.9\.6\+node-[\d.]+ failed; rolled back to openclaw-2026\.9\.5/);
    expect(run.read("gateway.log")).toContain("clawkeep-test: injected failure of the new runtime after it started");
    // The new runtime did migrate the state before it failed: that state could not run the old one.
    expect(out.failed_copy_schemas).toBe(JSON.stringify({ state: `18@${model.host.openclawVersion}`, agent: `23@${model.host.openclawVersion}` }));
    expect(out.after1, show()).toBe("healthy");
    expect(out.after1_link).toBe(`runtimes/openclaw-${FROM}`);
    expect(out.after1_active).toBe("active");
    expect(out.after1_schemas).toBe(JSON.stringify({ state: `17@${FROM}`, agent: `21@${FROM}` }));
    const r = readBack("read1.json");
    expect(stateIntact(r), JSON.stringify(r)).toBe(true);
    expect(run.read("metrics.log")).toContain(`${APPLY_METRICS.runtimeUpgradeRolledBack} 1`);
  });

  it("without the failure: the pinned runtime runs on the migrated state, the state intact, one way back kept", () => {
    expect(out.upgrade2_exit, show()).toBe("0");
    expect(run.read("upgrade2.log")).toMatch(/upgraded to openclaw-2026\.9\.6/);
    expect(out.after2, show()).toBe("healthy");
    expect(out.after2_link).toBe(`runtimes/openclaw-${model.host.openclawVersion}`);
    expect(out.after2_schemas).toBe(JSON.stringify({ state: `18@${model.host.openclawVersion}`, agent: `23@${model.host.openclawVersion}` }));
    const r = readBack("read2.json");
    expect(stateIntact(r), JSON.stringify(r)).toBe(true);
    // Level 1 grants file read and write: tools.effective names them by these ids (the VM's promotion row relies on it).
    expect(r.effectiveTools, JSON.stringify(r)).toEqual(expect.arrayContaining(["read", "write"]));
    // One copy (the state as 2026.9.5 left it) and the previous runtime stay; the failed attempt's leftovers go.
    expect(out.copies.trim().split(" ")).toHaveLength(1);
    expect(out.copies).toMatch(/-from-openclaw-2026\.9\.5\+node-/);
    expect(out.copy_schemas).toBe(JSON.stringify({ state: `17@${FROM}`, agent: `21@${FROM}` }));
    expect(out.runtimes.trim().split(" ").sort()).toEqual([`node-${model.host.nodeVersion}`, `openclaw-${FROM}`, `openclaw-${model.host.openclawVersion}`]);
    expect(run.read("metrics.log")).toContain(`${APPLY_METRICS.runtimeUpgradeRolledBack} 0`);
  });
});
