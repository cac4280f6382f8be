// The facts reader under real bash: values arrive as data, and a key outside AWS_REGION/CLAWKEEP_*
// (PATH, LD_PRELOAD: what a tampered file would try) stops the script before anything runs.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { STRICT, factsReader } from "./shellPrelude";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-prelude-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(facts: string | undefined, body: string): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(dir, `facts-${Math.random().toString(36).slice(2)}.env`);
  if (facts !== undefined) fs.writeFileSync(file, facts);
  const script = path.join(dir, "probe");
  fs.writeFileSync(script, `#!/bin/bash\n${STRICT}${factsReader("facts_file", "PROBE_FACTS", "/nonexistent/facts.env")}${body}\n`, { mode: 0o700 });
  return spawnSync("bash", [script], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", PROBE_FACTS: file } });
}

describe("factsReader", () => {
  it("sets AWS_REGION and CLAWKEEP_* keys as plain values, never evaluating them", () => {
    const marker = path.join(dir, "evaluated");
    const res = run(`# comment\nAWS_REGION=eu-west-1\n\nCLAWKEEP_X=$(touch ${marker}) a=b\n`, 'printf "%s|%s" "$AWS_REGION" "$CLAWKEEP_X"');
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe(`eu-west-1|$(touch ${marker}) a=b`);
    expect(fs.existsSync(marker)).toBe(false);
    expect(res.status).toBe(0);
  });

  it("refuses any other key, naming the file and the key", () => {
    const res = run("CLAWKEEP_OK=1\nLD_PRELOAD=/tmp/evil.so\n", "echo reached");
    expect(res.status).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/probe: unexpected key in .*facts-.*\.env: LD_PRELOAD/);
  });

  it("stops when the file is missing", () => {
    const res = run(undefined, "echo reached");
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/probe: cannot read .*facts-.*\.env/);
  });

  it("takes only plain shell names", () => {
    expect(() => factsReader("a;b", "X", "/p")).toThrow(/not a shell variable name/);
    expect(() => factsReader("ok", "X$", "/p")).toThrow(/not a shell variable name/);
  });
});
