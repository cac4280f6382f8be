// The host bundle and the user data around it: packed deterministically, each entry tagged with what a
// change to it needs on a running host; the user data carries only host-lifetime facts, so a promotion,
// an allowlist or an OpenClaw upgrade changes the bundle and never the host.
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { IMDS_GUARD_UNIT, IMDS_RULESET_PATH } from "./imdsGuard";
import { loadStackFile } from "../../stacks";
import { hostFacts, renderHost } from "./hostFiles";
import { bundleEntries, packBundle, unpackBundle } from "./hostBundle";
import { APPLY_BUNDLE, bundleParameterName } from "./bundleApply";
import { effectOf, hostFileActions } from "./effects";
import { bundleBucketName } from "../base/names";
import { GATEWAY_UNIT, PATHS, STATE_VOLUME_UNIT } from "../base/layout";
import { EC2_USER_DATA_LIMIT } from "./userData";
import type { HostFile } from "../base/hostFile";
import { SQUID_CONF_PATH } from "../netsandbox/egressProxy";

const VOLUME = "vol-0c1a3e5e7a9b1d2f4";
const where = { accountId: "123456789012", stack: "level3", stateVolumeId: VOLUME };
const render = (stack: string, overrides: string[] = [], volume = VOLUME) => {
  const model = loadStackFile(stack, overrides);
  return renderHost(model, hostFacts(model, "cell", "us-east-1"), { accountId: "123456789012", stack: "cell", stateVolumeId: volume });
};
const changedPaths = (a: ReturnType<typeof render>, b: ReturnType<typeof render>): string[] => {
  const before = new Map(unpackBundle(a.bundle.gz).map((f) => [f.path, f.content]));
  return unpackBundle(b.bundle.gz)
    .filter((f) => before.get(f.path) !== f.content)
    .map((f) => f.path);
};

describe("host bundle", () => {
  it("carries every host file but the user data's own; the user data loads the metadata guard, then applies the pointer's bundle", () => {
    const model = loadStackFile("level3");
    const r = renderHost(model, hostFacts(model, "level3", "us-east-1"), where);
    const bundled = unpackBundle(r.bundle.gz);
    expect(r.userDataBytes).toBeLessThan(EC2_USER_DATA_LIMIT / 2);
    const doc = parseYaml(r.userData) as { write_files: Array<{ path: string; content: string }>; runcmd: Array<string | string[]> };
    // The metadata guard travels in the user data itself, so it loads before the bundle's fetch.
    expect(doc.write_files.map((f) => f.path)).toEqual([IMDS_RULESET_PATH, `/etc/systemd/system/${IMDS_GUARD_UNIT}`, APPLY_BUNDLE, PATHS.instanceEnvFile]);
    expect(doc.runcmd.slice(0, 3)).toEqual(["set -eu", ["systemctl", "enable", "--now", IMDS_GUARD_UNIT], [APPLY_BUNDLE, "--first-boot"]]);
    expect(doc.write_files.find((f) => f.path === PATHS.instanceEnvFile)?.content).toBe(
      [
        "# clawkeep: facts for this host's whole life (from the user data). No secret values.",
        "AWS_REGION=us-east-1",
        `CLAWKEEP_STATE_VOLUME_ID=${VOLUME}`,
        `CLAWKEEP_BUNDLE_BUCKET=${bundleBucketName("123456789012", "level3", model.cellName)}`,
        `CLAWKEEP_BUNDLE_PARAMETER=${bundleParameterName("level3", model.cellName)}`,
        "",
      ].join("\n"),
    );
    expect(r.bundle.key).toBe(`host-bundle/${r.bundle.sha256}.json.gz`);
    // files = the bundle, then what only the user data writes.
    expect(r.files.map((f) => f.path)).toEqual([...bundled.map((f) => f.path), APPLY_BUNDLE, PATHS.instanceEnvFile]);
    // The user data's apply-bundle is the only copy: the bundle never replaces the machinery that installs it.
    expect(bundled.map((f) => f.path)).not.toContain(APPLY_BUNDLE);
  });

  it("tags every entry with the actions a change to it needs, from the one classification", () => {
    const r = render("level1");
    for (const e of bundleEntries(r.bundle.gz)) expect(e.effect, e.path).toEqual(hostFileActions(e.path));
    const effectOf = (p: string) => bundleEntries(r.bundle.gz).find((e) => e.path === p)?.effect;
    expect(effectOf(PATHS.configFile)).toEqual(["gateway-restart"]);
    expect(effectOf(PATHS.runtimeEnvFile)).toEqual(["runtime-upgrade"]);
    expect(effectOf(SQUID_CONF_PATH)).toEqual(["squid-reload"]);
    expect(effectOf(`/etc/systemd/system/${GATEWAY_UNIT}`)).toEqual(["daemon-reload", "gateway-restart"]);
    expect(effectOf(`/etc/systemd/system/${STATE_VOLUME_UNIT}`)).toEqual(["daemon-reload", "next-boot"]);
    expect(effectOf(`${PATHS.libexecDir}/fetch-token`)).toEqual([]);
    // A foreign unit's drop-in is reloaded, never restarted (restarting the SSM agent would end the apply itself): its next start.
    expect(effectOf("/etc/systemd/system/amazon-ssm-agent.service.d/10-clawkeep-imds-guard.conf")).toEqual(["daemon-reload", "next-boot"]);
  });

  it("keeps the host for a promotion, an allowlist and an OpenClaw upgrade; a new state volume is a new host", () => {
    const level0 = render("level0");
    const promoted = render("level0", ["trustLevel=1", "egressAllowlist=[api.github.com]"]);
    const upgraded = render("level0", ["openclawVersion=2026.9.5", "openclawIntegrity=sha512-" + "A".repeat(86) + "=="]);
    for (const other of [promoted, upgraded, render("level1"), render("level1", ["egressAllowlist=[api.github.com, example.org]"])]) {
      expect(other.userData).toBe(level0.userData);
      expect(other.bundle.sha256).not.toBe(level0.bundle.sha256);
    }
    expect(render("level0", [], "vol-0123456789abcdef0").userData).not.toBe(level0.userData);

    const promotion = changedPaths(level0, promoted);
    expect(promotion).toEqual(expect.arrayContaining([PATHS.configFile, SQUID_CONF_PATH]));
    expect(effectOf(promotion.flatMap((p) => hostFileActions(p) ?? []))).toBe("gateway-restart");
    expect(changedPaths(level0, upgraded)).toEqual([PATHS.runtimeEnvFile]);
    expect(effectOf(changedPaths(level0, upgraded).flatMap((p) => hostFileActions(p) ?? []))).toBe("runtime-upgrade");
    const allowlist = changedPaths(render("level1"), render("level1", ["egressAllowlist=[api.github.com, example.org]"]));
    expect(allowlist).toEqual([SQUID_CONF_PATH]);
    expect(effectOf(allowlist.flatMap((p) => hostFileActions(p) ?? []))).toBe("reload");
  });

  it("is deterministic: the same files give the same bytes and key", () => {
    const files: HostFile[] = [{ path: "/usr/local/libexec/clawkeep/x", content: "a\n", mode: "0644", owner: "root:root" }];
    expect(packBundle(files).gz.equals(packBundle(files).gz)).toBe(true);
    expect(packBundle(files).key).not.toBe(packBundle([{ ...files[0], content: "b\n" }]).key);
  });

  it("names a valid S3 bucket, and refuses a state volume id that is not one", () => {
    expect(bundleBucketName("123456789012", "Prod_EU", "gw")).toBe("clawkeep-123456789012-prod-eu-gw");
    expect(bundleBucketName("123456789012", "x".repeat(80), "gw").length).toBeLessThanOrEqual(63);
    expect(() => render("level0", [], "vol-XYZ")).toThrow(/"vol-XYZ" is not an EBS volume id/);
  });
});
