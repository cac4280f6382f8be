import { describe, expect, it } from "vitest";
import { openclawSetup } from "./openclaw";
import { configKeyPath, expandedCommands, openclawRuns, runsInText, unplacedRuns } from "./openclawCli";
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

  it("opens nested command strings for the other readers too", () => {
    expect(expandedCommands(`su -c "sed -i s/a/b/ /etc/openclaw/openclaw.json" root`)).toEqual([["sed", "-i", "s/a/b/", "/etc/openclaw/openclaw.json"]]);
  });
});

describe("runsInText and unplacedRuns: a spelled-out run the reader did not place", () => {
  it("counts writing runs however they are quoted or listed, and not paths, unit names or config files", () => {
    expect(runsInText(`echo '@reboot root openclaw config unset ${K}' > /etc/cron.d/x`)).toBe(1);
    expect(runsInText(`["/usr/bin/openclaw", "--profile", "p", "config", "unset"]`)).toBe(1);
    expect(runsInText(`npx -y openclaw@2026.9.6 gateway --bind lan`)).toBe(1);
    expect(runsInText(`systemctl restart openclaw-gateway.service; cat /var/lib/openclaw/config; ls /etc/openclaw/openclaw.json`)).toBe(0);
  });

  it("flags a line with more spelled runs than placed ones (a pipe into a shell, xargs, a cron line), not a plain run", () => {
    expect(unplacedRuns(`echo 'openclaw config unset ${K}' | sh`)).toBe(true);
    expect(unplacedRuns(`echo ${K} | xargs openclaw config unset`)).toBe(true);
    expect(unplacedRuns(`openclaw config unset ${K}; echo done`)).toBe(false);
    expect(unplacedRuns(`bash -c "openclaw config unset ${K}"`)).toBe(false);
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
      `openclaw --dev config unset ${K}`,
      `openclaw --no-color config unset ${K}`,
      `bash <<'S'\nopenclaw config unset ${K}\nS`,
      `cat <<'S' | sh\nopenclaw config unset ${K}\nS`,
    ]) expect([line, verdict(line)]).toEqual([line, "unset"]);
  });

  it("cannot judge a run it cannot place or a key it cannot know", () => {
    for (const line of [
      `K=${K}; openclaw config unset "$K"`,
      `for k in ${K}; do openclaw config unset "$k"; done`,
      `echo ${K} | xargs openclaw config unset`,
      `echo 'openclaw config unset ${K}' | sh`,
      `echo '@reboot root openclaw config unset ${K}' > /etc/cron.d/oc`,
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
