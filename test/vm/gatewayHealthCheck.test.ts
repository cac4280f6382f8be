// The VM's gateway row, its script run here against stand-in commands: a gateway that answers /healthz in
// its namespace only on a later try passes (under TCG a just-restarted gateway can leave a call unanswered),
// one that never answers, or runs as another user, fails. The row itself runs in `npm run test:vm`.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CHECKS, parseFields, type CheckContext } from "./checks";

const ctx: CheckContext = { port: 18789, hostOfflineScore: 0.7, ingress: true, egressProxy: null, dayTwo: { volumeSerial: "vol0c1a3e5e7a9b1d2f4", bundleSha256: "a".repeat(64) } };
const row = CHECKS.find((c) => c.title.startsWith("gateway unit active as the service user"));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the row's script with systemctl, ps, nsenter, curl and sleep stood in; `codes` are the namespace's answers in turn. */
function runRow(codes: string[], user = "openclaw") {
  if (!row?.judge) throw new Error("no gateway row");
  const dir = mkdtempSync(join(tmpdir(), "gw-row-"));
  dirs.push(dir);
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  writeFileSync(join(dir, "codes"), codes.join("\n") + "\n");
  stub("systemctl", `case "$*" in *MainPID*) echo 4242;; *NRestarts*) echo 1;; is-active*) echo active;; esac`);
  stub("ps", `echo ${user}`);
  stub("nsenter", `shift 3; IN_NS=1 exec "$@"`);
  // In the namespace (after nsenter) the next listed code, then 000; via the ingress always 200.
  stub("curl", `[[ -z \${IN_NS:-} ]] && { printf 200; exit 0; }
n=$(( $(cat ${dir}/used 2>/dev/null || echo 0) + 1 )); echo $n > ${dir}/used
code=$(sed -n "\${n}p" ${dir}/codes); printf '%s' "\${code:-000}"`);
  stub("sleep", ":");
  const res = spawnSync("bash", ["-c", row.script(ctx)], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` } });
  const fields = parseFields(res.stdout);
  return { fields, verdict: row.judge(fields, res.status ?? -1, ctx) };
}

describe("the VM's gateway row", () => {
  it("passes when the gateway answers on its first try", () => {
    const { fields, verdict } = runRow(["200"]);
    expect(fields.namespace_tries).toBe("200");
    expect(verdict.pass).toBe(true);
  });

  it("passes when the gateway answers on a later try, and lists the tries", () => {
    const { fields, verdict } = runRow(["000", "000", "200"]);
    expect(fields.namespace_tries).toBe("000 000 200");
    expect(verdict).toMatchObject({ pass: true });
    expect(verdict.detail).toMatch(/restarts=1/);
  });

  it("fails when the gateway never answers in its namespace (six tries)", () => {
    const { fields, verdict } = runRow(Array(6).fill("000"));
    expect(fields.namespace_tries).toBe("000 000 000 000 000 000");
    expect(verdict.pass).toBe(false);
  });

  it("fails when the gateway runs as another user", () => {
    expect(runRow(["200"], "root").verdict.pass).toBe(false);
  });
});
