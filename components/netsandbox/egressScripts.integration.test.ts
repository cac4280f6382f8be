// The egress proxy's scripts, judged by real tools: shellcheck on all three, the TLS script run by bash and
// openssl the way its unit runs it (root, group proxy), and the SNI helper fed the lines squid writes.
// test/netns-sandbox.test.ts runs all three inside squid under a private systemd.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRoot, needTools } from "../../test/support/tools";
import { EGRESS_ACCESS_LOG, selfcheckFields } from "./egressProxy";
import { EGRESS_SELFCHECK, EGRESS_TLS_SCRIPT, SNI_HELPER, SQUID_GROUP, renderEgressScripts } from "./egressScripts";

const scripts = renderEgressScripts(selfcheckFields(), EGRESS_ACCESS_LOG);
const dirs: string[] = [];
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const write = (file: string, text: string, mode: number) => {
  fs.writeFileSync(file, text, { mode });
  fs.chmodSync(file, mode);
  return file;
};

describe.skipIf(!needTools("shellcheck"))("shellcheck", () => {
  it.each(Object.keys(scripts))("%s is clean", (name) => {
    const dir = tmp("clawkeep-egress-sc-");
    const file = write(path.join(dir, path.basename(name)), scripts[name], 0o755);
    const res = spawnSync("shellcheck", ["--severity=style", file], { encoding: "utf8" });
    expect(res.stdout).toBe("");
    expect(res.status).toBe(0);
  });
});

describe.skipIf(!needTools("openssl", "setpriv", "bash") || !isRoot())("egress-proxy-tls, run as its unit runs it (root, group proxy)", () => {
  const script = write(path.join(tmp("clawkeep-egress-tls-script-"), "egress-proxy-tls"), scripts[EGRESS_TLS_SCRIPT], 0o755);
  const stateDir = () => {
    const d = path.join(tmp("clawkeep-egress-tls-"), "state");
    fs.mkdirSync(d, { mode: 0o750 });
    spawnSync("chgrp", [SQUID_GROUP, d]);
    return d;
  };
  const run = (dir: string, group = SQUID_GROUP) => {
    const res = spawnSync("setpriv", [`--regid=${group}`, "--clear-groups", "--", "bash", script], { encoding: "utf8", env: { PATH: process.env.PATH, CLAWKEEP_EGRESS_TLS_DIR: dir } });
    return { status: res.status, stderr: res.stderr };
  };
  const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  const openssl = (...args: string[]) => spawnSync("openssl", args, { encoding: "utf8" }).stdout;

  it("makes a key squid's group can read and nobody else, and a leaf certificate (not a CA) that holds it", () => {
    const dir = stateDir();
    const r = run(dir);
    expect(r.stderr).toContain("made a new key and certificate");
    expect(r.status).toBe(0);
    const key = fs.statSync(path.join(dir, "key.pem"));
    expect((key.mode & 0o777).toString(8)).toBe("640");
    expect(spawnSync("stat", ["-c", "%U:%G", path.join(dir, "key.pem")], { encoding: "utf8" }).stdout.trim()).toBe(`root:${SQUID_GROUP}`);
    const text = openssl("x509", "-in", path.join(dir, "cert.pem"), "-noout", "-text");
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/Digital Signature/);
    expect(text).toMatch(/Subject: CN ?= ?clawkeep egress proxy: connection refused/);
    expect(openssl("x509", "-in", path.join(dir, "cert.pem"), "-noout", "-pubkey")).toBe(openssl("pkey", "-in", path.join(dir, "key.pem"), "-pubout"));
    expect(fs.readdirSync(dir).sort()).toEqual(["cert.pem", "key.pem"]);
  });

  it("keeps a current pair across starts", () => {
    const dir = stateDir();
    run(dir);
    const before = sha(path.join(dir, "key.pem"));
    const r = run(dir);
    expect(r.stderr).toContain("are current");
    expect(r.status).toBe(0);
    expect(sha(path.join(dir, "key.pem"))).toBe(before);
  });

  it("makes a new pair when the certificate does not hold the key, or expires within 30 days", () => {
    for (const spoil of ["mismatch", "expiring"] as const) {
      const dir = stateDir();
      run(dir);
      const before = sha(path.join(dir, "key.pem"));
      const other = tmp("clawkeep-egress-tls-other-");
      const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=other", "-out", path.join(dir, "cert.pem")];
      if (spoil === "mismatch") spawnSync("openssl", [...args, "-days", "3650", "-keyout", path.join(other, "key.pem")]);
      else spawnSync("openssl", [...args, "-days", "10", "-key", path.join(dir, "key.pem")]);
      const r = run(dir);
      expect(r.stderr, spoil).toContain("made a new key and certificate");
      expect(r.status, spoil).toBe(0);
      expect(sha(path.join(dir, "key.pem")), spoil).not.toBe(before);
    }
  });

  it("fails when the key would not be root:proxy 0640 (run without the unit's group), and when its directory is missing", () => {
    const dir = stateDir();
    const r = run(dir, "root");
    expect(r.stderr).toMatch(/key\.pem is root:root 640, not root:proxy 640/);
    expect(r.status).not.toBe(0);
    const missing = run(path.join(tmp("clawkeep-egress-tls-"), "nope"));
    expect(missing.stderr).toMatch(/does not exist/);
    expect(missing.status).not.toBe(0);
  });
});

describe.skipIf(!needTools("bash"))("egress-sni-check, fed the lines squid writes", () => {
  const helper = write(path.join(tmp("clawkeep-egress-sni-"), "egress-sni-check"), scripts[SNI_HELPER], 0o755);
  const cases: Array<[string, "OK" | "ERR"]> = [
    ["api.anthropic.com api.anthropic.com", "OK"],
    ["API.Anthropic.COM api.anthropic.com", "OK"],
    ["- api.anthropic.com", "ERR"],
    ["exfil.example.net api.anthropic.com", "ERR"],
    ["api.github.com api.anthropic.com", "ERR"],
    ["api.anthropic.com. api.anthropic.com", "ERR"],
    ["x.api.anthropic.com api.anthropic.com", "ERR"],
    ["a%20api.anthropic.com api.anthropic.com", "ERR"],
    ["", "ERR"],
  ];

  it("says OK only for a server name that is the CONNECT name, one answer per line, in one long-lived process", () => {
    const res = spawnSync(helper, [], { input: `${cases.map(([l]) => l).join("\n")}\n`, encoding: "utf8" });
    expect(res.status).toBe(0);
    expect(res.stdout.split("\n").filter(Boolean)).toEqual(cases.map(([, want]) => want));
  });
});

describe.skipIf(!needTools("bash"))("egress-proxy-check's arguments", () => {
  const check = write(path.join(tmp("clawkeep-egress-check-"), "egress-proxy-check"), scripts[EGRESS_SELFCHECK], 0o755);
  it.each([[[]], [["a", "b"]], [["API.example.com"]], [["-x"]], [["name;rm"]]])("exits 2 on %j", (args) => {
    const res = spawnSync(check, args, { encoding: "utf8" });
    expect(res.stderr).toMatch(/usage: egress-proxy-check ALLOWED_NAME/);
    expect(res.status).toBe(2);
  });
});
