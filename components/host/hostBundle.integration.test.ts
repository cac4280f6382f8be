// The host bundle unpacked on the host by the real python3 script, which refuses a bundle that does not
// match its pin.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { needTools } from "../../test/support/tools";
import { packBundle, renderUnpackScript } from "./hostBundle";
import type { HostFile } from "../base/hostFile";

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
