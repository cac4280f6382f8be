// The deploy preflight: the command line the cell's local.Command carries, run for real with the
// rendered config on stdin, judged by the pinned OpenClaw's `config validate`.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { planStack } from "../plan/planStack";
import { ensureOpenclaw } from "../ops/openclawCache";
import { OPENCLAW_BUDGET_MS } from "./support/openclaw";
import { preflightCommand } from "../components/gateway/configPreflight";
import { needTools } from "./support/tools";

const ROOT = path.join(__dirname, "..");
const run = (cmd: string, stdin: string) => spawnSync("sh", ["-c", cmd], { cwd: ROOT, input: stdin, encoding: "utf8", timeout: 180_000 });

// Each test runs the pinned OpenClaw's config validate once (the first also evaluates the kit's program).
describe.skipIf(!needTools("npm"))("deploy preflight (pinned openclaw config validate)", { timeout: OPENCLAW_BUDGET_MS.cliRun + 30_000 }, () => {
  beforeAll(async () => {
    await ensureOpenclaw("2026.9.6");
  });

  it("is what the cell's local.Command runs, before the host, and it accepts the level stacks' config", async () => {
    const plan = await planStack("level2");
    const cmd = plan.evaluation.resources.find((r) => r.type === "command:local:Command");
    expect(cmd?.inputs.create).toBe(preflightCommand("2026.9.6"));
    const vm = plan.evaluation.resources.find((r) => r.type === "aws:ec2/instance:Instance");
    // dependsOn a component waits for its children: the instance waits for the check itself.
    expect(vm?.dependencies).toContain(cmd?.urn);
    const r = run(String(cmd?.inputs.create), String(cmd?.inputs.stdin));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/openclaw@2026\.9\.6 accepts the rendered openclaw\.json/);
  });

  it("fails the deploy on a config the pinned OpenClaw rejects, naming the key", () => {
    const r = run(preflightCommand("2026.9.6"), JSON.stringify({ gateway: { mode: "local", bind: "loopback", listenEverywhere: true } }));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/REJECTS[\s\S]*Unrecognized key: "listenEverywhere"/);
  });
});
