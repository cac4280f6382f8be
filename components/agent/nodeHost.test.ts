// The agent's side of the host as rendered: which levels get it, what the node host's unit holds and
// never holds, and how first boot brings it up. Real tools judge the same text in nodeHost.integration.test.ts.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AGENT_NODE_COMMANDS, AGENT_NODE_UNIT, AGENT_PAIR_UNIT, CREDENTIALS_DIR, PATHS } from "../base/layout";
import { renderHost } from "../host/hostFiles";
import { renderTmpfiles } from "../host/userData";
import { renderExecApprovalsJson } from "../gateway/openclawConfig";
import { loadStackFile } from "../../stacks/load";
import { AGENT_HIDDEN_PATHS, PAIR_SCRIPT, agentExecPaths, agentHostFiles, agentNodeEnvironment, renderAgentNodeUnit } from "./nodeHost";

const facts = { region: "us-east-1", gatewayTokenSecretId: "clawkeep/level2/gw/gateway-token", providerKeySecretIds: { anthropic: "clawkeep/level2/gw/anthropic-api-key" }, metricNamespace: "Clawkeep/level2/gw" };

describe("the agent's side of the host", () => {
  it("exists only where the level runs commands", () => {
    for (const level of [0, 1]) expect(agentHostFiles(loadStackFile(`level${level}`), "{}")).toEqual([]);
    for (const level of [2, 3]) {
      const model = loadStackFile(`level${level}`);
      const files = agentHostFiles(model, renderExecApprovalsJson(model));
      const paths = files.map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining([`/etc/systemd/system/${AGENT_NODE_UNIT}`, `/etc/systemd/system/${AGENT_PAIR_UNIT}`, PAIR_SCRIPT, PATHS.agentExecApprovalsFile, PATHS.agentGit, PATHS.agentGitScript]));
      for (const f of files) expect(f.owner, f.path).toBe("root:root");
      expect(files.find((f) => f.path === PATHS.agentGit)).toMatchObject({ mode: "0755", encoding: "base64" });
      expect(files.find((f) => f.path === PAIR_SCRIPT)?.mode).toBe("0750");
    }
  });

  it("runs the node host as the agent's user with the gateway's token nowhere in its unit", () => {
    const model = loadStackFile("level2");
    const unit = renderAgentNodeUnit(model);
    expect(unit).toMatch(/^User=openclaw-agent$/m);
    expect(unit).toMatch(/^SupplementaryGroups=openclaw-work$/m);
    expect(unit).toMatch(new RegExp(`^WorkingDirectory=${PATHS.workspaceDir}$`, "m"));
    expect(unit).not.toMatch(/OPENCLAW_GATEWAY_TOKEN|LoadCredential|gateway-token/);
    expect(Object.keys(agentNodeEnvironment())).not.toContain("OPENCLAW_GATEWAY_TOKEN");
    expect(unit).toContain(`--commands ${AGENT_NODE_COMMANDS.join(",")}`);
    expect(unit).toMatch(/^ExecStart=.* node run --host 127\.0\.0\.1 --port 18789 --display-name agent-node .* \$CLAWKEEP_NODE_PAIR$/m);
    // The login shell never reads a profile from a writable HOME.
    expect(agentNodeEnvironment().HOME).toBe("/nonexistent");
  });

  it("hides the gateway's credentials, config, state, logs and audit trail, and lets only the allowlist's binaries execute", () => {
    const model = loadStackFile("level3");
    const unit = renderAgentNodeUnit(model);
    const hidden = /^InaccessiblePaths=(.*)$/m.exec(unit)?.[1].split(" ").map((p) => p.replace(/^-/, "")) ?? [];
    for (const p of ["/run/credentials", PATHS.runSecretsDir, PATHS.configDir, PATHS.stateDir, PATHS.logDir, "/var/log/clawkeep-gateway", "/var/log/audit"]) expect(hidden).toContain(p);
    expect(hidden).toEqual([...AGENT_HIDDEN_PATHS]);
    expect(CREDENTIALS_DIR.startsWith("/run/credentials/")).toBe(true);
    expect(unit).toMatch(/^NoExecPaths=\/$/m);
    const exec = /^ExecPaths=(.*)$/m.exec(unit)?.[1].split(" ") ?? [];
    expect(exec).toEqual(agentExecPaths(model));
    for (const e of model.execAllowlist) expect(exec).toContain(`-${e.path}`);
    expect(exec).not.toContain("/usr/bin");
    expect(exec).not.toContain(PATHS.workspaceDir);
    expect(unit).toMatch(/^PrivateNetwork=yes$/m);
    expect(unit).toMatch(/^IPAddressDeny=any$/m);
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/openclaw-workspace$/m);
  });

  it("shares the workspace by group (setgid, default ACL) only where commands run", () => {
    expect(renderTmpfiles(loadStackFile("level2"))).toMatch(/^d \/var\/lib\/openclaw-workspace 2770 openclaw openclaw-work -$/m);
    expect(renderTmpfiles(loadStackFile("level2"))).toMatch(/^a\+ \/var\/lib\/openclaw-workspace - - - - group:openclaw-work:rwx,default:group:openclaw-work:rwx,default:mask::rwx,default:other::---$/m);
    expect(renderTmpfiles(loadStackFile("level1"))).toMatch(/^d \/var\/lib\/openclaw-workspace 0700 openclaw openclaw -$/m);
    expect(renderTmpfiles(loadStackFile("level1"))).not.toMatch(/ openclaw-work |group:openclaw-work/);
  });

  it("first boot creates the group and the user, enables the node host, and pairs it last", () => {
    const host = renderHost(loadStackFile("level2"), facts, { accountId: "123456789012", stack: "level2", stateVolumeId: "vol-0c1a3e5e7a9b1d2f4" });
    const doc = parse(host.userData.replace(/^#cloud-config\n/, "")) as { groups?: string[]; runcmd: unknown[]; packages: string[] };
    expect(doc.groups).toEqual(["openclaw-work"]);
    // The binaries the shipped allowlist names come from Debian's packages.
    expect(doc.packages).toEqual(expect.arrayContaining(["git", "jq"]));
    const steps = doc.runcmd.map((s) => JSON.stringify(s));
    expect(steps.at(-1)).toBe(JSON.stringify(["systemctl", "start", AGENT_PAIR_UNIT]));
    expect(steps).toContain(JSON.stringify(["systemctl", "enable", AGENT_NODE_UNIT, AGENT_PAIR_UNIT]));
    expect(steps.indexOf(JSON.stringify(["systemctl", "enable", "--now", "openclaw-gateway.service"]))).toBeLessThan(steps.indexOf(JSON.stringify(["systemctl", "start", AGENT_PAIR_UNIT])));
  });
});
