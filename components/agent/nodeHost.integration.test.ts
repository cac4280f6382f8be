// The agent's units and scripts judged by real tools: systemd-analyze verify (no warning), systemd-analyze
// security (every unit at or under the helper ceiling, every remaining exposure explained in a comment),
// shellcheck on the pair script, and the secrets gate run against canned and real audit reports.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_NODE_UNIT, AGENT_PAIR_UNIT, GATEWAY_UNIT, PATHS, STATE_VOLUME_UNIT, TOKEN_UNIT } from "../base/layout";
import { PREPARE_STATE_VOLUME, renderStateVolumeUnit } from "../state/hostFiles";
import { GATEWAY_JOURNAL_UNIT, renderGatewayJournalUnit } from "../host/cloudwatchAgent";
import { MAX_HELPER_EXPOSURE, analyzeUnit, renderGatewayUnit, renderTokenUnit, verifyUnits } from "../host/systemdUnits";
import { renderSecretsGate } from "../host/secretsGate";
import { netsandboxHostFiles } from "../netsandbox/hostFiles";
import { loadStackFile } from "../../stacks/load";
import { PAIR_SCRIPT, WORKSPACE_SHARE_UNIT, renderAgentNodeUnit, renderAgentPairUnit, renderPairScript, renderWorkspaceShareUnit } from "./nodeHost";
import { NODE_BIN } from "../../test/support/openclaw";
import { needTools } from "../../test/support/tools";

const dirs: string[] = [];
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const agentUnits = (stack: string): Record<string, string> => {
  const model = loadStackFile(stack);
  return {
    [AGENT_NODE_UNIT]: renderAgentNodeUnit(model),
    [AGENT_PAIR_UNIT]: renderAgentPairUnit(model),
    [WORKSPACE_SHARE_UNIT]: renderWorkspaceShareUnit(model),
    [GATEWAY_JOURNAL_UNIT]: renderGatewayJournalUnit(),
  };
};

describe.skipIf(!needTools("systemd-analyze"))("the agent's units under systemd-analyze", () => {
  let base: string;
  beforeAll(() => {
    base = tmp("clawkeep-agent-verify-base-");
    fs.cpSync("/usr/lib/systemd/system", path.join(base, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
  });

  for (const stack of ["level2", "level3"]) {
    it(`${stack}: the node host, pairing, workspace-share and journal units verify without a warning`, () => {
      const model = loadStackFile(stack);
      const root = tmp("clawkeep-agent-verify-");
      fs.cpSync(base, root, { recursive: true, verbatimSymlinks: true });
      const units: Record<string, string> = { ...agentUnits(stack), [GATEWAY_UNIT]: renderGatewayUnit(model), [TOKEN_UNIT]: renderTokenUnit(model), [STATE_VOLUME_UNIT]: renderStateVolumeUnit() };
      for (const f of netsandboxHostFiles(model)) if (f.path.startsWith("/etc/systemd/system/")) units[f.path.slice("/etc/systemd/system/".length)] = f.content;
      for (const [name, text] of Object.entries(units)) {
        fs.mkdirSync(path.dirname(path.join(root, "etc/systemd/system", name)), { recursive: true });
        fs.writeFileSync(path.join(root, "etc/systemd/system", name), text);
      }
      for (const exe of [PATHS.nodeBin, `${PATHS.libexecDir}/fetch-token`, PAIR_SCRIPT, "/usr/bin/journalctl", "/usr/lib/systemd/systemd-socket-proxyd", "/usr/sbin/squid", "/bin/kill", PREPARE_STATE_VOLUME]) {
        fs.mkdirSync(path.dirname(path.join(root, exe)), { recursive: true });
        fs.writeFileSync(path.join(root, exe), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
      }
      const res = verifyUnits(root, [AGENT_NODE_UNIT, AGENT_PAIR_UNIT, WORKSPACE_SHARE_UNIT, GATEWAY_JOURNAL_UNIT]);
      expect(res.output).toBe("");
      expect(res.ok).toBe(true);
    });

    it(`${stack}: each scores <= ${MAX_HELPER_EXPOSURE} (the node host <= 1.0), and every exposure left is explained in a comment`, () => {
      const dir = tmp("clawkeep-agent-score-");
      const scores: string[] = [];
      for (const [name, text] of Object.entries(agentUnits(stack))) {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        const report = analyzeUnit(file);
        scores.push(`${name} ${report.score} ${report.exposure}`);
        expect(report.score, name).toBeLessThanOrEqual(name === AGENT_NODE_UNIT ? 1.0 : MAX_HELPER_EXPOSURE);
        const comments = text.split("\n").filter((l) => l.startsWith("#"));
        if (name === GATEWAY_JOURNAL_UNIT) continue; // Its exposures (root image, journal group, mounts, users) are the minimum for journalctl as a transient user.
        for (const f of report.lines.filter((l) => !l.ok && l.exposure !== undefined)) {
          const directive = f.name.split(/[=/]/)[0];
          expect(comments.some((c) => c.includes(`${directive}=`)), `${name}: ${f.name} (${f.exposure}) has no comment`).toBe(true);
        }
      }
      console.log(`systemd-analyze security (${stack}): ${scores.join(", ")}`);
    });
  }
});

describe.skipIf(!needTools("shellcheck"))("the pair script under shellcheck", () => {
  it("has no finding at any severity, and a real finding is reported", () => {
    const clean = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: renderPairScript(), encoding: "utf8" });
    expect(clean.stdout).toBe("");
    const broken = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: renderPairScript().replace('systemctl restart "$node_unit"', "systemctl restart $node_unit"), encoding: "utf8" });
    expect(broken.stdout).toMatch(/SC2086/);
  });
});

describe("the secrets gate, run with a stand-in audit", () => {
  /** The gate with an "openclaw" that prints `report` and exits `code`, as `secrets audit --check --json` does. */
  const gate = (report: unknown, code: number) => {
    const d = tmp("clawkeep-gate-");
    fs.writeFileSync(path.join(d, "gate.mjs"), renderSecretsGate());
    fs.writeFileSync(path.join(d, "openclaw.mjs"), `process.stdout.write(${JSON.stringify(typeof report === "string" ? report : JSON.stringify(report))}); process.exit(${code});\n`);
    return spawnSync(NODE_BIN, [path.join(d, "gate.mjs"), path.join(d, "openclaw.mjs")], { encoding: "utf8" });
  };
  const summary = { plaintextCount: 0, unresolvedRefCount: 0, shadowedRefCount: 0, storeResidueCount: 0, legacyResidueCount: 0 };

  it("lets a clean audit and a provider key not yet put through (exit 2 of the audit notwithstanding)", () => {
    expect(gate({ status: "clean", summary, findings: [] }, 0).status).toBe(0);
    const cold = gate({ status: "unresolved", summary: { ...summary, unresolvedRefCount: 1 }, findings: [{ code: "REF_UNRESOLVED", jsonPath: "models.providers.anthropic.apiKey", provider: "anthropic" }] }, 2);
    expect(cold.status, cold.stderr).toBe(0);
    expect(cold.stdout).toMatch(/no API key yet for anthropic/);
  });

  it("stops the start on a secret in clear text, an unresolved gateway token, or no JSON at all", () => {
    const plain = gate({ status: "findings", summary: { ...summary, plaintextCount: 1 }, findings: [{ code: "PLAINTEXT_FOUND", jsonPath: "models.providers.anthropic.apiKey" }] }, 1);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/1 secret\(s\) in clear text/);
    const token = gate({ status: "unresolved", summary: { ...summary, unresolvedRefCount: 1 }, findings: [{ code: "REF_UNRESOLVED", jsonPath: "gateway.auth.token" }] }, 2);
    expect(token.status).toBe(1);
    expect(token.stderr).toMatch(/REF_UNRESOLVED at gateway\.auth\.token/);
    expect(gate("not json", 3).status).toBe(1);
    expect(gate({ status: "clean", findings: [] }, 0).status).toBe(1);
  });
});
