// What the agent's exec allowlist may name (issue 17, item 1). An allowlisted command must not be
// turnable into another program: shells, interpreters and tools that run a program from a file the
// agent writes are never accepted; tools with a program-valued option are accepted only with an
// anchored argPattern that refuses their known escapes; git only through the kit's wrapper.

/** One allowlist entry: the resolved binary, and optionally OpenClaw's argPattern over its arguments. */
export interface ExecAllowlistEntry {
  path: string;
  /** ECMAScript regex over the argv without argv[0], joined by one space (OpenClaw 2026.9.6). */
  argPattern?: string;
}

/** The kit's git for the agent (an ELF front for a root-owned sh wrapper); the only git an allowlist may name. */
export const AGENT_TOOLS_DIR = "/usr/local/libexec/clawkeep-agent";
export const AGENT_BIN_DIR = `${AGENT_TOOLS_DIR}/bin`;
export const AGENT_GIT = `${AGENT_BIN_DIR}/git`;

/** Directories an allowlisted binary may live in: root-owned, never writable by the agent. */
export const EXEC_DIRS = ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/"] as const;

/**
 * Never allowlisted, pinned or not: the program comes from a file or string the agent controls (a script,
 * a Makefile, a package.json, a module in the working directory, repository config), or the tool runs
 * whatever command it is handed. The value says why, for the refusal message.
 */
const NEVER: Record<string, string> = {
  ...Object.fromEntries(
    ["sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "lksh", "pdksh", "ash", "fish", "csh", "tcsh", "yash", "posh", "elvish", "nu", "xonsh", "osh", "ysh", "oksh", "rc", "es", "sash", "busybox", "toybox", "pwsh", "rbash", "screen", "tmux"].map((n) => [n, "a shell"]),
  ),
  ...Object.fromEntries(
    [
      "awk", "gawk", "mawk", "nawk", "sed", "java", "jshell", "gdb", "lldb", "expect", "rscript", "osascript", "bun", "deno", "tclsh", "wish", "irb", "jrunscript", "bc", "dc", "m4", "ex", "ed",
      "julia", "guile", "racket", "sbcl", "clisp", "ghci", "runghc", "erl", "escript", "elixir", "iex", "swipl", "octave", "gnuplot", "groovy", "kotlin", "scala", "ocaml", "ts-node", "tsx",
      // Clients with a shell escape (.shell, \!, .system) or that run code: their argument is a program.
      "sqlite3", "psql", "mysql", "mariadb", "redis-cli", "duckdb",
    ].map((n) => [n, "an interpreter (its program is the argument or a file)"]),
  ),
  ...Object.fromEntries(["make", "gmake", "cmake", "ninja", "just", "task", "rake", "gradle", "mvn", "ant", "meson", "scons", "bazel"].map((n) => [n, "a build runner (its program is a file in the workspace)"])),
  // gcc -wrapper sh,-c,CMD, tcc -run, and the linker plugins: a compiler driver runs the programs it is told to.
  ...Object.fromEntries(["gcc", "g++", "cc", "c++", "clang", "clang++", "tcc", "rustc", "ld", "as", "cpp"].map((n) => [n, "a compiler driver (it runs the programs and plugins its arguments name)"])),
  ...Object.fromEntries(
    ["npm", "npx", "pnpm", "yarn", "corepack", "pip", "pip3", "pipx", "uv", "uvx", "poetry", "cargo", "go", "gem", "bundle", "composer", "apt", "apt-get", "dpkg", "snap", "rpm", "rpmbuild", "yum", "dnf", "zypper", "apk", "pacman", "nix", "nix-shell", "brew", "conda", "mamba", "flatpak"].map((n) => [n, "a package manager (it runs the packages' scripts)"]),
  ),
  ...Object.fromEntries(
    [
      "env", "sudo", "doas", "su", "runuser", "setpriv", "nice", "ionice", "timeout", "nohup", "stdbuf", "flock", "chroot", "nsenter", "unshare", "setsid", "taskset", "time", "watch", "xargs", "parallel", "script", "strace", "ltrace", "valgrind", "systemd-run", "chrt", "prlimit", "capsh", "firejail", "bwrap",
      "ssh-agent", "dbus-run-session", "dbus-launch", "unbuffer", "chpst", "daemonize", "start-stop-daemon", "pkexec", "sg", "newgrp", "run-parts", "fakeroot", "proot", "systemd-nspawn", "catchsegv", "cpulimit", "faketime", "torsocks", "proxychains", "proxychains4",
    ].map((n) => [n, "a dispatcher (it runs the command it is given)"]),
  ),
  ...Object.fromEntries(["vi", "vim", "nvim", "view", "vim.basic", "vim.tiny", "emacs", "nano", "editor", "sensible-editor", "less", "more", "most", "man", "pager", "sensible-pager"].map((n) => [n, "an editor or pager (shell escapes)"])),
  ...Object.fromEntries(["docker", "podman", "kubectl", "nerdctl", "crontab", "at", "batch", "ssh", "scp", "sftp", "rsync", "socat", "nc", "ncat", "netcat", "openssl"].map((n) => [n, "runs programs or reaches hosts outside the proxy's view"])),
  git: `runs programs named by repository config, hooks and aliases; use the kit's wrapper ${AGENT_GIT}`,
  // The agent would change its own approvals (openclaw approvals allowlist add, exec-policy preset yolo).
  openclaw: "the OpenClaw CLI (the agent would rewrite its own approvals and config)",
};

/** Versioned interpreter names (python3.11, perl5.36, node24, php8.2, ...). */
const INTERPRETER = /^(python|pypy|perl|ruby|php|lua|luajit|node|nodejs|tclsh|wish|Rscript)[0-9.]*$/i;

/**
 * Accepted only with a pinning argPattern: each tool's known ways to run a program or reach a file outside
 * the workspace, as argument strings (space-joined, as OpenClaw matches). The pattern must match none.
 */
export const PINNED_ESCAPES: Readonly<Record<string, readonly string[]>> = {
  jq: [
    "-n env",
    "-n $ENV",
    "-n input_filename",
    "-R . /run/credentials/openclaw-gateway.service/gateway-token",
    ". ../../../run/credentials/openclaw-gateway.service/gateway-token",
    "--rawfile t /etc/clawkeep/host.env .",
    "--slurpfile t x.json .",
    "-f prog.jq x.json",
    "-L /tmp . x.json",
    "input x.json y.json",
    "import \"m\" as m; . x.json",
    ". ~/x.json",
  ],
  find: [". -exec id ;", ". -execdir id ;", ". -ok id ;", ". -okdir id ;", ". -delete", ". -fprint /tmp/x", "/ -name x"],
  tar: ["-cf x.tar --to-command=id .", "-I id -cf x.tar .", "--use-compress-program=id -cf x.tar .", "--checkpoint-action=exec=id -cf x.tar .", "-xf x.tar -C /", "-cf /tmp/x.tar ."],
  sort: ["--compress-program=id x", "-o /tmp/x x", "/etc/passwd"],
  zip: ["-TT id x.zip x", "--unzip-command id x.zip x", "/tmp/x.zip x"],
  unzip: ["x.zip -d /tmp", "-o x.zip -d /"],
  curl: ["-K cfg https://example.com", "--config cfg https://example.com", "-o /tmp/x https://example.com", "-T /etc/passwd https://example.com", "-d @/etc/passwd https://example.com", "file:///etc/passwd"],
  wget: ["-O /tmp/x https://example.com", "--post-file=/etc/passwd https://example.com", "-e use_proxy=off https://example.com", "-i list"],
  cp: ["/etc/passwd x", "x /tmp/x", "x ../x"],
  mv: ["x /tmp/x", "x ../x"],
  tee: ["/tmp/x", "../x"],
  dd: ["if=/etc/passwd of=x", "of=/tmp/x"],
};

export type EntryProblem = { key: string; given: unknown; allowed: string };

/** Argument strings a pinned pattern may accept: each escape is also tried after any of them (". -name x . -exec id ;"). */
const BENIGN_ARGS = ["", ".", "x", ". x", "x.json", ". x.json", "-name x", ". -name x", "status", "log -1", "-l x", "-r x", "x y"];

/**
 * The escapes a pattern matches, as OpenClaw 2026.9.6 tests it (matchArgPattern): the arguments joined by one
 * space, or by NUL with a trailing NUL when the pattern holds a NUL. Each escape alone and after an accepted
 * benign argument string (a pattern that takes any tail takes the escape there too).
 */
function pinnedEscapesMatched(re: RegExp, argPattern: string, escapes: readonly string[]): string[] {
  const subject = (args: string): string => (argPattern.includes("\0") ? (args === "" ? "\0\0" : `${args.split(" ").join("\0")}\0`) : args);
  const accepts = (args: string): boolean => re.test(subject(args));
  const accepted = BENIGN_ARGS.filter(accepts);
  return escapes.flatMap((escape) => {
    const tries = [escape, ...accepted.map((b) => `${b} ${escape}`.trim())];
    const hit = tries.find(accepts);
    return hit === undefined ? [] : [hit];
  });
}

const ANCHORED = /^\^[\s\S]*[^\\]\$$/;

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Why a tool may never be allowlisted, or undefined. */
export function neverAllowlisted(path: string): string | undefined {
  if (path === AGENT_GIT) return undefined;
  const name = baseName(path);
  if (Object.hasOwn(NEVER, name)) return NEVER[name];
  if (INTERPRETER.test(name)) return "an interpreter (its program is the argument or a file)";
  return undefined;
}

/** Every problem with one level's allowlist; entries are already shaped (path, optional argPattern). */
export function execAllowlistProblems(entries: readonly ExecAllowlistEntry[]): EntryProblem[] {
  const problems: EntryProblem[] = [];
  const pathOnly = new Set(entries.filter((e) => e.argPattern === undefined).map((e) => e.path));
  entries.forEach((entry, i) => {
    const key = `execAllowlist.${i}`;
    const inDir = EXEC_DIRS.some((d) => entry.path.startsWith(d) && !entry.path.slice(d.length).includes("/"));
    if (!inDir && entry.path !== AGENT_GIT) {
      problems.push({ key: `${key}.path`, given: entry.path, allowed: `a binary directly under ${EXEC_DIRS.join(", ")} (root-owned, never agent-writable), or ${AGENT_GIT}` });
      return;
    }
    const never = neverAllowlisted(entry.path);
    if (never) {
      problems.push({ key: `${key}.path`, given: entry.path, allowed: `not ${baseName(entry.path)}: ${never}; no argPattern makes it safe` });
      return;
    }
    if (entry.argPattern !== undefined) {
      let re: RegExp;
      try {
        re = new RegExp(entry.argPattern);
      } catch (e) {
        problems.push({ key: `${key}.argPattern`, given: entry.argPattern, allowed: `an ECMAScript regular expression (${(e as Error).message})` });
        return;
      }
      if (!ANCHORED.test(entry.argPattern)) {
        problems.push({ key: `${key}.argPattern`, given: entry.argPattern, allowed: "a pattern anchored at both ends (^...$): OpenClaw tests it against the whole argument string" });
        return;
      }
      if (pathOnly.has(entry.path)) {
        problems.push({ key: `${key}.argPattern`, given: entry.argPattern, allowed: `no path-only entry for ${entry.path} beside it: that entry matches any arguments and voids the pin` });
      }
      const escapes = pinnedEscapesMatched(re, entry.argPattern, PINNED_ESCAPES[baseName(entry.path)] ?? []);
      if (escapes.length > 0) {
        problems.push({ key: `${key}.argPattern`, given: entry.argPattern, allowed: `a pattern that refuses ${baseName(entry.path)}'s escapes; it matches ${escapes.map((a) => JSON.stringify(a)).join(", ")}` });
      }
    } else if (Object.hasOwn(PINNED_ESCAPES, baseName(entry.path))) {
      problems.push({ key: `${key}.argPattern`, given: undefined, allowed: `an anchored argPattern: ${baseName(entry.path)} can run programs or reach files outside the workspace through its arguments` });
    }
  });
  return problems;
}

/** jq as the shipped stacks allow it: a path filter (no variables, env or input functions) over workspace files. */
export const JQ_WORKSPACE_FILTER =
  "^(?!.*\\b(env|input|inputs|input_filename|import|include|modulemeta|get_search_list|get_prog_origin|get_jq_origin)\\b)(-[cjrsSaMe]+ )*\\.[^$\\s]*( [A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*)+$";

/** The git subcommands the wrapper runs (it refuses the rest too); pinned at OpenClaw's level as well. */
export const AGENT_GIT_SUBCOMMANDS = [
  "status", "diff", "log", "show", "add", "commit", "restore", "switch", "checkout", "branch", "fetch", "pull", "push", "clone", "init",
  "remote", "rev-parse", "ls-files", "mv", "rm", "tag", "merge", "stash", "reset", "blame", "grep", "shortlog", "describe",
] as const;

/** The wrapper's argPattern: one of its subcommands first, so global options (-c, -C, --exec-path) ask a human. */
export const AGENT_GIT_ARGS = `^(${AGENT_GIT_SUBCOMMANDS.join("|")})( .*)?$`;

/** Entries a stack may name by one word: the kit's pinned forms, so their patterns have one home. */
export const EXEC_PRESETS: Readonly<Record<string, ExecAllowlistEntry>> = {
  git: { path: AGENT_GIT, argPattern: AGENT_GIT_ARGS },
  jq: { path: "/usr/bin/jq", argPattern: JQ_WORKSPACE_FILTER },
};
