import { describe, expect, it } from "vitest";
import { LEVELS, TRUST_LEVELS } from "../../stacks/trustLevels";
import { dangerousFlags, entryMatches, openclawEnvelopeViolations, toolReachable } from "./openclaw";

const hardenedBase = { fs: { workspaceOnly: true }, elevated: { enabled: false } };
/** An allowlist config in the style of a renderer: exactly the tools the level grants. */
function allowlistConfig(level: 0 | 1 | 2 | 3) {
  const c = LEVELS[level];
  const allow = [
    "ask_user",
    ...(c.fileRead ? ["read"] : []),
    ...(c.fileWrite ? ["write", "edit", "apply_patch"] : []),
    ...(c.web ? ["web_fetch", "web_search"] : []),
    ...(c.commands !== "none" ? ["exec", "process"] : []),
    ...(c.sessionsSpawn ? ["sessions_spawn", "sessions_send"] : []),
    ...(c.automation ? ["cron"] : []),
  ];
  return { tools: { ...hardenedBase, allow, deny: ["gateway", "openclaw", "plugins"], exec: { mode: c.commands === "none" ? "deny" : "ask" } } };
}

describe("openclawEnvelopeViolations", () => {
  it.each(TRUST_LEVELS)("accepts an allowlist of exactly level %i's tools", (level) => {
    expect(openclawEnvelopeViolations(level, allowlistConfig(level))).toEqual([]);
  });

  it.each([
    [0, 1],
    [1, 2],
    [2, 3],
  ] as const)("refuses level %i running level %i's allowlist", (level, higher) => {
    expect(openclawEnvelopeViolations(level, allowlistConfig(higher)).join("\n")).toMatch(/reachable, but level/);
  });

  it("treats an unset profile as every tool, and OpenClaw's defaults as unsafe", () => {
    const v = openclawEnvelopeViolations(3, {});
    expect(v.join("\n")).toMatch(/gateway, openclaw, plugins, secrets reachable/);
    expect(v.join("\n")).toMatch(/exec\.mode is unset/);
    expect(v.join("\n")).toMatch(/fs\.workspaceOnly/);
    expect(v.join("\n")).toMatch(/tools\.elevated\.enabled is not false/);
  });

  it("sees a tool the profile grants unless a deny (group or wildcard) removes it", () => {
    const tools = { profile: "minimal" };
    expect(toolReachable(tools, [], "gateway")).toBe(true);
    expect(toolReachable({ ...tools, deny: ["group:automation"] }, [], "gateway")).toBe(false);
    expect(toolReachable({ ...tools, deny: ["gate*"] }, [], "gateway")).toBe(false);
    expect(toolReachable({ profile: "coding", deny: ["bash"] }, [], "exec")).toBe(false);
    expect(toolReachable({ profile: "coding", deny: ["automations"] }, [], "cron")).toBe(false);
  });

  it("lets a non-empty allow clamp the profile, and write bring apply_patch along", () => {
    expect(toolReachable({ profile: "coding", allow: ["read"] }, [], "exec")).toBe(false);
    expect(toolReachable({ allow: ["write"] }, [], "apply_patch")).toBe(true);
    expect(toolReachable({ allow: ["write"], deny: ["apply_patch"] }, [], "apply_patch")).toBe(false);
  });

  it("counts grants made per sender, provider and channel", () => {
    const config = {
      tools: { ...hardenedBase, profile: "messaging", deny: ["gateway", "sessions_spawn", "sessions_send", "subagents"], exec: { mode: "deny" } },
      channels: { slack: { toolsBySender: { "*": { alsoAllow: ["group:fs"] } } } },
    };
    expect(openclawEnvelopeViolations(0, config).join("\n")).toMatch(/read reachable.*no file reads/);
  });

  it("holds a per-agent override to the same envelope", () => {
    const base = allowlistConfig(1);
    const config = { ...base, agents: { entries: { main: {}, ops: { tools: { allow: ["exec"], exec: { mode: "full" } } } } } };
    const v = openclawEnvelopeViolations(1, config).join("\n");
    expect(v).toMatch(/agents\.entries\.ops\.tools: exec reachable, but level 1/);
    expect(v).not.toMatch(/agents\.entries\.main/);
  });

  it("accepts legacy exec.security allowlist and refuses full", () => {
    const l2 = allowlistConfig(2);
    expect(openclawEnvelopeViolations(2, { tools: { ...l2.tools, exec: { security: "allowlist", ask: "on-miss" } } })).toEqual([]);
    expect(openclawEnvelopeViolations(2, { tools: { ...l2.tools, exec: { security: "full" } } }).join()).toMatch(/exec\.security is "full"/);
  });

  it("ignores the browser tool when the browser is disabled", () => {
    const config = { tools: { ...hardenedBase, allow: ["browser"], exec: { mode: "deny" } } };
    expect(openclawEnvelopeViolations(0, config).join()).toMatch(/browser reachable/);
    expect(openclawEnvelopeViolations(0, { ...config, browser: { enabled: false } })).toEqual([]);
  });
});

describe("entryMatches", () => {
  it("expands groups and wildcards, case-insensitively", () => {
    expect(entryMatches("group:fs", "apply_patch")).toBe(true);
    expect(entryMatches("group:openclaw", "exec")).toBe(false);
    expect(entryMatches("group:openclaw", "web_fetch")).toBe(true);
    expect(entryMatches("WEB_*", "web_search")).toBe(true);
    expect(entryMatches("*", "gateway")).toBe(true);
    expect(entryMatches("web_fetch", "web_search")).toBe(false);
  });
});

describe("dangerousFlags", () => {
  it("finds dangerously* keys set true at any depth, arrays included", () => {
    const config = {
      gateway: { controlUi: { dangerouslyAllowHostHeaderOriginFallback: true, dangerouslyDisableDeviceAuth: false } },
      channels: { list: [{ dangerouslyAllowNameMatching: true }] },
    };
    expect(dangerousFlags(config).sort()).toEqual(["channels.list.0.dangerouslyAllowNameMatching", "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback"]);
    expect(dangerousFlags({ gateway: { bind: "loopback" } })).toEqual([]);
  });
});
