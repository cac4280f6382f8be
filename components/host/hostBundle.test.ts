// The host bundle: packed deterministically and pinned by SHA-256 in the user data. The host's python3
// unpacker runs for real in hostBundle.integration.test.ts.
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadStackFile } from "../../stacks";
import { hostFacts, renderHost } from "./hostFiles";
import { IMDS_GUARD_UNIT, IMDS_RULESET_PATH } from "./imdsGuard";
import { BUNDLE_DOWNLOAD, UNPACK_SCRIPT_PATH, packBundle, unpackBundle } from "./hostBundle";
import { bundleBucketName } from "../base/names";
import { EC2_USER_DATA_LIMIT } from "./userData";
import type { HostFile } from "../base/hostFile";

const where = { accountId: "123456789012", stack: "level3" };

describe("host bundle", () => {
  it("carries every host file but the unpacker; the user data pins it, loads the metadata guard first and stays far under 16 KB", () => {
    const model = loadStackFile("level3");
    const r = renderHost(model, hostFacts(model, "level3", "us-east-1"), where);
    expect(unpackBundle(r.bundle.gz)).toEqual(r.files);
    expect(r.userDataBytes).toBeLessThan(EC2_USER_DATA_LIMIT / 4);
    const doc = parseYaml(r.userData) as { write_files: Array<{ path: string }>; runcmd: Array<string | string[]> };
    // The metadata guard travels in the user data itself, so it loads before the bundle's fetch.
    expect(doc.write_files.map((f) => f.path)).toEqual([IMDS_RULESET_PATH, `/etc/systemd/system/${IMDS_GUARD_UNIT}`, UNPACK_SCRIPT_PATH]);
    expect(doc.runcmd.slice(0, 4)).toEqual([
      "set -eu",
      ["systemctl", "enable", "--now", IMDS_GUARD_UNIT],
      ["aws", "s3", "cp", "--only-show-errors", "--region", "us-east-1", `s3://${r.bundle.bucket}/${r.bundle.key}`, BUNDLE_DOWNLOAD],
      [UNPACK_SCRIPT_PATH, BUNDLE_DOWNLOAD, r.bundle.sha256],
    ]);
    expect(r.bundle.key).toBe(`host-bundle/${r.bundle.sha256}.json.gz`);
  });

  it("is deterministic: the same files give the same bytes and key", () => {
    const files: HostFile[] = [{ path: "/etc/x", content: "a\n", mode: "0644", owner: "root:root" }];
    expect(packBundle(files).gz.equals(packBundle(files).gz)).toBe(true);
    expect(packBundle(files).key).not.toBe(packBundle([{ ...files[0], content: "b\n" }]).key);
  });

  it("names a valid S3 bucket", () => {
    expect(bundleBucketName("123456789012", "Prod_EU", "gw")).toBe("clawkeep-123456789012-prod-eu-gw");
    expect(bundleBucketName("123456789012", "x".repeat(80), "gw").length).toBeLessThanOrEqual(63);
  });
});
