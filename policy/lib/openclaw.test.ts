import { describe, expect, it } from "vitest";
import { LEVELS, TRUST_LEVELS } from "../../stacks/trustLevels";
import { authProblems, bindProblems, dangerousFlags, entryMatches, funnelProblems, openclawEnvelopeViolations, openclawSetup, toolReachable } from "./openclaw";
import type { FoundConfig } from "./openclaw";

const hardenedBase = { fs: { workspaceOnly: true }, elevated: { enabled: false } };
/** Session limits and audit settings every level needs (the kit's renderer writes the same). */
const limits = (level: number) => ({
  session: { reset: level >= 2 ? { mode: "daily", atHour: 4, idleMinutes: 30 } : { mode: "idle", idleMinutes: 30 } },
  logging: { audit: { enabled: true } },
});
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
  return { ...limits(level), tools: { ...hardenedBase, allow, deny: ["gateway", "openclaw", "plugins"], exec: c.commands === "none" ? { mode: "deny" } : { mode: "ask", host: "node" } } };
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

  it("refuses commands on the gateway host: exec.host gateway, auto, sandbox or unset, also in an agent", () => {
    const l3 = allowlistConfig(3);
    const at = (exec: object, agents?: object) => openclawEnvelopeViolations(3, { ...l3, tools: { ...l3.tools, exec: { mode: "ask", ...exec } }, ...(agents ? { agents } : {}) }).join("\n");
    expect(at({ host: "node" })).toBe("");
    expect(at({ host: " NODE " })).toBe("");
    expect(at({})).toMatch(/tools: exec, process reachable and exec\.host is unset \(OpenClaw's "auto"/);
    for (const host of ["gateway", "auto", "sandbox"]) expect(at({ host })).toMatch(new RegExp(`exec\\.host is "${host}": the agent's commands would run as the gateway`));
    expect(at({ host: "node" }, { entries: { ops: { tools: { exec: { host: "gateway" } } } } })).toMatch(/agents\.entries\.ops\.tools: exec, process reachable and exec\.host is "gateway"/);
    // No command tool reachable: the host does not matter.
    expect(openclawEnvelopeViolations(1, allowlistConfig(1))).toEqual([]);
  });

  it("accepts legacy exec.security allowlist and refuses full", () => {
    const l2 = allowlistConfig(2);
    expect(openclawEnvelopeViolations(2, { ...l2, tools: { ...l2.tools, exec: { security: "allowlist", ask: "on-miss", host: "node" } } })).toEqual([]);
    expect(openclawEnvelopeViolations(2, { ...l2, tools: { ...l2.tools, exec: { security: "full" } } }).join()).toMatch(/exec\.security is "full"/);
  });

  it("ignores the browser tool when the browser is disabled", () => {
    const config = { ...limits(0), tools: { ...hardenedBase, allow: ["browser"], exec: { mode: "deny" } } };
    expect(openclawEnvelopeViolations(0, config).join()).toMatch(/browser reachable/);
    expect(openclawEnvelopeViolations(0, { ...config, browser: { enabled: false } })).toEqual([]);
  });
});

describe("who may talk to the agent, session limits and audit settings", () => {
  const at = (level: 0 | 1 | 2 | 3, extra: object) => openclawEnvelopeViolations(level, { ...allowlistConfig(level), ...extra }).join("\n");

  it("refuses open DM and group policies and a wildcard allowFrom on any channel or account", () => {
    expect(at(3, { channels: { telegram: { dmPolicy: "open" } } })).toMatch(/channels\.telegram\.dmPolicy is "open"/);
    expect(at(3, { channels: { slack: { accounts: { ops: { groupPolicy: "open" } } } } })).toMatch(/channels\.slack\.accounts\.ops\.groupPolicy/);
    expect(at(3, { channels: { discord: { dmPolicy: "allowlist", allowFrom: ["*"] } } })).toMatch(/allowFrom allows "\*"/);
    expect(at(0, { channels: { telegram: { dmPolicy: "pairing", allowFrom: ["id:42"] } } })).toBe("");
  });

  it("needs an idle reset within 30 minutes at every level, and a daily reset where sessions are time-limited", () => {
    expect(at(0, { session: {} })).toMatch(/session\.reset is unset/);
    expect(at(1, { session: { reset: { mode: "none" } } })).toMatch(/sessions never reset/);
    expect(at(1, { session: { reset: { mode: "idle", idleMinutes: 43200 } } })).toMatch(/idleMinutes is 43200/);
    expect(at(1, { session: { reset: { mode: "idle", idleMinutes: 30 } } })).toBe("");
    expect(at(2, { session: { reset: { mode: "idle", idleMinutes: 30 } } })).toMatch(/time-limited sessions: reset "daily"/);
    expect(at(2, { session: { reset: { mode: "daily", idleMinutes: 30 }, resetByType: { group: { mode: "idle", idleMinutes: 600 } } } })).toMatch(/resetByType\.group\.idleMinutes/);
    expect(at(3, { session: { reset: { mode: "daily", idleMinutes: 30 }, threadBindings: { maxAgeHours: 72 } } })).toMatch(/maxAgeHours is 72/);
  });

  it("needs the audit log on and OpenClaw's redaction intact", () => {
    expect(at(0, { logging: { audit: { enabled: false } } })).toMatch(/logging\.audit\.enabled is false/);
    expect(at(0, { logging: {} })).toMatch(/logging\.audit\.enabled is unset/);
    expect(at(0, { logging: { audit: { enabled: true }, redactPatterns: [] } })).toMatch(/redactPatterns is empty/);
    expect(at(0, { logging: { audit: { enabled: true }, redactPatterns: ["sk-[A-Za-z0-9]+"] } })).toBe("");
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

describe("openclawSetup: OpenClaw wherever it travels", () => {
  const INSTANCE = "aws:ec2/instance:Instance";
  const cloudConfig = (files: Array<{ path: string; content: string }>, runcmd: string[] = []) => ({
    userData: `#cloud-config\n${JSON.stringify({ write_files: files, runcmd })}`,
  });
  const gw = (g: object) => JSON.stringify({ gateway: { mode: "local", auth: { mode: "token" }, ...g } });

  it("finds configs by name, by OPENCLAW_CONFIG_PATH/STATE_DIR and by shape, and parses JSON5", () => {
    const props = cloudConfig([
      { path: "/home/a/.openclaw/openclaw.json", content: "{ gateway: { bind: 'lan', }, // JSON5\n}" },
      { path: "/etc/gw/custom.conf", content: gw({ bind: "tailnet" }) },
      { path: "/etc/default/openclaw", content: "OPENCLAW_CONFIG_PATH=/etc/gw/custom.conf\nOPENCLAW_STATE_DIR=/srv/oc\n" },
      { path: "/srv/oc/openclaw.json", content: gw({}) },
      { path: "/opt/elsewhere.json", content: JSON.stringify({ tools: { profile: "full" }, session: {} }) },
      { path: "/opt/not-openclaw.json", content: JSON.stringify({ gateway: "x", region: "us-east-1" }) },
    ]);
    const setup = openclawSetup(INSTANCE, props);
    expect(setup.configs.map((c) => c.path).sort()).toEqual(["/etc/gw/custom.conf", "/home/a/.openclaw/openclaw.json", "/opt/elsewhere.json", "/srv/oc/openclaw.json"]);
    expect(bindProblems(setup).join("\n")).toMatch(/openclaw\.json: gateway\.bind is "lan"[\s\S]*custom\.conf: gateway\.bind is "tailnet"/);
  });

  it("follows $include relative to the including file, siblings winning; a missing or looping include is not judged", () => {
    const base = (include: unknown) => ({ path: "/etc/openclaw/openclaw.json", content: JSON.stringify({ gateway: { $include: include, mode: "local" } }) });
    const incl = { path: "/etc/openclaw/gw.json5", content: "{ bind: 'lan', mode: 'remote' }" };
    const ok = openclawSetup(INSTANCE, cloudConfig([base("./gw.json5"), incl])).configs[0];
    expect(ok.config?.gateway).toEqual({ bind: "lan", mode: "local" });
    expect(openclawSetup(INSTANCE, cloudConfig([base(["/etc/openclaw/none.json5"])])).configs[0].blind).toMatch(/none\.json5, which .* is not delivered/);
    expect(openclawSetup(INSTANCE, cloudConfig([base("./openclaw.json")])).configs[0].error).toMatch(/includes itself/);
  });

  it("applies `openclaw config set/unset` to the config it names, and judges a lone edit as partial", () => {
    const file = { path: "/etc/openclaw/openclaw.json", content: gw({ bind: "loopback" }) };
    const edited = openclawSetup(INSTANCE, cloudConfig([file], ["OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json openclaw config set gateway.bind lan", "openclaw config set gateway.auth '{mode: \"none\"}'"]));
    expect(edited.configs[0].config?.gateway).toMatchObject({ bind: "lan", auth: { mode: "none" } });
    const lone = openclawSetup(INSTANCE, { userData: "#!/bin/sh\nopenclaw config set gateway.tailscale.mode funnel\n" });
    expect(lone.configs).toMatchObject([{ partial: true, config: { gateway: { tailscale: { mode: "funnel" } } } }]);
    expect(authProblems(lone)).toEqual([]);
    expect(funnelProblems(lone).join()).toMatch(/"funnel"/);
  });

  it("finds openclaw only where it runs: after VAR=value words, prefixes and cd, not in an assignment's or argument's path", () => {
    const lines = [
      "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json OPENCLAW_STATE_DIR=/var/lib/openclaw openclaw gateway --bind lan",
      "cd /var/lib/openclaw && sudo -u openclaw -H nice -n 10 openclaw gateway --bind lan",
      "timeout 60 npx -y openclaw@2026.9.6 gateway --bind lan",
    ];
    for (const line of lines) expect(openclawSetup(INSTANCE, { userData: `#!/bin/sh\n${line}\n` }).launches.map((l) => l.flags.bind), line).toEqual(["lan"]);
    expect(openclawSetup(INSTANCE, { userData: "#!/bin/sh\nchown -R openclaw /var/lib/openclaw\nls /opt/openclaw\n" }).launches).toEqual([]);
    // `setup` takes onboard's runtime options (dist/register.setup-*.mjs).
    expect(openclawSetup(INSTANCE, { userData: "#!/bin/sh\nopenclaw setup --tailscale serve\n" }).launches.map((l) => l.flags.tailscale)).toEqual(["serve"]);
  });

  it("cannot judge OpenClaw run through a shell variable ($OC approvals ...), and leaves other variables be", () => {
    const unjudged = (line: string) => openclawSetup(INSTANCE, { userData: `#!/bin/sh\n${line}\n` }).unjudged.join();
    expect(unjudged("OC=/opt/openclaw/node_modules/.bin/openclaw; sudo -u openclaw $OC approvals allowlist add /usr/bin/python3")).toMatch(/runs a program the shell names/);
    expect(unjudged("${OPENCLAW} gateway --bind lan")).toMatch(/program the shell names/);
    expect(unjudged("$HOME/bin/report status")).toBe("");
  });

  it("cannot judge a write to OpenClaw's state database (where 2026.9.6 keeps exec approvals); a read is fine", () => {
    const write = `sqlite3 /var/lib/openclaw/state/openclaw.sqlite "insert or replace into exec_approvals_config values ('current', '{}')"`;
    expect(openclawSetup(INSTANCE, { userData: `#!/bin/sh\n${write}\n` }).unjudged.join()).toMatch(/changes the OpenClaw config .* by a means this plan does not read/);
    expect(openclawSetup(INSTANCE, { userData: "#!/bin/sh\nls -l /var/lib/openclaw/state/openclaw.sqlite\n" }).unjudged).toEqual([]);
  });

  it("cannot judge `openclaw config patch` or a batch `config set` (OpenClaw 2026.9.6 reads their keys from a file, stdin or JSON)", () => {
    for (const line of ["openclaw config patch --file /tmp/p.json5", "echo '{gateway:{bind:\"lan\"}}' | openclaw config patch --stdin", "openclaw config set --batch-json '[{\"path\":\"gateway.bind\",\"value\":\"lan\"}]'", "openclaw config set --batch-file /tmp/b.json"]) {
      expect(openclawSetup(INSTANCE, { userData: `#!/bin/sh\n${line}\n` }).unjudged.join(), line).toMatch(/changes the OpenClaw config by a means this plan does not read/);
    }
    expect(openclawSetup(INSTANCE, { userData: "#!/bin/sh\nopenclaw config set gateway.bind loopback\nopenclaw config get gateway.bind\n" }).unjudged).toEqual([]);
  });

  it("reads gateway launches (units, scripts, onboard) with their flags, but not status commands; and every tailscale funnel", () => {
    const unit = "[Service]\nExecStart=/usr/bin/node /opt/openclaw.mjs gateway --bind=lan --auth none --token 0123456789abcdef0123456789abcdef\n";
    const setup = openclawSetup(INSTANCE, cloudConfig([{ path: "/etc/systemd/system/openclaw-gateway.service", content: unit }], [
      "openclaw gateway status --deep",
      "npx openclaw@2026.9.6 onboard --non-interactive --gateway-bind tailnet --gateway-auth password",
      "tailscale funnel --bg 18789",
      "tailscale funnel reset",
      "sudo tailscale serve --bg 18789",
    ]));
    expect(setup.launches.map((l) => l.flags)).toEqual([
      { bind: "tailnet", auth: "password" },
      { bind: "lan", auth: "none", token: "0123456789abcdef0123456789abcdef" },
    ]);
    expect(setup.funnels).toHaveLength(1);
    const messages = [...bindProblems(setup), ...authProblems(setup)].join("\n");
    for (const re of [/--bind lan \(the flag/, /--bind tailnet \(the flag/, /--auth none \(the flag/, /--auth password \(the flag/, /--token puts the gateway token on the command line/]) expect(messages).toMatch(re);
    expect(messages).not.toContain("0123456789abcdef0123456789abcdef");
  });

  it("accepts token auth from a SecretRef or ${ENV}, refuses literal, weak and password tokens, loose rate limits and any-origin UIs", () => {
    const auth = (a: object, g: object = {}) => authProblems(openclawSetup(INSTANCE, cloudConfig([{ path: "/etc/openclaw/openclaw.json", content: JSON.stringify({ gateway: { auth: a, ...g } }) }]))).join("\n");
    expect(auth({ mode: "token", token: { source: "file", provider: "p", id: "value" } })).toBe("");
    expect(auth({ mode: "token", token: "${OPENCLAW_GATEWAY_TOKEN}", rateLimit: { maxAttempts: 5, windowMs: 900000, lockoutMs: 900000 } })).toBe("");
    expect(auth({ token: { source: "env", provider: "d", id: "T" } })).toMatch(/mode is unset/);
    expect(auth({ mode: "trusted-proxy" })).toMatch(/"trusted-proxy"/);
    expect(auth({ mode: "token", token: "0123456789abcdef0123456789abcdef" })).toMatch(/written in the file; anyone/);
    expect(auth({ mode: "token", token: "changeme" })).toMatch(/human-chosen/);
    expect(auth({ mode: "token", rateLimit: { maxAttempts: 50 } })).toMatch(/maxAttempts 50 > 10/);
    expect(auth({ mode: "token", rateLimit: false })).toMatch(/rateLimit is off/);
    expect(auth({ mode: "token" }, { controlUi: { allowedOrigins: ["https://ok.example", "*"] } })).toMatch(/allowedOrigins/);
  });
});

describe("openclawSetup: writes and launchers the pack does not model", () => {
  const INSTANCE = "aws:ec2/instance:Instance";
  const CONFIG = { path: "/etc/openclaw/openclaw.json", content: JSON.stringify({ gateway: { bind: "loopback", auth: { mode: "token" } } }) };
  const UNIT = (execStart: string) => ({ path: "/etc/systemd/system/openclaw-gateway.service", content: `[Service]\nUser=openclaw\nEnvironment=OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json\nExecStart=${execStart}\n` });
  const host = (files: Array<{ path: string; content: string }>, runcmd: Array<string | string[]> = []) =>
    openclawSetup(INSTANCE, { userData: `#cloud-config\n${JSON.stringify({ write_files: files, runcmd })}` });
  const LAUNCH = "/usr/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs gateway --port 18789";

  it.each([
    [`sed -i 's/loopback/lan/' /etc/openclaw/openclaw.json`, "sed -i"],
    [`jq '.gateway.auth.mode="none"' /etc/openclaw/openclaw.json > /tmp/c && mv /tmp/c /etc/openclaw/openclaw.json`, "mv"],
    ["cp /tmp/c.json /etc/openclaw/openclaw.json", "cp onto it"],
    ["install -m 0640 /run/openclaw.json /etc/openclaw/", "install into its directory under its name"],
    ["ln -sf /srv/openclaw.json /etc/openclaw/openclaw.json", "ln"],
    ["dd if=/dev/shm/c of=/etc/openclaw/openclaw.json", "dd of="],
    [`python3 -c "open('/etc/openclaw/openclaw.json','w').write('{}')"`, "an interpreter"],
    ["aws s3 cp s3://b/openclaw.json /etc/openclaw/openclaw.json", "aws s3 cp"],
    ["aws s3 sync s3://b/cfg /etc/openclaw", "a sync into its directory"],
    ["curl -fsSo /etc/openclaw/openclaw.json https://cfg.example.com/c", "curl -o"],
    ["rm -f /etc/openclaw/openclaw.json", "rm (OpenClaw's defaults then apply)"],
  ])("cannot judge %s (%s)", (line) => {
    const setup = host([CONFIG, UNIT(LAUNCH)], [line]);
    expect(setup.unjudged.join("\n")).toMatch(/changes the OpenClaw config .* by a means this plan does not read/);
  });

  it.each([
    "cp /etc/openclaw/openclaw.json /var/backups/openclaw-first-boot.json",
    "cp /etc/openclaw/openclaw.json /etc/openclaw/openclaw.json.bak",
    "chgrp openclaw /etc/openclaw/openclaw.json && chmod 0640 /etc/openclaw/openclaw.json",
    `jq -e '.gateway.bind == "loopback"' /etc/openclaw/openclaw.json`,
    "sed -n 1,5p /etc/openclaw/openclaw.json",
    "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json openclaw config validate",
    "openclaw config set gateway.port 18790",
    "install -m 0644 /tmp/exec-approvals.json /etc/openclaw/",
  ])("leaves reads and modeled writes alone: %s", (line) => {
    expect(host([CONFIG, UNIT(LAUNCH)], [line]).unjudged).toEqual([]);
  });

  it("follows a shipped shell wrapper and per-boot scripts; cannot judge a wrapper it cannot read", () => {
    const wrapper = { path: "/usr/local/bin/gw-start", content: `#!/bin/sh\nexec ${LAUNCH} --bind lan\n` };
    const viaWrapper = host([CONFIG, UNIT("/usr/local/bin/gw-start"), wrapper]);
    expect(viaWrapper.unjudged).toEqual([]);
    expect(bindProblems(viaWrapper).join("\n")).toMatch(/script \/usr\/local\/bin\/gw-start .*--bind lan/);
    const viaBash = host([CONFIG, UNIT("/bin/bash /usr/local/bin/gw-start"), wrapper]);
    expect(bindProblems(viaBash)).toHaveLength(1);
    const perBoot = host([CONFIG, UNIT(LAUNCH), { path: "/var/lib/cloud/scripts/per-boot/10-x", content: "#!/bin/bash\nsed -i s/a/b/ /etc/openclaw/openclaw.json\n" }]);
    expect(perBoot.unjudged.join("\n")).toMatch(/script \/var\/lib\/cloud\/scripts\/per-boot\/10-x .*sed -i/);
    expect(host([CONFIG, UNIT("/opt/openclaw/bin/start")]).unjudged.join("\n")).toMatch(/ExecStart runs \/opt\/openclaw\/bin\/start, which this resource does not deliver/);
    expect(host([CONFIG, UNIT("/usr/bin/python3 /opt/gw.py"), { path: "/opt/gw.py", content: "import os\nos.execv('/usr/bin/openclaw', ['openclaw', 'gateway'])\n" }]).unjudged.join("\n")).toMatch(/\/opt\/gw.py, in a language this plan does not follow/);
    expect(host([CONFIG, UNIT("/usr/bin/node /opt/share.mjs"), { path: "/opt/share.mjs", content: "// shares the workspace\n" }]).unjudged).toEqual([]);
    // A unit that has nothing to do with OpenClaw may run what it likes.
    expect(host([CONFIG, { path: "/etc/systemd/system/x.service", content: "[Service]\nExecStart=/opt/x/run\n" }]).unjudged).toEqual([]);
  });
});

describe("OpenClaw container images", () => {
  const run = (line: string) => openclawSetup("aws:ec2/instance:Instance", { userData: `#cloud-config\n${JSON.stringify({ runcmd: [line] })}` });
  it.each([
    "docker run -d --name openclaw --network host ghcr.io/openclaw/openclaw:2026.9.6 gateway --bind lan",
    "podman run --rm -it -v /etc/openclaw:/home/node/.openclaw:ro 123456789012.dkr.ecr.us-east-1.amazonaws.com/x/openclaw@sha256:" + "a".repeat(64) + " gateway --bind lan",
    "nerdctl container run openclaw gateway --bind=lan",
    "docker run --entrypoint openclaw registry.example.com:5000/tools/agent:1 gateway --bind lan",
  ])("treats the args of %s as openclaw's", (line) => {
    expect(bindProblems(run(line))).toHaveLength(1);
  });

  it("does not take another image, or an entrypoint that is not openclaw, for the gateway", () => {
    expect(run("docker run -d ghcr.io/acme/openclaw-exporter:1 gateway --bind lan").launches).toEqual([]);
    expect(run("docker run --entrypoint /bin/true ghcr.io/openclaw/openclaw:2026.9.6 gateway --bind lan").launches).toEqual([]);
  });

  it("reads ECS, Lightsail, Batch and App Runner definitions of the image", () => {
    const image = "ghcr.io/openclaw/openclaw:2026.9.6";
    const ecs = openclawSetup("aws:ecs/taskDefinition:TaskDefinition", { containerDefinitions: JSON.stringify([{ name: "gw", image, command: ["gateway", "--bind", "lan"] }]) });
    const lightsail = openclawSetup("aws:lightsail/containerServiceDeploymentVersion:ContainerServiceDeploymentVersion", { containers: [{ containerName: "gw", image, commands: ["gateway", "--auth", "none"] }] });
    const batch = openclawSetup("aws:batch/jobDefinition:JobDefinition", { containerProperties: JSON.stringify({ image, command: ["gateway", "--bind", "lan"] }) });
    const appRunner = openclawSetup("aws:apprunner/service:Service", { sourceConfiguration: { imageRepository: { imageIdentifier: image, imageRepositoryType: "ECR_PUBLIC", imageConfiguration: { startCommand: "gateway --bind lan" } } } });
    expect(bindProblems(ecs)).toHaveLength(1);
    expect(authProblems(lightsail).join("\n")).toMatch(/--auth none/);
    expect(bindProblems(batch)).toHaveLength(1);
    expect(bindProblems(appRunner)).toHaveLength(1);
    // Its own entrypoint: the command runs under it, not under openclaw.
    expect(openclawSetup("aws:ecs/taskDefinition:TaskDefinition", { containerDefinitions: JSON.stringify([{ name: "gw", image, entryPoint: ["/bin/sh", "-c"], command: ["sleep 1"] }]) }).launches).toEqual([]);
  });
});

describe("auth and pairing settings not named dangerously*", () => {
  const cfg = (gateway: object) => ({ configs: [{ path: "/c", edits: [], config: { gateway: { auth: { mode: "token" }, ...gateway } } }], launches: [], funnels: [], unjudged: [], approvals: [], sharedNodeHosts: [] });
  it.each([
    [{ controlUi: { allowInsecureAuth: true } }, /allowInsecureAuth is true/],
    [{ controlUi: { allowInsecure: true } }, /allowInsecure is true/],
    [{ nodes: { pairing: { autoApproveCidrs: ["10.0.0.0/8"] } } }, /autoApproveCidrs/],
    [{ nodes: { pairing: { sshVerify: { cidrs: ["::/0"] } } } }, /sshVerify.cidrs covers every address/],
    [{ auth: { mode: "token", trustedProxy: { deviceAutoApprove: { enabled: true } } } }, /deviceAutoApprove/],
    [{ auth: { mode: "token", rateLimit: { exemptLoopback: true } } }, /exemptLoopback is true/],
    [{ allowRealIpFallback: true }, /allowRealIpFallback/],
    [{ trustedProxies: ["127.0.0.1", "0.0.0.0/0"] }, /trustedProxies/],
    [{ auth: { mode: "token", allowTailscale: true } }, /allowTailscale is true: .*without the gateway token/],
    [{ tailscale: { mode: "serve" } }, /tailscale.mode is "serve" and gateway.auth.allowTailscale is not false/],
  ])("refuses %j", (gateway, re) => {
    expect(authProblems(cfg(gateway)).join("\n")).toMatch(re);
  });
  it("judges Tailscale identity auth where OpenClaw turns it on: Serve in a config, an edit or on the command line, and its unset", () => {
    const serveOff = { tailscale: { mode: "serve" }, auth: { mode: "token", allowTailscale: false } };
    expect(authProblems(cfg(serveOff))).toEqual([]);
    const edit = (edits: string[], gateway: object) => ({ configs: [{ path: "/c", edits, partial: true, config: { gateway } }], launches: [], funnels: [], unjudged: [], approvals: [], sharedNodeHosts: [] });
    expect(authProblems(edit(["openclaw config set gateway.tailscale.mode serve"], { tailscale: { mode: "serve" } })).join()).toMatch(/the same edits do not set gateway.auth.allowTailscale to false/);
    expect(authProblems(edit(["openclaw config set gateway.tailscale.mode serve", "openclaw config set gateway.auth.allowTailscale false"], { tailscale: { mode: "serve" }, auth: { allowTailscale: false } }))).toEqual([]);
    // The CLI's own parse of the key: quoted, or the whole auth block or gateway removed, is the same unset.
    const unsetBy = (line: string) => authProblems(openclawSetup("aws:ec2/instance:Instance", { userData: `#!/bin/sh\n${line}\n` })).join();
    for (const line of ["openclaw config unset gateway.auth.allowTailscale", "openclaw config unset 'gateway.auth.allowTailscale'", 'openclaw config unset "gateway.auth"', "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json openclaw config unset gateway",
      // Red team (helper-30): OpenClaw's bracket notation, its trimming and escapes, and the `--` separator.
      `openclaw config unset 'gateway.auth["allowTailscale"]'`, "openclaw config unset 'gateway[auth]'", `openclaw config unset '["gateway"]["auth"]'`,
      "openclaw config unset ' gateway . auth . allowTailscale '", "openclaw config unset 'gateway.auth.allow\\Tailscale'", "openclaw config unset -- gateway.auth.allowTailscale"]) {
      expect(unsetBy(line), line).toMatch(/config unset` removes gateway.auth.allowTailscale/);
    }
    expect(unsetBy("openclaw config unset gateway.auth.rateLimit")).not.toMatch(/config unset` removes gateway.auth.allowTailscale/);
    const launch = (configs: FoundConfig[]) => ({ configs, launches: [{ where: "unit x", flags: { tailscale: "serve" } as Record<string, string | true> }], funnels: [], unjudged: [], approvals: [], sharedNodeHosts: [] });
    const off = { path: "/c", edits: [], config: { gateway: { auth: { mode: "token", allowTailscale: false } } } };
    expect(authProblems(launch([])).join("\n")).toMatch(/--tailscale serve with no config that sets gateway.auth.allowTailscale to false/);
    expect(authProblems(launch([off]))).toEqual([]);
    // A decoy that turns it off beside the config the gateway reads proves nothing.
    expect(authProblems(launch([off, { path: "/d", edits: [], config: { gateway: { auth: { mode: "token" } } } }])).join()).toMatch(/--tailscale serve/);
  });
  it("accepts the kit's settings", () => {
    expect(authProblems(cfg({ controlUi: { enabled: true }, trustedProxies: ["127.0.0.1"], nodes: { pairing: { autoApproveLocal: false, sshVerify: false } }, auth: { mode: "token", rateLimit: { exemptLoopback: false }, allowTailscale: false } }))).toEqual([]);
  });
});

describe("exec safe bins (stacks/execAllowlist.ts predicates)", () => {
  const level2 = (exec: object, agents?: object) => ({
    session: { reset: { mode: "daily", atHour: 4, idleMinutes: 30 } },
    logging: { audit: { enabled: true } },
    tools: { allow: ["exec", "process"], deny: ["gateway", "openclaw", "plugins"], fs: { workspaceOnly: true }, elevated: { enabled: false }, exec: { mode: "allowlist", host: "node", ...exec } },
    ...(agents ? { agents } : {}),
  });
  it("refuses shells, interpreters and dispatchers as safe bins, untrusted safe-bin dirs and strictInlineEval off", () => {
    const v = openclawEnvelopeViolations(2, level2({ safeBins: ["/bin/bash", "python3.12", "/usr/bin/env", "cut"], safeBinTrustedDirs: ["/tmp"], strictInlineEval: false })).join("\n");
    for (const re of [/safeBins names \/bin\/bash, a shell/, /safeBins names python3.12, an interpreter/, /safeBins names \/usr\/bin\/env, a dispatcher/, /safeBinTrustedDirs names \/tmp/, /strictInlineEval is false/]) expect(v).toMatch(re);
    expect(v).not.toMatch(/names cut/);
    expect(openclawEnvelopeViolations(2, level2({}, { entries: { ops: { tools: { exec: { safeBins: ["zsh"] } } } } })).join("\n")).toMatch(/agents.entries.ops.tools: exec.safeBins names zsh/);
  });
  it("accepts stream filters from root-owned dirs with strictInlineEval on", () => {
    expect(openclawEnvelopeViolations(2, level2({ safeBins: ["cut", "/usr/bin/jq", "rg"], safeBinTrustedDirs: ["/usr/bin", "/bin/"], strictInlineEval: true }))).toEqual([]);
  });
});
