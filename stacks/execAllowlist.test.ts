// The exec allowlist schema (issue 17, item 1): what a level 2 or 3 stack may let the agent run.
import { describe, expect, it, vi } from "vitest";
import { main } from "../plan/cli";
import { AGENT_GIT, EXEC_PRESETS, JQ_WORKSPACE_FILTER, PINNED_ESCAPES, execAllowlistProblems } from "./execAllowlist";
import { ConfigError, loadStackFile, parseStackConfig, type ConfigIssue } from "./index";

const promotion = { reviewer: "A. Reviewer", date: "2026-11-01", tested: "ran level 1 for 30 days in staging" };

function issuesOf(execAllowlist: unknown[], trustLevel = 2): ConfigIssue[] {
  try {
    parseStackConfig({ trustLevel, promotion, execAllowlist, alarmEmail: "oncall@corp.test" });
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

describe("execAllowlist", () => {
  it("the shipped level 2 and 3 stacks pass, with git only through the kit's wrapper and jq pinned", () => {
    for (const stack of ["level2", "level3"]) {
      const entries = loadStackFile(stack).execAllowlist;
      expect(entries).toEqual([EXEC_PRESETS.git, EXEC_PRESETS.jq]);
      expect(entries.every((e) => e.argPattern?.startsWith("^") && e.argPattern.endsWith("$"))).toBe(true);
      expect(entries.map((e) => e.path)).not.toContain("/usr/bin/git");
      expect(entries.map((e) => e.path)).not.toContain("/usr/bin/make");
    }
  });

  it.each<[string, unknown[], string, RegExp]>([
    ["a shell (the issue's example)", ["/bin/bash", "/usr/bin/python3"], "execAllowlist.0.path", /a shell; no argPattern makes it safe/],
    ["an interpreter", ["/usr/bin/python3"], "execAllowlist.0.path", /an interpreter/],
    ["a versioned interpreter", ["/usr/bin/python3.11"], "execAllowlist.0.path", /an interpreter/],
    ["make", ["/usr/bin/make"], "execAllowlist.0.path", /a build runner/],
    ["git itself", ["/usr/bin/git"], "execAllowlist.0.path", new RegExp(`use the kit's wrapper ${AGENT_GIT}`)],
    ["pinned git itself", [{ path: "/usr/bin/git", argPattern: "^status$" }], "execAllowlist.0.path", /repository config, hooks and aliases/],
    ["a dispatcher", ["/usr/bin/env"], "execAllowlist.0.path", /a dispatcher/],
    ["xargs", ["/usr/bin/xargs"], "execAllowlist.0.path", /a dispatcher/],
    ["a pager", ["/usr/bin/less"], "execAllowlist.0.path", /an editor or pager/],
    ["awk", ["/usr/bin/awk"], "execAllowlist.0.path", /an interpreter/],
    ["npm", ["/usr/bin/npm"], "execAllowlist.0.path", /a package manager/],
    ["a binary in the workspace", ["/var/lib/openclaw-workspace/tool"], "execAllowlist.0.path", /directly under \/usr\/bin\//],
    ["a binary in /tmp", ["/tmp/x"], "execAllowlist.0.path", /never agent-writable/],
    ["find without a pin", ["/usr/bin/find"], "execAllowlist.0.argPattern", /an anchored argPattern: find can run programs/],
    ["jq without a pin", ["/usr/bin/jq"], "execAllowlist.0.argPattern", /an anchored argPattern/],
    ["a pin that lets -exec through", [{ path: "/usr/bin/find", argPattern: "^\\. .*$" }], "execAllowlist.0.argPattern", /refuses find's escapes; it matches "\. -exec id ;"/],
    ["jq reading a credential", [{ path: "/usr/bin/jq", argPattern: "^(-R )?\\. \\S+$" }], "execAllowlist.0.argPattern", /gateway-token/],
    ["an unanchored pin", [{ path: "/usr/bin/wc", argPattern: "-l x" }], "execAllowlist.0.argPattern", /anchored at both ends/],
    ["a pin that is no regex", [{ path: "/usr/bin/wc", argPattern: "^(-l$" }], "execAllowlist.0.argPattern", /an ECMAScript regular expression/],
    ["a pin voided by a path-only entry", ["/usr/bin/wc", { path: "/usr/bin/wc", argPattern: "^-l$" }], "execAllowlist.1.argPattern", /voids the pin/],
    ["a word that is no preset", ["python"], "execAllowlist.0", /a kit preset \(git, jq\)/],
    ["an unknown entry key", [{ path: "/usr/bin/wc", args: "-l" }], "execAllowlist.0.args", /no such key under execAllowlist.0/],
    // Red team round 3 (tools outside the first lists; pins tested the way OpenClaw joins arguments).
    ["ssh-agent (ssh-agent sh -c CMD)", ["/usr/bin/ssh-agent"], "execAllowlist.0.path", /a dispatcher/],
    ["rpm (rpm --eval '%(CMD)')", ["/usr/bin/rpm"], "execAllowlist.0.path", /a package manager/],
    ["sqlite3 (.shell CMD)", ["/usr/bin/sqlite3"], "execAllowlist.0.path", /an interpreter/],
    ["gcc (-wrapper sh,-c,CMD)", ["/usr/bin/gcc"], "execAllowlist.0.path", /a compiler driver/],
    ["elvish", ["/usr/bin/elvish"], "execAllowlist.0.path", /a shell/],
    ["the OpenClaw CLI", ["/usr/local/bin/openclaw"], "execAllowlist.0.path", /rewrite its own approvals/],
    ["a pin with a NUL separator (OpenClaw joins arguments by NUL then)", [{ path: "/usr/bin/find", argPattern: "^[^ ]*\0$" }], "execAllowlist.0.argPattern", /refuses find's escapes/],
    ["a pin that takes any tail after a benign start", [{ path: "/usr/bin/find", argPattern: "^\\. -name [^ ]+( .*)?$" }], "execAllowlist.0.argPattern", /it matches "\. -name x \. -exec id ;"/],
  ])("refuses %s, naming key, value and what is allowed", (_label, entries, key, allowed) => {
    const issues = issuesOf(entries);
    const issue = issues.find((i) => i.key === key);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.allowed).toMatch(allowed);
  });

  it("accepts plain tools, the presets, and pinned tools whose pins refuse every known escape", () => {
    expect(issuesOf(["/usr/bin/wc", "git", "jq", { path: "/usr/bin/find", argPattern: "^\\. -name [A-Za-z0-9_.*-]+$" }, { path: "/usr/bin/tar", argPattern: "^-tf [A-Za-z0-9_.-]+\\.tar$" }])).toEqual([]);
    expect(issuesOf([AGENT_GIT])).toEqual([]);
  });

  it("the jq preset refuses each of jq's escapes and takes a path filter over workspace files", () => {
    const re = new RegExp(JQ_WORKSPACE_FILTER);
    for (const escape of PINNED_ESCAPES.jq) expect(re.test(escape), escape).toBe(false);
    for (const ok of [".name package.json", "-r .scripts.build package.json", ".[0].id data/items.json", "-c .a|keys x.json y.json"]) expect(re.test(ok), ok).toBe(true);
    expect(re.test("-n 1")).toBe(false);
  });

  it("the escapes it judges by are real: each list is non-empty and a catch-all pattern matches them all", () => {
    for (const [tool, escapes] of Object.entries(PINNED_ESCAPES)) {
      expect(escapes.length, tool).toBeGreaterThan(0);
      const problems = execAllowlistProblems([{ path: `/usr/bin/${tool}`, argPattern: "^.*$" }]);
      expect(problems.map((p) => p.allowed).join(" "), tool).toContain(`refuses ${tool}'s escapes`);
    }
  });

  it("npm run plan exits 2 on the issue's example, naming both entries", async () => {
    const err: string[] = [];
    const out: string[] = [];
    const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
    const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    try {
      expect(await main(["--stack", "level2", "--config", "execAllowlist=[/bin/bash,/usr/bin/python3]"])).toBe(2);
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
    expect(err.join("")).toMatch(/clawkeep:execAllowlist\.0\.path: got "\/bin\/bash"; allowed: not bash: a shell/);
    expect(err.join("")).toMatch(/clawkeep:execAllowlist\.1\.path: got "\/usr\/bin\/python3"; allowed: not python3: an interpreter/);
    expect(out.join("")).toBe("");
  });
});
