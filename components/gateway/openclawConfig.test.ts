// Pure checks of the rendered openclaw.json per trust level; the real OpenClaw judges the same output
// in test/openclaw-config.integration.test.ts and test/gateway-trust.integration.test.ts.
import { describe, expect, it } from "vitest";
import { CREDENTIALS_DIR, PATHS, providerKeyCredential, TOKEN_CREDENTIAL } from "../base/layout";
import { loadStackFile } from "../../stacks/load";
import { parseStackConfig, type StackModel } from "../../stacks/schema";
import { TRUST_LEVELS } from "../../stacks/trustLevels";
import {
  AUTH_LOCKOUT,
  LIMIT_MAPPING,
  NONE_IN_OPENCLAW,
  TOKEN_SECRET_PROVIDER,
  fallbackModels,
  renderExecApprovals,
  renderOpenclawConfig,
  renderOpenclawJson,
} from "./openclawConfig";

const models = TRUST_LEVELS.map((l) => loadStackFile(`level${l}`));

describe.each(models.map((m) => [m.trustLevel, m] as const))("level %i", (_level, model) => {
  const cfg = renderOpenclawConfig(model);
  const caps = model.capabilities;

  it("binds a local gateway to loopback with token auth read from the systemd credential", () => {
    expect(cfg.gateway).toMatchObject({ mode: "local", bind: "loopback", port: model.gateway.port, tailscale: { mode: "off" } });
    expect(cfg.gateway.auth.mode).toBe("token");
    expect(cfg.gateway.auth.token).toEqual({ source: "file", provider: TOKEN_SECRET_PROVIDER, id: "value" });
    expect(cfg.secrets.providers[TOKEN_SECRET_PROVIDER]).toEqual({ source: "file", path: `${CREDENTIALS_DIR}/${TOKEN_CREDENTIAL}`, mode: "singleValue" });
  });

  it("reads each configured provider's API key from its systemd credential, and nothing else", () => {
    expect(Object.keys(cfg.models.providers)).toEqual(model.providers);
    for (const p of model.providers) {
      expect(cfg.models.providers[p]).toEqual({ apiKey: { source: "file", provider: `${p}-api-key`, id: "value" }, agentRuntime: { id: "openclaw" } });
      expect(cfg.secrets.providers[`${p}-api-key`]).toEqual({ source: "file", path: `${CREDENTIALS_DIR}/${providerKeyCredential(p)}`, mode: "singleValue" });
    }
    expect(Object.keys(cfg.secrets.providers).sort()).toEqual([TOKEN_SECRET_PROVIDER, ...model.providers.map((p) => `${p}-api-key`)].sort());
    // The hosted model catalog is no provider API: the gateway never asks for it.
    expect(cfg.models.catalogRefresh).toEqual({ enabled: false });
  });

  it("locks out after 5 failed attempts for 15 minutes, loopback included", () => {
    expect(cfg.gateway.auth.rateLimit).toEqual({ maxAttempts: 5, windowMs: 900_000, lockoutMs: 900_000, exemptLoopback: false });
    expect(AUTH_LOCKOUT).toEqual({ maxAttempts: 5, lockoutMinutes: 15 });
  });

  it("turns off mDNS, updates, the operator terminal, the browser, elevated exec and auto-approved pairing", () => {
    expect(cfg.discovery.mdns.mode).toBe("off");
    expect(cfg.update).toEqual({ checkOnStart: false, auto: { enabled: false } });
    expect(cfg.gateway.terminal.enabled).toBe(false);
    expect(cfg.browser.enabled).toBe(false);
    expect(cfg.plugins.entries.browser.enabled).toBe(false);
    expect(cfg.tools.elevated.enabled).toBe(false);
    expect(cfg.agents.defaults.elevatedDefault).toBe("off");
    expect(cfg.gateway.nodes.pairing).toEqual({ autoApproveLocal: false, sshVerify: false });
    expect(cfg.gateway.auth.allowTailscale).toBe(false);
  });

  it("keeps the strongest-model rule for the primary, the fallbacks and session overrides", () => {
    const { primary, fallbacks } = cfg.agents.defaults.model;
    expect(primary).toBe(model.model.primary);
    for (const m of [primary, ...fallbacks, ...cfg.agents.defaults.modelPolicy.allow]) expect(model.model.strongModels).toContain(m);
    expect(fallbacks).not.toContain(primary);
  });

  it("grants exactly the tools of the level's capabilities", () => {
    const allow = new Set(cfg.tools.allow);
    expect(allow.has("read")).toBe(caps.fileRead);
    expect(allow.has("write")).toBe(caps.fileWrite);
    expect(allow.has("edit")).toBe(caps.fileWrite);
    expect(allow.has("exec")).toBe(caps.commands !== "none");
    expect(allow.has("web_fetch")).toBe(caps.web);
    expect(allow.has("sessions_spawn")).toBe(caps.sessionsSpawn);
    expect(allow.has("cron")).toBe(caps.automation);
    expect(cfg.tools.allow.filter((t) => t.startsWith("group:") || t.includes("*"))).toEqual([]);
  });

  it("denies the gateway tool at every level, and runs commands only on the agent's node host", () => {
    expect(cfg.tools.deny).toContain("gateway");
    expect(cfg.tools.allow).not.toContain("gateway");
    expect(cfg.tools.deny.includes("nodes")).toBe(!caps.nodeSystemRun);
    if (caps.commands === "none") {
      expect(cfg.gateway.nodes.commands).toEqual({ deny: ["system.run"] });
      expect(cfg.tools.exec.host).toBe("gateway");
    } else {
      expect(cfg.gateway.nodes.commands).toEqual({ allow: ["system.run", "system.run.prepare", "system.which", "system.execApprovals.get"] });
      expect(cfg.tools.exec).toMatchObject({ host: "node", node: "agent-node", strictInlineEval: true });
    }
    expect(cfg.gateway.nodes).toMatchObject({ pluginTools: { enabled: false }, allowSkills: false });
  });

  it("loads only the provider plugins and, where files are read, the memory plugin; no hooks", () => {
    expect(cfg.plugins.allow).toEqual([...model.providers, ...(caps.fileRead ? ["memory-core"] : [])]);
    expect(cfg.hooks).toEqual({ enabled: false, internal: { enabled: false } });
  });

  it("trusts forwarded headers from the host's loopback only (Tailscale Serve through the ingress bridge), and suppresses no proxy finding", () => {
    expect(cfg.gateway.trustedProxies).toEqual(["127.0.0.1"]);
    expect(cfg.security.audit.suppressions.map((s) => s.checkId)).not.toContain("gateway.trusted_proxies_missing");
  });

  it("logs JSON lines to stdout for the journal, besides the file", () => {
    expect(cfg.logging).toMatchObject({ consoleStyle: "json", consoleLevel: "info", audit: { enabled: true } });
  });

  it("confines files to the workspace and maps the exec policy and limits", () => {
    expect(cfg.tools.fs.workspaceOnly).toBe(true);
    expect(cfg.tools.exec.applyPatch.workspaceOnly).toBe(true);
    expect(cfg.agents.defaults.workspace).toBe(PATHS.workspaceDir);
    expect(cfg.tools.exec.mode).toBe(caps.commands === "none" ? "deny" : "ask");
    expect(cfg.tools.exec.timeoutSeconds).toBe(model.limits.execTimeoutSeconds);
    expect(cfg.session.reset.idleMinutes).toBe(model.limits.sessionIdleMinutes);
    expect(cfg.session.reset.mode).toBe(caps.timeLimitedSessions ? "daily" : "idle");
    expect(cfg.session.threadBindings?.maxAgeHours).toBe(caps.timeLimitedSessions ? model.limits.sessionMaxHours : undefined);
    expect(cfg.agents.defaults.contextPruning.mode).toBe("cache-ttl");
  });

  it("writes the exec allowlist to the host approvals with deny as the fallback", () => {
    const approvals = renderExecApprovals(model);
    const main = approvals.agents.main;
    expect(main.askFallback).toBe("deny");
    expect(approvals.defaults.askFallback).toBe("deny");
    expect(main.allowlist).toEqual(caps.commands === "none" ? [] : model.execAllowlist.map((e) => ({ pattern: e.path, ...(e.argPattern ? { argPattern: e.argPattern } : {}) })));
    expect(main.security).toBe(caps.commands === "none" ? "deny" : "allowlist");
    expect(main.ask).toBe(caps.commands === "none" ? "off" : "on-miss");
  });

  it("gives every audit suppression a reason", () => {
    for (const s of cfg.security.audit.suppressions) expect(s.reason.length).toBeGreaterThan(20);
  });
});

describe("renderOpenclawConfig", () => {
  it("puts no secret value in the file", () => {
    const apiKey = `sk-ant-test-${"a".repeat(40)}`;
    const model: StackModel = parseStackConfig({ trustLevel: 1, anthropicApiKey: { __decryptedSecret: apiKey } });
    const json = renderOpenclawJson(model);
    expect(json).not.toContain(apiKey);
    expect(JSON.parse(json).gateway.auth.token).toMatchObject({ source: "file" });
  });

  it("gives every configured provider its own key reference", () => {
    const both = parseStackConfig({ trustLevel: 1, modelProviders: ["anthropic", "openai"], openaiProjectId: "proj_test", openaiServiceAccountId: "svc-test" });
    const cfg = renderOpenclawConfig(both);
    expect(cfg.models.providers).toEqual({
      anthropic: { apiKey: { source: "file", provider: "anthropic-api-key", id: "value" }, agentRuntime: { id: "openclaw" } },
      openai: { apiKey: { source: "file", provider: "openai-api-key", id: "value" }, agentRuntime: { id: "openclaw" } },
    });
    expect(cfg.secrets.providers["openai-api-key"].path).toBe(`${CREDENTIALS_DIR}/provider-keys_openai-api-key`);
    // Secret provider aliases must match OpenClaw's ^[a-z][a-z0-9_-]{0,63}$.
    for (const alias of Object.keys(cfg.secrets.providers)) expect(alias).toMatch(/^[a-z][a-z0-9_-]{0,63}$/);
  });

  it("uses the injected token file, key directory, workspace and log file", () => {
    const cfg = renderOpenclawConfig(models[2], { tokenFile: "/tmp/x/token", providerKeyDir: "/tmp/x/keys", workspaceDir: "/tmp/x/ws", logFile: "/tmp/x/o.log" });
    expect(cfg.secrets.providers[TOKEN_SECRET_PROVIDER].path).toBe("/tmp/x/token");
    expect(cfg.secrets.providers["anthropic-api-key"].path).toBe(`/tmp/x/keys/${providerKeyCredential("anthropic")}`);
    expect(cfg.agents.defaults.workspace).toBe("/tmp/x/ws");
    expect(cfg.logging.file).toBe("/tmp/x/o.log");
  });

  it("takes fallbacks only from strong models of configured providers", () => {
    const anthropicOnly = parseStackConfig({ trustLevel: 0 });
    expect(fallbackModels(anthropicOnly).every((m) => m.startsWith("anthropic/"))).toBe(true);
    expect(fallbackModels(anthropicOnly)).not.toContain("openai/gpt-5.5");
    const both = parseStackConfig({ trustLevel: 0, modelProviders: ["anthropic", "openai"], openaiProjectId: "proj_test", openaiServiceAccountId: "svc-test" });
    expect(fallbackModels(both)).toContain("openai/gpt-5.5");
    const single = parseStackConfig({ trustLevel: 0, strongModels: ["anthropic/claude-opus-5"] });
    expect(fallbackModels(single)).toEqual([]);
  });
});

describe("LIMIT_MAPPING", () => {
  it("covers every limit of the stack model", () => {
    const mapped = new Set(LIMIT_MAPPING.map((m) => m.modelField));
    for (const k of Object.keys(models[0].limits)) expect(mapped.has(`limits.${k}`)).toBe(true);
  });

  it("says what the kit does wherever OpenClaw has no key", () => {
    for (const m of LIMIT_MAPPING) {
      if (m.openclawKey === NONE_IN_OPENCLAW) expect(m.kitInstead?.length ?? 0).toBeGreaterThan(10);
      else expect(m.openclawKey).toMatch(/^[a-z]/);
    }
  });
});
