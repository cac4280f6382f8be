// The agent's git wrapper, judged by real tools: GNU as assembles the ELF front's source to the same
// bytes, readelf reads its headers, the kernel runs it, and real git runs (or refuses) each escape.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORCED_CONFIG, gitFrontAssembly, gitFrontElf, gitFrontText, renderGitWrapperScript } from "./gitWrapper";
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

describe.skipIf(!needTools("as", "objcopy", "readelf"))("the ELF front", () => {
  it("is what GNU as makes of its assembly source, byte for byte", () => {
    const d = tmp("clawkeep-front-");
    fs.writeFileSync(path.join(d, "front.s"), gitFrontAssembly());
    const as = spawnSync("as", ["--64", "-o", path.join(d, "front.o"), path.join(d, "front.s")], { encoding: "utf8" });
    expect(as.status, as.stderr).toBe(0);
    const cp = spawnSync("objcopy", ["-O", "binary", "-j", ".text", path.join(d, "front.o"), path.join(d, "front.bin")], { encoding: "utf8" });
    expect(cp.status, cp.stderr).toBe(0);
    expect(fs.readFileSync(path.join(d, "front.bin")).toString("hex")).toBe(gitFrontText().toString("hex"));
  });

  it("is a static x86-64 executable: no interpreter, code read+execute, stack never executable", () => {
    const d = tmp("clawkeep-front-");
    const file = path.join(d, "git");
    fs.writeFileSync(file, gitFrontElf(), { mode: 0o755 });
    const r = spawnSync("readelf", ["-h", "-l", "-W", file], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Type:\s+EXEC/);
    expect(r.stdout).toMatch(/Machine:\s+Advanced Micro Devices X86-64/);
    expect(r.stdout).toMatch(/LOAD\s+0x0+ 0x0+400000 .* R E 0x1000/);
    expect(r.stdout).toMatch(/GNU_STACK .* RW\s/);
    expect(r.stdout).not.toMatch(/INTERP/);
    console.log(`git wrapper front: ${gitFrontElf().length} bytes`);
  });
});

describe("the ELF front, run by the kernel", () => {
  it("runs /bin/sh on its script with the caller's arguments and environment, and nothing else", () => {
    const d = tmp("clawkeep-front-run-");
    const script = path.join(d, "script.sh");
    fs.writeFileSync(script, 'printf "%s|" "$0" "$@"; printf "%s" "$CLAWKEEP_PROBE"\n');
    const front = path.join(d, "front");
    fs.writeFileSync(front, gitFrontElf(script), { mode: 0o755 });
    const r = spawnSync(front, ["status", "--short", "a b"], { encoding: "utf8", env: { CLAWKEEP_PROBE: "env-kept" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${script}|status|--short|a b|env-kept`);
    // A missing script is sh's error, not a crash of the front.
    const gone = path.join(d, "gone");
    fs.writeFileSync(gone, gitFrontElf(path.join(d, "missing.sh")), { mode: 0o755 });
    const r2 = spawnSync(gone, [], { encoding: "utf8" });
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/missing\.sh/);
  });

  it("takes only a plain absolute script path", () => {
    expect(() => gitFrontText("relative.sh")).toThrow(/plain absolute path/);
    expect(() => gitFrontText('/x"; id')).toThrow(/plain absolute path/);
  });
});

describe.skipIf(!needTools("git", "shellcheck"))("the git wrapper against real git", () => {
  let ws: string;
  let git: string;
  let marker: string;
  let outside: string;
  beforeAll(() => {
    const root = tmp("clawkeep-gitwrap-");
    ws = path.join(root, "workspace");
    outside = path.join(root, "outside");
    fs.mkdirSync(ws);
    fs.mkdirSync(outside);
    marker = path.join(root, "ran");
    const script = path.join(root, "git-wrapper.sh");
    fs.writeFileSync(script, renderGitWrapperScript(ws));
    git = path.join(root, "git");
    fs.writeFileSync(git, gitFrontElf(script), { mode: 0o755 });
  });

  /** The wrapper in `cwd` (the workspace by default), as the node host runs it. */
  const run = (args: string[], cwd = ws) => {
    const r = spawnSync(git, args, { cwd, encoding: "utf8", env: { PATH: "/usr/bin:/bin", GIT_AUTHOR_NAME: "a", GIT_AUTHOR_EMAIL: "a@x", GIT_COMMITTER_NAME: "a", GIT_COMMITTER_EMAIL: "a@x" } });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  /** Plain git, standing in for the agent's file tools writing the repository. */
  const raw = (args: string[], cwd = ws) => {
    const r = spawnSync("git", args, { cwd, encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", GIT_CONFIG_NOSYSTEM: "1" } });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  const ranSomething = () => fs.existsSync(marker);

  it("is clean POSIX sh by shellcheck", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", "-"], { input: renderGitWrapperScript(), encoding: "utf8" });
    expect(r.status, r.stdout).toBe(0);
  });

  it("does the ordinary work: init, add, commit, status, log, diff, branch", () => {
    expect(run(["init", "-q", "repo"]).code).toBe(0);
    const repo = path.join(ws, "repo");
    fs.writeFileSync(path.join(repo, "a.txt"), "one\n");
    expect(run(["add", "a.txt"], repo).code).toBe(0);
    const commit = run(["commit", "-qm", "first"], repo);
    expect(commit.code, commit.out).toBe(0);
    fs.writeFileSync(path.join(repo, "a.txt"), "two\n");
    expect(run(["status", "--short"], repo).out).toContain("M a.txt");
    expect(run(["diff", "--stat"], repo).out).toContain("a.txt");
    expect(run(["log", "--oneline", "-1"], repo).out).toContain("first");
    expect(run(["branch", "feature"], repo).code).toBe(0);
    expect(run(["log", "--oneline", "main..feature"], repo).code === 0 || run(["log", "--oneline", "master..feature"], repo).code === 0).toBe(true);
  });

  it.each<[string, string[], RegExp]>([
    ["an alias through -c", ["-c", `alias.x=!touch MARKER`, "x"], /subcommand '-c'/],
    ["an alias by name", ["x"], /subcommand 'x'/],
    ["-C into another repository", ["-C", "/", "status"], /subcommand '-C'/],
    ["a config option", ["log", "-c", "core.pager=touch MARKER"], /option '-c'/],
    ["--upload-pack", ["fetch", "--upload-pack=touch MARKER", "origin"], /option '--upload-pack/],
    ["-u for clone", ["clone", "-u", "touch MARKER", "https://example.com/x"], /option '-u'/],
    ["the ext transport", ["clone", "ext::sh -c touch% MARKER", "x"], /transport/],
    ["a file URL", ["clone", "file:///etc", "x"], /https only/],
    ["a local path outside", ["clone", "/etc", "x"], /outside the workspace/],
    ["--no-index reading /etc", ["diff", "--no-index", "/etc/hostname", "x"], /option '--no-index'/],
    ["a message from /etc", ["commit", "-F/etc/hostname"], /outside the workspace/],
    ["a message from ../", ["commit", "--file=../x"], /outside the workspace/],
    ["--output", ["log", "--output=x"], /option '--output=x'/],
    ["--exec-path", ["status", "--exec-path=/tmp"], /option '--exec-path/],
    ["rebase --exec", ["rebase", "--exec", "touch MARKER"], /subcommand 'rebase'/],
    ["config writes", ["config", "core.fsmonitor", "touch MARKER"], /subcommand 'config'/],
    ["--ext-diff", ["diff", "--ext-diff"], /option '--ext-diff'/],
    ["a home path", ["add", "~root/x"], /outside the workspace/],
  ])("refuses %s", (_label, args, why) => {
    const r = run(args.map((a) => a.replace("MARKER", marker)), path.join(ws, "repo"));
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(why);
    expect(ranSomething()).toBe(false);
  });

  it.each<[string, (repo: string) => void, string[], RegExp]>([
    ["core.fsmonitor in .git/config", (repo) => raw(["config", "core.fsmonitor", `touch ${marker}`], repo), ["status"], /key\(s\) not allowed: core.fsmonitor/],
    ["a clean filter with .gitattributes", (repo) => (raw(["config", "filter.ev.clean", `touch ${marker}`], repo), fs.writeFileSync(path.join(repo, ".gitattributes"), "* filter=ev\n")), ["add", "."], /filter.ev.clean/],
    ["a diff driver", (repo) => raw(["config", "diff.ev.command", `touch ${marker}`], repo), ["diff"], /diff.ev.command/],
    ["a pager per command", (repo) => raw(["config", "pager.log", `touch ${marker}`], repo), ["log"], /pager.log/],
    ["an include of another config", (repo) => (fs.writeFileSync(path.join(repo, "inc"), `[core]\n\tpager = touch ${marker}\n`), raw(["config", "include.path", "../inc"], repo)), ["log"], /include.path/],
    ["a worktree outside", (repo) => raw(["config", "core.worktree", outside], repo), ["status"], /core.worktree/],
    ["a gpg program", (repo) => (raw(["config", "commit.gpgsign", "true"], repo), raw(["config", "gpg.program", `touch ${marker}`], repo)), ["commit", "--allow-empty", "-m", "x"], /commit.gpgsign gpg.program/],
    ["a credential helper for one URL", (repo) => raw(["config", "credential.https://example.com.helper", `!touch ${marker}`], repo), ["fetch", "https://example.com/x"], /credential/],
  ])("refuses a repository whose own config has %s", (_label, arrange, args, why) => {
    const repo = fs.mkdtempSync(path.join(ws, "r-"));
    raw(["init", "-q"], repo);
    arrange(repo);
    const r = run(args, repo);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(why);
    expect(ranSomething()).toBe(false);
  });

  it("commits with an executable pre-commit hook in place, and the hook never runs", () => {
    const repo = fs.mkdtempSync(path.join(ws, "r-"));
    raw(["init", "-q"], repo);
    fs.writeFileSync(path.join(repo, ".git", "hooks", "pre-commit"), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    const r = run(["commit", "--allow-empty", "-qm", "x"], repo);
    expect(r.code, r.out).toBe(0);
    expect(ranSomething()).toBe(false);
  });

  it("refuses a repository kept outside the workspace (.git file, alternates) and a working directory outside it", () => {
    const elsewhere = path.join(outside, "repo");
    fs.mkdirSync(elsewhere);
    raw(["init", "-q"], elsewhere);
    const linked = fs.mkdtempSync(path.join(ws, "r-"));
    fs.writeFileSync(path.join(linked, ".git"), `gitdir: ${path.join(elsewhere, ".git")}\n`);
    expect(run(["status"], linked).out).toMatch(/repository .* is outside the workspace/);
    const borrowing = fs.mkdtempSync(path.join(ws, "r-"));
    raw(["init", "-q"], borrowing);
    fs.writeFileSync(path.join(borrowing, ".git", "objects", "info", "alternates"), `${path.join(elsewhere, ".git", "objects")}\n`);
    expect(run(["status"], borrowing).out).toMatch(/alternates/);
    expect(run(["status"], outside).out).toMatch(/working directory .* is outside the workspace/);
  });

  it("ignores the caller's git environment: another repository, config parameters, an exec path", () => {
    const repo = fs.mkdtempSync(path.join(ws, "r-"));
    raw(["init", "-q"], repo);
    const elsewhere = fs.mkdtempSync(path.join(outside, "r-"));
    raw(["init", "-q"], elsewhere);
    const r = spawnSync(git, ["rev-parse", "--absolute-git-dir"], {
      cwd: repo,
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin", GIT_DIR: path.join(elsewhere, ".git"), GIT_CONFIG_PARAMETERS: `'core.fsmonitor'='touch ${marker}'`, GIT_EXEC_PATH: outside },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(fs.realpathSync(repo), ".git"));
    expect(ranSomething()).toBe(false);
    expect(renderGitWrapperScript(ws)).toContain(`GIT_CONFIG_COUNT=${FORCED_CONFIG.length}`);
  });

});
