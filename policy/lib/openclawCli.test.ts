import { describe, expect, it } from "vitest";
import { openclawSetup } from "./openclaw";
import { configKeyPath, expandedCommands, openclawRuns, passThroughFunctions, spellsOpenclawRun, unfollowedOpenclaw } from "./openclawCli";
import { shellWords } from "./shellScript";

const K = "gateway.auth.allowTailscale";
/** What a user-data script's one line does to allowTailscale: "unset", "cannot judge", or "nothing". */
function verdict(line: string): "unset" | "cannot judge" | "nothing" {
  const setup = openclawSetup("aws:ec2/instance:Instance", { userData: `#!/bin/bash\n${line}\n` });
  if (setup.unjudged.length > 0) return "cannot judge";
  return setup.configs.some((c) => (c.unsets ?? []).some((u) => K.startsWith(u))) ? "unset" : "nothing";
}

describe("shellWords: words as the shell splits them before expansion", () => {
  it("splits control operators written against a word, reads $'...' and backslashes, keeps substitutions whole", () => {
    expect(shellWords(`echo hi;openclaw config unset ${K};`)).toEqual(["echo", "hi", ";", "openclaw", "config", "unset", K, ";"]);
    expect(shellWords(`(openclaw x)&&{ y; }`)).toEqual(["(", "openclaw", "x", ")", "&&", "{", "y", ";", "}"]);
    expect(shellWords(`openclaw config unset $'gateway.auth.allow\\x54ailscal\\145'`)).toEqual(["openclaw", "config", "unset", K]);
    expect(shellWords(`openclaw config unset gateway.auth.allow"Tail"scal\\e`)).toEqual(["openclaw", "config", "unset", K]);
    expect(shellWords(`X=$(openclaw a "b c") y \`z w\` <(cat f)`)).toEqual([`X=$(openclaw a "b c")`, "y", "`z w`", "<(cat f)"]);
    // Redirections are not operators: 2>&1 and &>file stay words.
    expect(shellWords(`cmd 2>&1 &>/tmp/x &`)).toEqual(["cmd", "2>&1", "&>/tmp/x", "&"]);
  });
});

describe("openclawRuns: every run of OpenClaw's CLI in a line", () => {
  it("finds runs after any operator, in compound commands, -c strings, eval and substitutions", () => {
    const keys = (line: string) => openclawRuns(line).map((r) => r.args.join(" "));
    expect(keys(`echo hi; openclaw config get a && openclaw config unset ${K}`)).toEqual(["config get a", `config unset ${K}`]);
    expect(keys(`if true; then openclaw config unset ${K}; fi`)).toEqual([`config unset ${K}`]);
    expect(keys(`bash -c 'openclaw config unset ${K}'`)).toEqual([`config unset ${K}`]);
    expect(keys(`su - ubuntu -c "openclaw config unset ${K}"`)).toEqual([`config unset ${K}`]);
    expect(keys(`eval "openclaw config unset ${K}"`)).toEqual([`config unset ${K}`]);
    expect(keys(`X=$(openclaw config unset ${K}); echo \`openclaw config get y\``)).toEqual([`config unset ${K}`, "config get y"]);
    expect(keys(`sudo -iu ubuntu openclaw config unset ${K}`)).toEqual([`config unset ${K}`]);
    expect(keys(`docker run --entrypoint sh ghcr.io/acme/tools:1 -c "openclaw config unset ${K}"`)).toEqual([`config unset ${K}`]);
  });

  it("reads OpenClaw 2026.9.6's root options (--dev and --no-color take no value) and '--'", () => {
    expect(openclawRuns(`openclaw --dev config unset ${K}`)[0].args).toEqual(["config", "unset", K]);
    expect(openclawRuns(`openclaw --no-color --profile p config unset -- ${K}`)[0]).toMatchObject({ args: ["config", "unset", K], flags: { "no-color": true, profile: "p" } });
    // A config edit's boolean option never swallows the key.
    expect(openclawRuns(`openclaw config unset --dry-run ${K}`)[0]).toMatchObject({ args: ["config", "unset", K], flags: { "dry-run": true } });
  });

  it("marks what it cannot read: an unknown option of a config edit; and what OpenClaw refuses: a boolean given a value", () => {
    expect(openclawRuns(`openclaw config unset --force ${K}`)[0].problem).toMatch(/--force is not one/);
    expect(openclawRuns(`openclaw config unset -f ${K}`)[0].problem).toMatch(/-f is not one/);
    expect(openclawRuns(`openclaw config unset ${K} --dry-run=false`)[0].fails).toMatch(/does not recognize/);
    expect(openclawRuns(`openclaw config unset ${K} --dry-run`)[0].fails).toBeUndefined();
  });

  it("cannot read a run whose subcommand, or any word of a writing run, the shell computes; a credential from a variable is fine", () => {
    expect(openclawRuns(`openclaw $FLAGS config set gateway.bind lan`)[0].problem).toMatch(/subcommand comes from the shell/);
    expect(openclawRuns(`openclaw config \${ACTION:-set} gateway.bind lan`)[0].problem).toMatch(/comes from the shell/);
    expect(openclawRuns(`openclaw approvals set --file "$F"`)[0].problem).toMatch(/comes from the shell/);
    expect(openclawRuns(`openclaw config set gateway.auth.token "$TOKEN"`)[0].problem).toBeUndefined();
    expect(openclawRuns(`openclaw gateway --port 18789 --token "$TOKEN"`)[0].problem).toBeUndefined();
    expect(openclawRuns(`openclaw devices approve "$ID"`)[0].problem).toBeUndefined();
  });

  it("reads redirections anywhere, and a service installed through a wrapper is not read", () => {
    expect(openclawRuns(`openclaw >& 2 config set gateway.bind lan`)[0].args).toEqual(["config", "set", "gateway.bind", "lan"]);
    expect(openclawRuns(`openclaw <<< "" 2>& 1 config unset ${K}`)[0].args).toEqual(["config", "unset", K]);
    expect(openclawRuns(`openclaw daemon install --force --wrapper /usr/local/bin/w`)[0].problem).toMatch(/--wrapper/);
    expect(openclawRuns(`docker run -d --disable-content-trust ghcr.io/openclaw/openclaw:2026.9.6 gateway --bind lan`)[0].args).toEqual(["gateway"]);
  });

  it("opens nested command strings for the other readers too", () => {
    expect(expandedCommands(`su -c "sed -i s/a/b/ /etc/openclaw/openclaw.json" root`)).toEqual([["sed", "-i", "s/a/b/", "/etc/openclaw/openclaw.json"]]);
  });
});

describe("spellsOpenclawRun and unfollowedOpenclaw: OpenClaw where the reader cannot follow it", () => {
  it("spells a writing run however it is quoted or listed, and not paths, unit names or config files", () => {
    expect(spellsOpenclawRun(`echo '@reboot root openclaw config unset ${K}' > /etc/cron.d/x`)).toBe(true);
    expect(spellsOpenclawRun(`["/usr/bin/openclaw", "--profile", "p", "config", "unset"]`)).toBe(true);
    expect(spellsOpenclawRun(`npx -y openclaw@2026.9.6 gateway --bind lan`)).toBe(true);
    expect(spellsOpenclawRun(`systemctl restart openclaw-gateway.service; cat /var/lib/openclaw/config; ls /etc/openclaw/openclaw.json`)).toBe(false);
  });

  it("needs every word naming openclaw to be a placed run or an argument of a program that does not run it", () => {
    const why = (line: string) => unfollowedOpenclaw(line);
    for (const line of [
      `echo 'openclaw config unset ${K}' | sh`,
      `echo ${K} | xargs openclaw config unset`,
      `open''claw config get x; flock /run/l openclaw config set gateway.bind lan`,
      `ln -sf /usr/bin/openclaw /usr/local/sbin/ocl`,
      `alias oc=openclaw`,
      `find /opt/openclaw/node_modules/openclaw -name openclaw.mjs -exec node {} config set gateway.bind lan \;`,
      `"$(command -v openclaw)" config set gateway.bind lan`,
      `/usr/bin/opencla[w] config set gateway.bind lan`,
      `eval "$(echo b3Blbg== | base64 -d)"`,
    ]) expect([line, why(line)]).toEqual([line, expect.any(String)]);
    for (const line of [
      `openclaw config unset ${K}; echo done`,
      `bash -c "openclaw config unset ${K}"`,
      `install -d -o openclaw -g openclaw -m 0750 /var/lib/openclaw`,
      `useradd --system --shell /usr/sbin/nologin openclaw`,
      `npm install -g openclaw@2026.9.6`,
      `ln -sf /opt/openclaw/node_modules/.bin/openclaw /usr/local/bin/openclaw`,
      `logger -t clawkeep 'openclaw gateway: config set done, bind stays loopback'`,
    ]) expect([line, why(line)]).toEqual([line, undefined]);
    // A program from a variable may be OpenClaw when it names it, or with OpenClaw's subcommands or a computed operand.
    expect(why(`$HOME/bin/report status`)).toBeUndefined();
    expect(why(`"$ts" up --hostname=x`)).toBeUndefined();
    expect(why(`[[ $x == y ]] && echo ok`)).toBeUndefined();
    expect(why(`$TOOL approvals set --file x`)).toMatch(/program the shell names/);
    expect(why(`$X $Y set gateway.bind lan`)).toMatch(/program the shell names/);
    expect(why(`\${OPENCLAW_BIN:-openclaw} --version`)).toMatch(/program the shell names/);
    // An interpreter running a trusted wrapper (the kit's secrets gate) with openclaw's entry as its argument.
    expect(why(`node /g.mjs /opt/openclaw/node_modules/openclaw/openclaw.mjs`)).toMatch(/argument of node/);
    expect(unfollowedOpenclaw(`node /g.mjs /opt/openclaw/node_modules/openclaw/openclaw.mjs`, (s) => s === "/g.mjs")).toBeUndefined();
  });
});

describe("a config edit as the pack judges it (user data lines)", () => {
  it("reads the unset in every form the red team wrote that the reader can place", () => {
    for (const line of [
      `echo hi; openclaw config unset ${K}`,
      `openclaw config unset ${K}; echo ok`,
      `{ openclaw config unset ${K}; }`,
      `if true; then openclaw config unset ${K}; fi`,
      `X=$(openclaw config unset ${K})`,
      "echo `openclaw config unset " + K + "`",
      `bash -c 'openclaw config unset ${K}'`,
      `su - ubuntu -c "openclaw config unset ${K}"`,
      `sudo -iu ubuntu openclaw config unset gateway.auth`,
      `eval "openclaw config unset ${K}"`,
      `openclaw config unset $'gateway.auth.allowTailscale'`,
      `openclaw config unset gateway.auth.allowTailscal\\e`,
      `openclaw --no-color config unset ${K}`,
      `bash <<'S'\nopenclaw config unset ${K}\nS`,
      `cat <<'S' | sh\nopenclaw config unset ${K}\nS`,
      `echo '@reboot root openclaw config unset ${K}' > /etc/cron.d/oc`,
      `echo '*/5 * * * * openclaw config unset ${K}' > /var/spool/cron/crontabs/root`,
    ]) expect([line, verdict(line)]).toEqual([line, "unset"]);
    // --dev (and --profile) edit another state directory's config: which one the gateway reads is not known here.
    expect(verdict(`openclaw --dev config unset ${K}`)).toBe("cannot judge");
  });

  it("cannot judge a run it cannot place or a key it cannot know", () => {
    for (const line of [
      `K=${K}; openclaw config unset "$K"`,
      `for k in ${K}; do openclaw config unset "$k"; done`,
      `echo ${K} | xargs openclaw config unset`,
      `echo 'openclaw config unset ${K}' | sh`,
      `ssh localhost <<'S'\nopenclaw config unset ${K}\nS`,
      `openclaw config unset --force ${K}`,
      `openclaw config set gateway.bind "$BIND"`,
    ]) expect([line, verdict(line)]).toEqual([line, "cannot judge"]);
  });

  it("lets through what writes nothing, and a credential read from a variable", () => {
    for (const line of [
      `openclaw config unset ${K} --dry-run`,
      `openclaw config unset --dry-run ${K}`,
      `openclaw config unset ${K} --dry-run=false`,
      `openclaw config get ${K}`,
      `openclaw config unset gateway.auth.rateLimit`,
      `echo "starting the gateway"; systemctl restart openclaw-gateway.service`,
    ]) expect([line, verdict(line)]).toEqual([line, "nothing"]);
    expect(openclawSetup("aws:ec2/instance:Instance", { userData: `#!/bin/bash\nopenclaw config set gateway.auth.token "$TOKEN"\n` }).unjudged).toEqual([]);
  });
});

describe("red team round 5 (rt-pack4): OpenClaw by other names and other places", () => {
  const setupOf = (userData: string) => openclawSetup("aws:ec2/instance:Instance", { userData });
  const bindOf = (userData: string) => setupOf(userData).configs.map((c) => (c.config?.gateway as { bind?: string } | undefined)?.bind);

  it("reads a pass-through function at its calls, and cannot read one whose call is computed", () => {
    const { functions, bodies } = passThroughFunctions(["oc() {", `HOME=/x /opt/node /opt/openclaw/node_modules/openclaw/openclaw.mjs "$@"`, "}", "oc config set gateway.bind lan"]);
    expect([...functions.keys()]).toEqual(["oc"]);
    expect([...bodies]).toEqual([0, 1, 2]);
    expect(bindOf(`#!/bin/bash\noc() { openclaw "$@"; }\noc config set gateway.bind lan\n`)).toContain("lan");
    expect(setupOf(`#!/bin/bash\noc() { openclaw "$@"; }\noc config $VERB gateway.bind lan\n`).unjudged.join()).toMatch(/comes from the shell/);
  });

  it("takes OpenClaw's own operands after any other program for OpenClaw under another name", () => {
    for (const line of [
      `/usr/local/sbin/ocl config set gateway.bind lan`,
      `clawctl approvals set --file /etc/openclaw/approvals.json`,
      `node dist/entry.js config set gateway.bind lan`,
      `gw-wrap gateway --port 18789 --bind lan`,
    ]) expect([line, unfollowedOpenclaw(line)]).toEqual([line, expect.stringMatching(/OpenClaw under another name/)]);
    expect(unfollowedOpenclaw(`npm config set proxy http://proxy:3128`)).toBeUndefined();
    expect(unfollowedOpenclaw(`git config set user.name ci`)).toBeUndefined();
  });

  it("reads ExecCondition and the @ form of a unit's Exec lines", () => {
    const unit = (exec: string) => `#cloud-config\nwrite_files:\n  - path: /etc/systemd/system/openclaw-gateway.service.d/10.conf\n    content: |\n      [Service]\n      ${exec}\n`;
    expect(bindOf(unit("ExecCondition=/usr/bin/openclaw config set gateway.bind lan"))).toContain("lan");
    expect(setupOf(unit("ExecStart=@/usr/bin/openclaw openclaw-gateway gateway --port 18789 --bind lan")).launches.map((l) => l.flags.bind)).toEqual(["lan"]);
    expect(setupOf(unit("ExecStart=/usr/bin/openclaw $GATEWAY_ARGS")).unjudged.join()).toMatch(/comes from the shell/);
  });

  it("cannot judge a gateway RPC that may change state, and reads the ones that only read", () => {
    expect(setupOf(`#!/bin/bash\nopenclaw gateway call config.patch --params '{"gateway":{"bind":"lan"}}'\n`).unjudged.join()).toMatch(/change its own state by RPC/);
    expect(setupOf(`#!/bin/bash\nopenclaw gateway call config.get --json\n`).unjudged).toEqual([]);
  });

  it("finds the run after a heredoc whose delimiter is quoted in parts, and after an escaped '#'", () => {
    expect(bindOf(`#!/bin/bash\ncat > /tmp/n.txt <<E'OF'\nx\nE\nEOF\nopenclaw config set gateway.bind lan\n`)).toContain("lan");
    expect(bindOf(`#!/bin/bash\necho step\\ #1; openclaw config set gateway.bind lan\n`)).toContain("lan");
    expect(bindOf(`#!/bin/bash\n: \${NOTE:- #}; openclaw config set gateway.bind lan\n`)).toContain("lan");
  });

  it("judges a sed -i of a shipped approvals file, and a wrapper-installed service", () => {
    const approvals = `#cloud-config\nwrite_files:\n  - path: /etc/openclaw/approvals.json\n    content: '{"version":1,"defaults":{"security":"allowlist"}}'\nruncmd:\n  - sed -i 's/allowlist/full/' /etc/openclaw/approvals.json\n  - openclaw approvals set --file /etc/openclaw/approvals.json\n`;
    expect(setupOf(approvals).unjudged.join()).toMatch(/sed -i/);
    expect(setupOf(`#!/bin/bash\nopenclaw daemon install --force --wrapper /usr/local/bin/w\n`).unjudged.join()).toMatch(/--wrapper/);
  });
});

describe("red team round 6 (rt-pack5): strings, stdin, line structure and other runners", () => {
  const judged = (userData: string) => {
    const setup = openclawSetup("aws:ec2/instance:Instance", { userData });
    const bind = setup.configs.some((c) => (c.config?.gateway as { bind?: string } | undefined)?.bind === "lan");
    return setup.unjudged.length > 0 ? "cannot judge" : bind ? "bind lan" : "nothing";
  };
  const script = (body: string) => `#!/bin/bash\n${body}\n`;
  const cloud = (yaml: string) => `#cloud-config\n${yaml}`;
  const SET = "openclaw config set gateway.bind lan";

  it("opens -c strings after -- or options, env -S, flock -c, trap, coproc, and $( ) inside arithmetic", () => {
    for (const line of [`sh -c -- '${SET}'`, `bash -c -x '${SET}'`, `bash -o pipefail -c '${SET}'`, `env -S '${SET}'`, `flock /run/l -c '${SET}'`, `trap '${SET}' EXIT`, `coproc ${SET}`, `: $(( $(${SET}; echo 0) ))`]) {
      expect([line, judged(script(line))]).toEqual([line, "bind lan"]);
    }
  });

  it("cannot judge a shell fed from a pipe, a file, a here-string or a process substitution, deep nesting, a whole command in a variable, brace expansion", () => {
    for (const line of [`printf '\\157penclaw config set gateway.bind lan' | sh`, `bash <<< '${SET}'`, `sh < <(echo '${SET}')`, `sh -s < /opt/x.txt`, `eval eval eval eval eval eval eval eval eval eval ${SET}`, `CMD='${SET}'; $CMD`, `{openclaw,config} set gateway.bind lan`]) {
      expect([line, judged(script(line))]).toEqual([line, "cannot judge"]);
    }
  });

  it("reads line structure as the shell does: a comment's backslash, an escaped one, quoted <<, a heredoc's 2>> log, its body's $( )", () => {
    expect(judged(script(`# note \\\n${SET}`))).toBe("bind lan");
    expect(judged(script(`echo C:\\\\\n${SET}`))).toBe("bind lan");
    expect(judged(script(`echo 'mask: <<true' > /tmp/n.txt\n${SET}`))).toBe("bind lan");
    expect(judged(script(`sh <<'EOF' 2>>/var/log/x.log\n${SET}\nEOF`))).toBe("bind lan");
    expect(judged(script(`cat > /etc/motd <<EOF\n$(${SET})\nEOF`))).toBe("bind lan");
    expect(judged(script(`cat > /etc/motd <<'EOF'\n$(${SET})\nEOF`))).toBe("nothing");
  });

  it("reads the other places a host runs commands: cron % and BASH_ENV, udev RUN, apt hooks, cloud-init modules, unit specifiers and escapes", () => {
    const file = (path: string, content: string) => cloud(`write_files:\n  - path: ${path}\n    content: ${JSON.stringify(content)}\n`);
    expect(judged(file("/etc/cron.d/t", `@reboot root /bin/sh -s%${SET}\n`))).toBe("bind lan");
    expect(judged(file("/etc/udev/rules.d/99-t.rules", `ACTION=="add", RUN+="/bin/sh -c '${SET}'"\n`))).toBe("bind lan");
    expect(judged(file("/etc/apt/apt.conf.d/99t", `DPkg::Post-Invoke {"${SET} || true";};\n`))).toBe("bind lan");
    expect(judged(cloud(`seed_random:\n  command: [sh, -c, "${SET}"]\n`))).toBe("bind lan");
    expect(judged(cloud(`power_state:\n  mode: reboot\n  condition: "${SET}; false"\n`))).toBe("bind lan");
    expect(judged(file("/etc/systemd/system/bind.service", `[Service]\nExecStart=/usr/bin/openclaw config set gateway.%N lan\n`))).toBe("cannot judge");
    expect(judged(file("/etc/systemd/system/t.service", `[Service]\nExecStart=/usr/bin/openclaw config set gateway.bin\\x64 lan\n`))).toBe("bind lan");
    expect(openclawSetup("aws:ec2/instance:Instance", { userData: cloud(`ansible:\n  install_method: pip\n`) }).configs).toEqual([]);
  });
});

describe("configKeyPath: a config path as OpenClaw 2026.9.6 reads it", () => {
  it.each([
    ["gateway.auth.allowTailscale", "gateway.auth.allowTailscale"],
    [`gateway.auth["allowTailscale"]`, "gateway.auth.allowTailscale"],
    ["gateway.auth['allowTailscale']", "gateway.auth.allowTailscale"],
    ["gateway[auth]", "gateway.auth"],
    [" gateway . auth ", "gateway.auth"],
    ["gateway.auth.allow\\Tailscale", "gateway.auth.allowTailscale"],
    ["agents.list[0].tools", "agents.list.0.tools"],
  ])("%s is %s", (raw, want) => {
    expect(configKeyPath(raw)).toBe(want);
  });
});

describe("red team round 7 (rt6, helper-33): where the agent's commands run, and edits that may not land", () => {
  const setupOf = (userData: string) => openclawSetup("aws:ec2/instance:Instance", { userData });
  const cloudConfig = (config: unknown, runcmd: string[], extra = "") =>
    `#cloud-config\n${extra}write_files:\n  - path: /etc/openclaw/openclaw.json\n    content: '${JSON.stringify(config)}'\nruncmd:\n${runcmd.map((c) => `  - ${JSON.stringify(c)}`).join("\n")}\n`;
  const hostOf = (s: ReturnType<typeof setupOf>) => s.configs.map((c) => [c.path, (c.config?.tools as { exec?: { host?: string } } | undefined)?.exec?.host]);

  it("judges a config as delivered too when a run edits it: the edit may fail, run first or land elsewhere", () => {
    const s = setupOf(cloudConfig({ tools: { exec: { host: "gateway" } } }, ["OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json openclaw config set tools.exec.host node"]));
    expect(hostOf(s)).toEqual([
      ["/etc/openclaw/openclaw.json", "node"],
      ["/etc/openclaw/openclaw.json as delivered (its edits may fail, run first or land elsewhere)", "gateway"],
    ]);
    // No edit: one config, as delivered.
    expect(hostOf(setupOf(cloudConfig({ tools: { exec: { host: "node" } } }, [])))).toEqual([["/etc/openclaw/openclaw.json", "node"]]);
  });

  it("cannot judge an edit of what the agent may do in a config the resource does not deliver; judges its logging keys", () => {
    expect(setupOf("#!/bin/bash\nopenclaw exec-policy preset cautious\n").unjudged.join()).toMatch(/changes tools\.exec\.host in \(a config this resource does not deliver\)/);
    expect(setupOf("#!/bin/bash\nopenclaw config unset agents.entries.main.tools\n").unjudged.join()).toMatch(/changes agents\.entries\.main\.tools in/);
    expect(setupOf("#!/bin/bash\nopenclaw config set logging.level info\n").unjudged).toEqual([]);
  });

  it("reads the config path as OpenClaw does: normalized, and cannot judge one the host resolves (~, relative)", () => {
    const dotted = setupOf(cloudConfig({ tools: { exec: { host: "node" } } }, ["OPENCLAW_CONFIG_PATH=/etc/openclaw/./openclaw.json openclaw config set tools.exec.host gateway"]));
    expect(hostOf(dotted)[0]).toEqual(["/etc/openclaw/openclaw.json", "gateway"]);
    expect(setupOf("#!/bin/bash\nOPENCLAW_CONFIG_PATH=~/gw.json openclaw config set tools.exec.host gateway\n").unjudged.join()).toMatch(/writes the config at ~\/gw\.json, a path OpenClaw resolves on the host/);
  });

  it("finds configs by the legacy name and with comments ended by \\r, U+2028 or U+2029", () => {
    for (const eol of ["\r", "\u2028", "\u2029"]) {
      const text = `// gateway${eol}{"tools":{"exec":{"host":"gateway"}}}`;
      const s = setupOf(`#cloud-config\nwrite_files:\n  - path: /var/lib/openclaw/gw.conf\n    content: ${JSON.stringify(text)}\n`);
      expect(hostOf(s), JSON.stringify(eol)).toEqual([["/var/lib/openclaw/gw.conf", "gateway"]]);
    }
    // Found by its name even when it does not parse (openclaw-config-readable then refuses it).
    expect(setupOf(`#cloud-config\nwrite_files:\n  - path: /var/lib/openclaw/clawdbot.json\n    content: 'x'\n`).configs.map((c) => [c.path, c.error !== undefined])).toEqual([["/var/lib/openclaw/clawdbot.json", true]]);
  });

  it("cannot judge which config a start reads when the host names one it does not deliver, a profile, or a config's env redirect (rt7, helper-34)", () => {
    const unit = (env: string) => `[Service]\nEnvironment=${env}\nExecStart=/usr/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs gateway --port 18789\n`;
    const withUnit = (config: unknown, env: string, more = "") =>
      setupOf(`#cloud-config\nwrite_files:\n  - path: /etc/openclaw/openclaw.json\n    content: '${JSON.stringify(config)}'\n  - path: /etc/systemd/system/openclaw-gateway.service\n    content: ${JSON.stringify(unit(env))}\n${more}`).unjudged.join("\n");
    const node = { tools: { exec: { host: "node" } } };
    expect(withUnit(node, "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json OPENCLAW_STATE_DIR=/var/lib/openclaw")).toBe("");
    expect(withUnit(node, "OPENCLAW_CONFIG_PATH=/opt/image/openclaw.json")).toMatch(/names \/opt\/image\/openclaw\.json as OpenClaw's config, which this resource does not deliver/);
    expect(withUnit(node, "OPENCLAW_STATE_DIR=/var/lib/openclaw")).toMatch(/names \/var\/lib\/openclaw\/openclaw\.json as OpenClaw's config/);
    const dropIn = `  - path: /etc/systemd/system/openclaw-gateway.service.d/10.conf\n    content: "[Service]\\nEnvironment=OPENCLAW_CONFIG_PATH=/srv/baked.json\\n"\n`;
    expect(withUnit(node, "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json", dropIn)).toMatch(/names \/srv\/baked\.json/);
    expect(withUnit(node, "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json OPENCLAW_PROFILE=rt")).toMatch(/OPENCLAW_PROFILE=rt moves OpenClaw to another state directory/);
    expect(withUnit({ ...node, env: { vars: { OPENCLAW_CONFIG_PATH: "/srv/live.json" } } }, "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json")).toMatch(/env section sets OPENCLAW_CONFIG_PATH, which sends the gateway to another config/);
    expect(withUnit({ ...node, env: { openclaw_state_dir: "/srv" } }, "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json")).toMatch(/env section sets openclaw_state_dir/);
    expect(withUnit({ ...node, env: { vars: { TZ: "UTC" } } }, "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json")).toBe("");
    expect(setupOf(`#!/bin/bash\nopenclaw --profile rt gateway --port 18789\n`).unjudged.join()).toMatch(/--dev or --profile starts the gateway on another state directory's config/);
  });

  it("refuses a node host that runs as root or as the gateway's own user (a drop-in's User= wins)", () => {
    const unitFile = (p: string, body: string) => `  - path: ${p}\n    content: ${JSON.stringify(body)}\n`;
    const node = (user: string) => `[Service]\n${user}ExecStart=/usr/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs node run --host 127.0.0.1 --port 18789\n`;
    const gateway = "[Service]\nUser=openclaw\nExecStart=/usr/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs gateway --port 18789\n";
    const shared = (nodeUser: string, more = "") =>
      setupOf(`#cloud-config\nwrite_files:\n${unitFile("/etc/systemd/system/gw.service", gateway)}${unitFile("/etc/systemd/system/node.service", node(nodeUser))}${more}`).sharedNodeHosts.join("\n");
    expect(shared("User=openclaw-agent\n")).toBe("");
    expect(shared("User=openclaw\n")).toMatch(/the node host runs as openclaw, the gateway's own user/);
    expect(shared("")).toMatch(/the node host runs as root:/);
    expect(shared("User=openclaw-agent\n", unitFile("/etc/systemd/system/node.service.d/zz.conf", "[Service]\nUser=openclaw\n"))).toMatch(/runs as openclaw, the gateway's own user/);
  });

  it("cannot judge a doctor run that repairs (config and state migrations); a read-only doctor passes", () => {
    for (const flag of ["--fix", "--repair", "--yes", "--non-interactive", "--force", "--generate-gateway-token"]) {
      expect(setupOf(`#!/bin/bash\nopenclaw doctor ${flag}\n`).unjudged.join(), flag).toMatch(/`openclaw doctor` with --.* rewrites the config and the state/);
    }
    expect(setupOf("#!/bin/bash\nopenclaw doctor --json\n").unjudged).toEqual([]);
  });

  it("judges a file shaped like a config that another config $includes as a part, not as a config of its own", () => {
    const files = `#cloud-config\nwrite_files:\n  - path: /etc/openclaw/openclaw.json\n    content: '{"$include":"./tools.json5","gateway":{"mode":"local"}}'\n  - path: /etc/openclaw/tools.json5\n    content: '{"tools":{"exec":{"host":"node"}}}'\n`;
    expect(setupOf(files).configs.map((c) => c.path)).toEqual(["/etc/openclaw/openclaw.json"]);
    expect(hostOf(setupOf(files))).toEqual([["/etc/openclaw/openclaw.json", "node"]]);
  });

  it("cannot judge a gateway started with no config delivered; a client subcommand is not a start", () => {
    expect(setupOf("#!/bin/bash\nopenclaw gateway --port 18789\n").unjudged.join()).toMatch(/starts the gateway, but this resource delivers no OpenClaw config/);
    expect(setupOf("#!/bin/bash\nopenclaw gateway run --port 18789\n").unjudged.join()).toMatch(/delivers no OpenClaw config/);
    expect(setupOf("#!/bin/bash\nopenclaw gateway call health --json\n").unjudged).toEqual([]);
    expect(setupOf(cloudConfig({ tools: { exec: { host: "node" } } }, ["openclaw gateway --port 18789"])).unjudged).toEqual([]);
  });
});
