// The state volume unit's ExecStartPost under its own sandbox, in a private systemd 252: it re-applies the
// level's tmpfiles to the trees on the volume. From level 2 the workspace is setgid with a default ACL, which
// RestrictSUIDSGID= refuses; on the level-2 VM host the unit failed there and the gateway never started.
// The volume itself (a block device) is test/state-volume.integration.test.ts's: here ExecStart is a no-op.
import { afterAll, describe, expect, it } from "vitest";
import { PATHS, SERVICE_USER, STATE_VOLUME_UNIT, WORK_GROUP } from "../components/base/layout";
import { renderTmpfiles } from "../components/host/userData";
import { renderStateVolumeUnit } from "../components/state/hostFiles";
import { loadStackFile } from "../stacks/load";
import { dropIn, nestedManagerUsable, removeTmpDirs, runManager } from "./support/nestedSystemd";

const CAN_RUN = nestedManagerUsable("getfacl");
const LEVEL2_OVERRIDES = ["trustLevel=2", 'execAllowlist=["git","jq"]', "alarmEmail=security-oncall@example.com", 'promotion={reviewer: "state volume test", date: "2026-12-01", tested: "the unit under a private systemd"}'];

describe.skipIf(!CAN_RUN)("the state volume unit re-applies the level's directories", () => {
  afterAll(removeTmpDirs);

  function boot(unitText: string, level: string[]) {
    const tmpfiles = renderTmpfiles(loadStackFile("level1", level));
    const probe = [
      `echo "unit=$(systemctl is-active ${STATE_VOLUME_UNIT})"`,
      `echo "workspace=$(stat -c '%a %U:%G' ${PATHS.workspaceDir})"`,
      `echo "acl=$(getfacl -cp ${PATHS.workspaceDir} 2>/dev/null | grep -c '^default:group:${WORK_GROUP}:rwx')"`,
      `journalctl -u ${STATE_VOLUME_UNIT} --no-pager -o cat | tail -5 | sed 's/^/log: /'`,
    ].join("\n");
    return runManager({
      units: {
        [STATE_VOLUME_UNIT]: unitText,
        // No block device here: the script's part is a no-op; the unit's sandbox and its ExecStartPost stay as rendered.
        [`${STATE_VOLUME_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no"], ["ExecStart=", "ExecStart=/bin/true"]),
        "probe.service": dropIn(
          ["DefaultDependencies=no", "SuccessAction=exit", "FailureAction=exit", `Wants=${STATE_VOLUME_UNIT}`, `After=${STATE_VOLUME_UNIT}`],
          ["Type=oneshot", `ExecStart=/bin/bash ${PATHS.openclawDir}/probe.sh`, "StandardOutput=truncate:/run/harness/probe.out", "StandardError=truncate:/run/harness/probe.err"],
        ),
      },
      scripts: { "probe.sh": probe },
      config: "{}\n",
      fetchToken: "#!/bin/sh\nexit 0\n",
      main: "probe.service",
      timeoutMs: 120_000,
      files: { [PATHS.tmpfilesConf]: { content: tmpfiles, mode: 0o644 } },
      // The harness's root already has the service user; the work group is the level-2 host's.
      setup: `getent group ${WORK_GROUP} >/dev/null || groupadd --system ${WORK_GROUP}`,
    });
  }

  it("at level 2: the unit succeeds, the workspace is setgid 2770 with the work group's default ACL", () => {
    const run = boot(renderStateVolumeUnit(), LEVEL2_OVERRIDES);
    const out = run.read("probe.out");
    expect(out, run.read("probe.err")).toMatch(/^unit=active$/m);
    expect(out).toMatch(new RegExp(`^workspace=2770 ${SERVICE_USER}:${WORK_GROUP}$`, "m"));
    expect(out).toMatch(/^acl=1$/m);
  });

  it("the same ExecStartPost inside the sandbox (no +) fails: RestrictSUIDSGID= refuses the setgid bit", () => {
    const run = boot(renderStateVolumeUnit().replace("ExecStartPost=+systemd-tmpfiles", "ExecStartPost=systemd-tmpfiles"), LEVEL2_OVERRIDES);
    expect(run.read("probe.out"), run.read("probe.err")).toMatch(/^unit=failed$/m);
  });
});
