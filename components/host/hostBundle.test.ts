// The host bundle: packed deterministically, pinned by SHA-256 in the user data, and unpacked on the
// host by the real python3 script, which refuses a bundle that does not match its pin.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IMDS_GUARD_UNIT, IMDS_RULESET_PATH } from "./imdsGuard";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { needTools } from "../../test/support/tools";
import { loadStackFile } from "../../stacks";
import { hostFacts, renderHost } from "./hostFiles";
import { BUNDLE_DOWNLOAD, UNPACK_SCRIPT_PATH, packBundle, renderUnpackScript, unpackBundle } from "./hostBundle";
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

describe.skipIf(!needTools("python3"))("unpack-bundle, run for real", () => {
  const run = (bundle: Buffer, sha: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-unpack-"));
    const script = path.join(dir, "unpack-bundle");
    fs.writeFileSync(script, renderUnpackScript(), { mode: 0o750 });
    const file = path.join(dir, "bundle.json.gz");
    fs.writeFileSync(file, bundle);
    const r = spawnSync("python3", ["-I", script, file, sha], { encoding: "utf8" });
    return { dir, code: r.status, err: r.stderr, out: r.stdout };
  };
  const owner = `${os.userInfo().username}:${spawnSync("id", ["-gn"], { encoding: "utf8" }).stdout.trim()}`;

  it("installs each file with its mode and owner when the SHA-256 matches", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-root-"));
    const files: HostFile[] = [
      { path: `${root}/etc/clawkeep/host.env`, content: "AWS_REGION=us-east-1\n", mode: "0600", owner },
      { path: `${root}/usr/local/libexec/clawkeep/fetch-token`, content: "#!/bin/bash\n", mode: "0750", owner },
    ];
    const packed = packBundle(files);
    const r = run(packed.gz, packed.sha256);
    expect(r.code, r.err).toBe(0);
    for (const f of files) {
      expect(fs.readFileSync(f.path, "utf8")).toBe(f.content);
      expect((fs.statSync(f.path).mode & 0o777).toString(8).padStart(4, "0")).toBe(f.mode);
    }
  });

  it("refuses a bundle that does not match the pinned SHA-256, installing nothing", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-root-"));
    const packed = packBundle([{ path: `${root}/etc/x`, content: "x", mode: "0644", owner }]);
    const r = run(packed.gz, "0".repeat(64));
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/the user data pins 0{64}; nothing installed/);
    expect(fs.existsSync(`${root}/etc/x`)).toBe(false);
  });

  it("refuses a relative or climbing path", () => {
    for (const bad of ["etc/x", "/tmp/../etc/x"]) {
      const packed = packBundle([{ path: bad, content: "x", mode: "0644", owner }]);
      const r = run(packed.gz, packed.sha256);
      expect(r.code, bad).not.toBe(0);
      expect(r.err).toMatch(/refusing path/);
    }
  });
});
