// The real state volume unit (its script on a loop device, its ExecStartPost, its sandbox) in a private
// systemd 252, as a level-1 host leaves the volume and the level-2 host that replaces it finds it. From level
// 2 the agent's accounts exist and the workspace is setgid with a default ACL; the level-2 VM host failed in
// this unit twice and its gateway never started: `install -d -m 0755` on the setgid mount point keeps the bit
// (GNU install) and RestrictSUIDSGID= refuses that chmod; then systemd-tmpfiles setting 2770 on the volume.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_USER, PATHS, SERVICE_USER, STATE_VOLUME_UNIT, WORK_GROUP } from "../components/base/layout";
import { renderInstanceEnv, renderTmpfiles } from "../components/host/userData";
import { PREPARE_STATE_VOLUME, renderPrepareStateVolume, renderStateVolumeUnit, volumeSerial } from "../components/state/hostFiles";
import { loadStackFile } from "../stacks/load";
import { dropIn, nestedManagerUsable, removeTmpDirs, runManager, tmpDir } from "./support/nestedSystemd";
import { level2Overrides } from "./support/stackOverrides";
import { needTools } from "./support/tools";

const CAN_RUN = nestedManagerUsable("getfacl", "losetup", "mkfs.ext4") && needTools("blkid", "e2fsck", "findmnt");
const VOLUME = "vol-0d2b4f6a8c0e1a3b5";
const BY_ID = "/run/clawkeep-test-by-id";
const LEVEL2 = level2Overrides("the state volume unit under a private systemd");

describe.skipIf(!CAN_RUN)("the state volume unit, a level-1 host's volume taken over at level 2", () => {
  let loop = "";
  beforeAll(() => {
    const image = path.join(tmpDir("clawkeep-state-unit-"), "state.img");
    expect(spawnSync("truncate", ["-s", "96M", image]).status).toBe(0);
    loop = spawnSync("losetup", ["--find", "--show", image], { encoding: "utf8" }).stdout.trim();
    expect(loop).toMatch(/^\/dev\/loop\d+$/);
  });
  afterAll(() => {
    if (loop) spawnSync("losetup", ["-d", loop]);
    removeTmpDirs();
  });

  function boot(level: string[], unitText = renderStateVolumeUnit()) {
    const model = loadStackFile("level1", level);
    const agentAccounts = model.capabilities.commands !== "none";
    const probe = [
      `echo "unit=$(systemctl is-active ${STATE_VOLUME_UNIT})"`,
      `echo "volume=$(findmnt -rno FSTYPE,OPTIONS --mountpoint ${PATHS.stateVolumeDir} | cut -d, -f1-3)"`,
      `echo "workspace=$(stat -c '%a %U:%G' ${PATHS.workspaceDir})"`,
      `echo "acl=$(getfacl -cp ${PATHS.workspaceDir} 2>/dev/null | grep -c '^default:group:${WORK_GROUP}:rwx')"`,
      `install -m 0600 /dev/null ${PATHS.workspaceDir}/written-at-level-${model.trustLevel}`,
      `echo "files=$(ls ${PATHS.workspaceDir} | tr '\\n' ' ')"`,
    ].join("\n");
    const run = runManager({
      units: {
        [STATE_VOLUME_UNIT]: unitText,
        [`${STATE_VOLUME_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no"], [`Environment=CLAWKEEP_BY_ID_DIR=${BY_ID}`, "StandardError=truncate:/run/harness/state-volume.log"]),
        "probe.service": dropIn(
          ["DefaultDependencies=no", "SuccessAction=exit", "FailureAction=exit", `Wants=${STATE_VOLUME_UNIT}`, `After=${STATE_VOLUME_UNIT}`],
          ["Type=oneshot", `ExecStart=/bin/bash ${PATHS.openclawDir}/probe.sh`, "StandardOutput=truncate:/run/harness/probe.out", "StandardError=truncate:/run/harness/probe.err"],
        ),
      },
      scripts: { "probe.sh": probe },
      config: "{}\n",
      fetchToken: "#!/bin/sh\nexit 0\n",
      main: "probe.service",
      timeoutMs: 180_000,
      files: {
        [PATHS.tmpfilesConf]: { content: renderTmpfiles(model), mode: 0o644 },
        [PREPARE_STATE_VOLUME]: { content: renderPrepareStateVolume(), mode: 0o750 },
        [PATHS.instanceEnvFile]: { content: renderInstanceEnv({ region: "us-east-1", stateVolumeId: VOLUME, bundleBucket: "b", bundleParameter: "/p" }), mode: 0o644 },
      },
      // The harness's root has the service user; from level 2 the host has the agent's accounts too (its user data makes them).
      setup: [
        ...(agentAccounts
          ? [
              `getent group ${WORK_GROUP} >/dev/null || groupadd --system ${WORK_GROUP}`,
              `id -u ${AGENT_USER} >/dev/null 2>&1 || useradd --system --no-create-home --user-group --groups ${WORK_GROUP} ${AGENT_USER}`,
              `usermod -aG ${WORK_GROUP} ${SERVICE_USER}`,
            ]
          : []),
        `install -d ${BY_ID} && ln -s ${loop} ${BY_ID}/virtio-${volumeSerial(VOLUME)}`,
        // The user data's runcmd makes the level's directories on the root disk before the gateway pulls this unit in.
        `systemd-tmpfiles --create ${PATHS.tmpfilesConf}`,
      ].join("\n"),
    });
    return { out: run.read("probe.out"), log: `${run.read("probe.err")}\n--- state volume\n${run.read("state-volume.log")}` };
  }

  it("level 1 on a blank volume: formatted, mounted, the workspace 0700 openclaw:openclaw", () => {
    const { out, log } = boot([]);
    expect(out, log).toMatch(/^unit=active$/m);
    expect(out).toMatch(/^volume=ext4 /m);
    expect(out).toMatch(new RegExp(`^workspace=700 ${SERVICE_USER}:${SERVICE_USER}$`, "m"));
  });

  it("level 2 on that volume: the unit succeeds, the workspace is setgid 2770 with the work group's ACL, the level-1 file kept", () => {
    const { out, log } = boot(LEVEL2);
    expect(out, log).toMatch(/^unit=active$/m);
    expect(out).toMatch(new RegExp(`^workspace=2770 ${SERVICE_USER}:${WORK_GROUP}$`, "m"));
    expect(out).toMatch(/^acl=1$/m);
    expect(out).toMatch(/^files=.*written-at-level-1 .*written-at-level-2/m);
  });

  it("level 2 again on that volume (a reboot, or the next replacement): still active, still 2770, all files kept", () => {
    const { out, log } = boot(LEVEL2);
    expect(out, log).toMatch(/^unit=active$/m);
    expect(out).toMatch(new RegExp(`^workspace=2770 ${SERVICE_USER}:${WORK_GROUP}$`, "m"));
    expect(out).toMatch(/^files=.*written-at-level-1 .*written-at-level-2/m);
  });

  it("the same unit with its ExecStartPost inside the sandbox fails at level 2: RestrictSUIDSGID= refuses the setgid bit", () => {
    const { out } = boot(LEVEL2, renderStateVolumeUnit().replace("ExecStartPost=+systemd-tmpfiles", "ExecStartPost=systemd-tmpfiles"));
    expect(out).toMatch(/^unit=failed$/m);
  });
});
