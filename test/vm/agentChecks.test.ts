// The VM check rows of issue 17 (points 2, 4, 6) without a VM: each script is valid bash that shellcheck
// passes, each level gets the rows its host has, and each judge passes what holds and fails what does not.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../stacks/load";
import { agentChecks, agentExpectation } from "./agentChecks";
import { CHECKS, parseFields, type CheckContext } from "./checks";
import { needTools } from "../support/tools";

const ctx: CheckContext = { port: 18789, hostOfflineScore: 0.7, ingress: true, egressProxy: null, dayTwo: { volumeSerial: "vol0c1a3e5e7a9b1d2f4", bundleSha256: "0".repeat(64) } };

describe("issue 17's VM check rows", () => {
  it("derive what each level's host holds: the node host and its exec rules from level 2, the level's plugins", () => {
    expect(agentExpectation(loadStackFile("level0"))).toEqual({ commands: false, plugins: ["anthropic"], allowedDomain: "api.anthropic.com" });
    expect(agentExpectation(loadStackFile("level2"))).toMatchObject({ commands: true, plugins: ["anthropic", "memory-core"] });
    expect(agentChecks(agentExpectation(loadStackFile("level0")))[0].title).toMatch(/no agent side below level 2/);
    expect(agentChecks(agentExpectation(loadStackFile("level3")))[0].title).toMatch(/agent commands run as openclaw-agent/);
    // Titles are the table's row keys: none may repeat one of the existing checks.
    const titles = [...CHECKS, ...agentChecks(agentExpectation(loadStackFile("level2")))].map((c) => c.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it.skipIf(!needTools("bash", "shellcheck")).each(["level0", "level2"])("%s: every script is bash that shellcheck passes at warning level", (stack) => {
    for (const check of agentChecks(agentExpectation(loadStackFile(stack)))) {
      const script = `#!/bin/bash\n${check.script(ctx)}`;
      const syntax = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
      expect(syntax.status, `${check.title}: ${syntax.stderr}`).toBe(0);
      const lint = spawnSync("shellcheck", ["--shell=bash", "--severity=warning", "-"], { input: script, encoding: "utf8" });
      expect(lint.stdout, check.title).toBe("");
    }
  });

  it("judges the node-host row: a confined, paired node passes; one that sees a credential or reaches IMDS fails", () => {
    const [row] = agentChecks(agentExpectation(loadStackFile("level2")));
    const good = parseFields(
      ["node_active=active", "paired=active", "node_user=openclaw-agent", "connected=1", "same_netns_as_gateway=yes", "sees_credential=no", "sees_state=0", "sees_audit_log=no", "token_in_node=no", "token_in_node_state=no", "imds=refused"].join("\n"),
    );
    expect(row.judge?.(good, 0, ctx).pass).toBe(true);
    for (const [k, v] of [["sees_credential", "YES"], ["imds", "REACHED (i-123)"], ["token_in_node_state", "YES"], ["connected", "0"], ["same_netns_as_gateway", "no"]]) {
      expect(row.judge?.({ ...good, [k]: v }, 0, ctx).pass, k).toBe(false);
    }
    expect(row.judge?.(good, 1, ctx).pass).toBe(false);
  });

  it("judges the audit-trail row: a forged line shipped, or a file others can append to, fails", () => {
    const row = agentChecks(agentExpectation(loadStackFile("level1")))[1];
    const good = { shipper: "active", dir: "root:root 750", shipped_by_cwagent: "1", gateway_lines: "12", append_as_nobody: "refused", forged_in_journal: "1", forged_shipped: "0" };
    expect(row.judge?.(good, 0, ctx).pass).toBe(true);
    expect(row.judge?.({ ...good, forged_shipped: "1" }, 0, ctx).pass).toBe(false);
    expect(row.judge?.({ ...good, append_as_nobody: "WROTE" }, 0, ctx).pass).toBe(false);
    expect(row.judge?.({ ...good, gateway_lines: "0" }, 0, ctx).pass).toBe(false);
  });

  it("judges the auditd row per level, and the hardening row on plugins, proxies and proxy validate's canary", () => {
    const audit2 = agentChecks(agentExpectation(loadStackFile("level2")))[2];
    const audit0 = agentChecks(agentExpectation(loadStackFile("level0")))[2];
    const fields = { credential_rules: "2", agent_exec_rules: "2", immutable: "2", recorded: "1" };
    expect(audit2.judge?.(fields, 0, ctx).pass).toBe(true);
    expect(audit0.judge?.(fields, 0, ctx).pass).toBe(false);
    expect(audit0.judge?.({ ...fields, agent_exec_rules: "0" }, 0, ctx).pass).toBe(true);
    expect(audit2.judge?.({ ...fields, immutable: "1" }, 0, ctx).pass).toBe(false);
    // The refused open must be in the log the alarm reads; a missing or zero count fails.
    expect(audit2.judge?.({ ...fields, recorded: "0" }, 0, ctx).pass).toBe(false);
    const noRecordLine = Object.fromEntries(Object.entries({ ...fields, agent_exec_rules: "0" }).filter(([k]) => k !== "recorded"));
    expect(audit0.judge?.(noRecordLine, 0, ctx).pass).toBe(false);
    const hard = agentChecks(agentExpectation(loadStackFile("level1")))[3];
    const ok = { secrets_gate: "secrets-gate: unresolved", plugins: "anthropic, memory-core", trusted_proxies: "127.0.0.1", proxy_validate: "allowed:fail denied:ok" };
    expect(hard.judge?.(ok, 0, ctx).pass).toBe(true);
    expect(hard.judge?.({ ...ok, plugins: "anthropic, canvas, memory-core" }, 0, ctx).pass).toBe(false);
    expect(hard.judge?.({ ...ok, proxy_validate: "no-json" }, 0, ctx).pass).toBe(false);
    // Level 0 allows only the provider; OpenClaw's memory slot loads anyway (its tools are denied), nothing more may.
    const hard0 = agentChecks(agentExpectation(loadStackFile("level0")))[3];
    expect(hard0.judge?.(ok, 0, ctx).pass).toBe(true);
    expect(hard0.judge?.({ ...ok, plugins: "anthropic, memory-core, browser" }, 0, ctx).pass).toBe(false);
  });
});
