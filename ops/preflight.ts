// Deploy preflight: the pinned OpenClaw's own `config validate` judges the rendered openclaw.json on
// the deploying machine, before the host is touched (the cell's local.Command runs this). OpenClaw's
// schema is strict: a key it does not know would stop the gateway on the host with exit 78.
// Usage: tsx ops/preflight.ts <openclaw-version>   (the config on stdin). Exit 0 valid, 1 invalid, 2 usage.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NODE_BIN, ensureOpenclaw } from "./openclawCache";

export async function preflight(version: string, configJson: string): Promise<{ ok: boolean; output: string }> {
  const inst = await ensureOpenclaw(version);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-preflight-"));
  try {
    const state = path.join(dir, "state");
    fs.mkdirSync(state, { mode: 0o700 });
    const config = path.join(dir, "openclaw.json");
    fs.writeFileSync(config, configJson, { mode: 0o600 });
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, OPENCLAW_CONFIG_PATH: config, OPENCLAW_STATE_DIR: state, OPENCLAW_NO_AUTO_UPDATE: "1", OPENCLAW_DISABLE_BONJOUR: "1" };
    const r = spawnSync(NODE_BIN, [inst.entry, "config", "validate"], { env, encoding: "utf8", timeout: 120_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const version = process.argv[2];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    process.stderr.write("usage: tsx ops/preflight.ts <openclaw-version> < openclaw.json\n");
    process.exit(2);
  }
  const input = fs.readFileSync(0, "utf8");
  process.stderr.write(`preflight: openclaw@${version} config validate...\n`);
  preflight(version, input).then(
    ({ ok, output }) => {
      process.stdout.write(`preflight: openclaw@${version} ${ok ? "accepts" : "REJECTS"} the rendered openclaw.json\n${ok ? "" : `${output}\n`}`);
      process.exit(ok ? 0 : 1);
    },
    (e: unknown) => {
      process.stderr.write(`preflight failed to run: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
