// Where a shell line runs OpenClaw's CLI and with what: every run in the line (after ; && || | & and in
// { } ( ) if/for bodies), inside `sh -c`/`su -c` strings, `eval` and $( ) or backtick substitutions, with its
// arguments read as OpenClaw 2026.9.6 reads them (its root options, config set/unset options, `--`).
// A run the reader cannot place, or whose key it cannot know, is reported, never passed unseen:
// `unplacedRuns` counts OpenClaw runs in the raw text and compares them with what was placed.
import * as path from "node:path";
import { SHELL_NAME, commandSubstitutions, shellWords } from "./shellScript";
import { isCredentialName } from "../../stacks/secretShapes";

/** An OpenClaw container image: any registry, tag or digest whose repository's last name is openclaw (ghcr.io/openclaw/openclaw:2026.9.6). */
export const OPENCLAW_IMAGE = /^(?:[A-Za-z0-9.-]+(?::\d+)?\/)?(?:[a-z0-9._-]+\/)*openclaw(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;
export const OPENCLAW_BIN = /(?:^|\/)openclaw(?:\.mjs|\.js)?$|^openclaw@/;
/** Options whose next word is a user or group name (sudo -u, sudo -iu, runuser -u, setpriv --reuid, env -u VAR, ...). */
const USER_OPTION = /^(?:-[A-Za-z]*[ug]|-l|--user|--group|--login|--reuid|--regid|--setuid|--setgid|--unset)$/;
/** What precedes the program without being it. */
export const PREFIX = new Set(["sudo", "doas", "env", "nohup", "exec", "command", "time", "timeout", "setsid", "nice", "ionice", "stdbuf", "runuser"]);
/** Interpreters whose first operand is the program they run. */
export const INTERPRETERS = new RegExp(`^(?:node|nodejs|bun|deno|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|${SHELL_NAME.source.slice(1, -1)})$`);
/** Words that end one simple command and start the next (or open a compound one). */
const COMMAND_START = /^(?:&&|\|\||;|;;|\||&|\(|\)|\{|\}|then|do|else|elif|!|if|while|until)$/;
const OPERATOR = /^(?:;|;;|&&|\|\||\||&)$/;
/** A redirection operator standing alone (its target is the next word) or joined to its target: `> f`, `2>& 1`, `<<< ""`, `{fd}>f`. */
const REDIRECT_ALONE = /^(?:\d+|\{\w+\})?(?:>>?|<<<|<|>&|<&|>\||<>|&>>?)$/;
const REDIRECT_JOINED = /^(?:\d+|\{\w+\})?(?:>>?|<<<|<|>&|<&|>\||<>|&>>?)\S/;

/** A simple command without its redirections, and whether its output is piped into the next one. */
interface SimpleCommand {
  words: string[];
  piped: boolean;
  /** Its standard input comes from the previous command of a pipeline. */
  pipedFrom: boolean;
  /** Its standard input is redirected (a file, a here-string, a process substitution): not a heredoc the script reader followed. */
  stdin: string | undefined;
}

/** Simple commands of a line (split on ; && || | & and the words that open a compound command), each without its redirections. */
export function simpleCommands(line: string): string[][] {
  return commandsOf(shellWords(line)).map((c) => c.words);
}

function commandsOf(words: readonly string[]): SimpleCommand[] {
  const out: SimpleCommand[] = [{ words: [], piped: false, pipedFrom: false, stdin: undefined }];
  // Inside [[ ... ]], && and || are the test's own operators.
  let inTest = false;
  let parens = 0;
  for (const w of words) {
    const current = out[out.length - 1];
    if (w === "[[" && current.words.length === 0) inTest = true;
    else if (w === "]]") inTest = false;
    if (w === "(") parens++;
    if (inTest && w !== "[[") current.words.push(w);
    else if (w === ")" && parens === 0) {
      // A case pattern (start|stop) or *): not commands; drop it and the alternatives piped before it.
      for (let k = out.length - 1; k >= 0 && (k === out.length - 1 || out[k].piped); k--) out[k].words = [];
      out.push({ words: [], piped: false, pipedFrom: false, stdin: undefined });
    } else if (COMMAND_START.test(w) && (OPERATOR.test(w) || current.words.length === 0 || /^[(){}]$/.test(w))) {
      if (w === ")") parens--;
      current.piped = w === "|";
      out.push({ words: [], piped: false, pipedFrom: w === "|", stdin: undefined });
    } else current.words.push(w);
  }
  return out
    .map((cmd) => {
      const kept: string[] = [];
      let stdin: string | undefined;
      const ws = cmd.words;
      for (let i = 0; i < ws.length; i++) {
        const alone = REDIRECT_ALONE.test(ws[i]);
        if (!alone && !REDIRECT_JOINED.test(ws[i])) {
          kept.push(ws[i]);
          continue;
        }
        // Standard input: `< f`, `0<f`, `<<< text`, `< <(cmd)`, `<&3`.
        if (/^0?<(?!>)/.test(ws[i])) stdin = alone ? `${ws[i]} ${ws[i + 1] ?? ""}` : ws[i];
        if (alone) i++;
      }
      return { ...cmd, words: kept, stdin };
    })
    .filter((c) => c.words.length > 0);
}

/** Where the program of the simple command starting at `from` sits: past VAR=value words and prefixes (sudo -u X, nice -n 10, timeout 60). */
export function programIndex(words: readonly string[], from = 0): number {
  let i = from;
  while (i < words.length) {
    if (/^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=/.test(words[i])) i++;
    // env -S STRING runs the string split into words: the caller opens it (commandString).
    else if (path.posix.basename(words[i]) === "env" && words.slice(i + 1).some((w) => /^(?:-S|--split-string)(?:=|$)/.test(w))) break;
    else if (PREFIX.has(path.posix.basename(words[i]))) {
      i++;
      // The prefix's options, a user option's value, and a bare number; `--` ends them.
      while (i < words.length && (words[i].startsWith("-") || /^\d+[smhd]?$/.test(words[i]))) {
        if (words[i] === "--") {
          i++;
          break;
        }
        i += USER_OPTION.test(words[i]) ? 2 : 1;
      }
    } else break;
  }
  return i;
}

/** The program of a simple command (its basename) and its arguments. */
export function programOf(words: readonly string[]): { program: string; args: string[] } {
  const i = programIndex(words);
  return { program: path.posix.basename(words[i] ?? ""), args: words.slice(i + 1) };
}

/** Where openclaw runs when words[at] is the program: the program itself, the script an interpreter or package runner starts, or -1. */
export function openclawOperand(words: readonly string[], at: number): number {
  if (OPENCLAW_BIN.test(words[at] ?? "")) return at;
  const name = path.posix.basename(words[at] ?? "");
  if (!INTERPRETERS.test(name) && !/^(?:npx|pnpm|pnpx|bunx|yarn)$/.test(name)) return -1;
  let j = at + 1;
  // npx -p|--package PKG CMD: the package is an option's value; the command follows it.
  while (j < words.length && (words[j].startsWith("-") || /^(?:exec|dlx|x)$/.test(words[j]))) j += /^(?:-p|--package)$/.test(words[j]) ? 2 : 1;
  return j < words.length && OPENCLAW_BIN.test(words[j]) ? j : -1;
}

/** Container runtimes' options that take no value. */
const RUN_BOOLEAN_OPTION = /^(?:-[dirtP]+|--(?:detach|rm|interactive|tty|privileged|init|read-only|publish-all|no-healthcheck|oom-kill-disable|sig-proxy|quiet|replace|disable-content-trust|tls-verify|http-proxy|env-host|no-hosts|rmi|help|systemd=\S+))$/;
/** Container runtimes' options that take the next word (the commonest; an unknown option before an OpenClaw image does not take it). */
const RUN_VALUE_OPTION = /^(?:-[evpuwhlm]|--(?:env|volume|publish|name|user|workdir|network|net|hostname|mount|label|env-file|add-host|cap-add|cap-drop|device|dns|log-driver|log-opt|memory|cpus|restart|security-opt|tmpfs|ulimit|pull|platform|health-cmd|stop-signal|userns|pid|ipc|uts|group-add|secret|pod|expose|link|runtime|cgroupns|cidfile))$/;
/** An image reference that names OpenClaw's with a registry or tag (a bare "openclaw" after an option is that option's value). */
const looksLikeOpenclawImage = (w: string) => OPENCLAW_IMAGE.test(w) && /[/:@]/.test(w);

/**
 * `docker|podman|nerdctl run|create ... IMAGE ARGS`: where the image's entrypoint sits in the words.
 * An OpenClaw image's entrypoint is openclaw, so its arguments are openclaw's; --entrypoint replaces it.
 */
function containerRunStart(words: readonly string[]): { at: number; entrypoint?: string } | undefined {
  const runtime = (w: string) => /(?:^|\/)(?:docker|podman|nerdctl)$/.test(w);
  const rt = words.findIndex((w, i) => runtime(w) && (/^(?:run|create)$/.test(words[i + 1] ?? "") || (words[i + 1] === "container" && /^(?:run|create)$/.test(words[i + 2] ?? ""))));
  if (rt < 0) return undefined;
  let entrypoint: string | undefined;
  for (let i = rt + (words[rt + 1] === "container" ? 3 : 2); i < words.length; i++) {
    const w = words[i];
    if (w.startsWith("-")) {
      const ep = /^--entrypoint(?:=(.*))?$/.exec(w);
      if (ep) entrypoint = ep[1] ?? words[++i];
      else if (!w.includes("=") && !RUN_BOOLEAN_OPTION.test(w) && (RUN_VALUE_OPTION.test(w) || !looksLikeOpenclawImage(words[i + 1] ?? ""))) i++;
      continue;
    }
    // The image: OpenClaw's (its entrypoint is openclaw), or any image whose entrypoint is replaced.
    return OPENCLAW_IMAGE.test(w) || entrypoint !== undefined ? { at: i, entrypoint } : undefined;
  }
  return undefined;
}

/** One run of OpenClaw's CLI: positional words (subcommand path, then its operands), options, the VAR=value words before it. */
export interface OpenclawRun {
  args: string[];
  flags: Record<string, string | true>;
  env: Record<string, string>;
  /** Why the run's effect cannot be read from the line (an unknown option, a key from a variable, ...). */
  problem?: string;
  /** Why OpenClaw refuses the run before it changes anything (measured on 2026.9.6: exit 1, the config untouched). */
  fails?: string;
}

/** OpenClaw 2026.9.6's root options (dist/cli-root-options-*.mjs), accepted before the terminator at any position. */
const ROOT_BOOLEAN = new Set(["dev", "no-color"]);
const ROOT_VALUE = new Set(["profile", "log-level", "container"]);
/** Options of the config subcommands the pack reads edits from (dist/config-cli-*.mjs, 2026.9.6). */
const CONFIG_OPTIONS: Record<string, { boolean: ReadonlySet<string>; value: ReadonlySet<string> }> = {
  "": { boolean: new Set(), value: new Set(["section"]) },
  set: {
    boolean: new Set(["strict-json", "json", "expect-current-absent", "dry-run", "allow-exec", "merge", "replace", "provider-json-only"]),
    value: new Set([
      "expect-current-json", "ref-provider", "ref-source", "ref-id", "provider-source", "provider-allowlist", "provider-path", "provider-mode", "provider-timeout-ms",
      "provider-max-bytes", "provider-command", "provider-arg", "provider-no-output-timeout-ms", "provider-max-output-bytes", "provider-env", "provider-pass-env",
      "provider-trusted-dir", "batch-json", "batch-file",
    ]),
  },
  unset: { boolean: new Set(["dry-run", "allow-exec", "json"]), value: new Set() },
  patch: { boolean: new Set(["stdin", "dry-run", "allow-exec", "json"]), value: new Set(["file", "replace-path"]) },
};

/** The arguments after the binary, read as OpenClaw's CLI reads them. */
function readArgs(rest: readonly string[]): Pick<OpenclawRun, "args" | "flags" | "problem" | "fails"> {
  const args: string[] = [];
  const flags: Record<string, string | true> = {};
  let problem: string | undefined;
  let fails: string | undefined;
  let literal = false;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (literal || w === "-" || !w.startsWith("-")) {
      args.push(w);
      continue;
    }
    if (w === "--") {
      literal = true;
      continue;
    }
    const m = /^--([A-Za-z0-9][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(w);
    if (!m) {
      // A short option (-h, -V): OpenClaw's config edits take none, so an edit with one is not read.
      if (args[0] === "config") problem ??= `option ${w} is not one OpenClaw 2026.9.6's config CLI takes`;
      flags[w.replace(/^-+/, "")] = true;
      continue;
    }
    const [, name, inline] = m;
    const table = args[0] === "config" ? CONFIG_OPTIONS[args[1] ?? ""] : undefined;
    const boolean = ROOT_BOOLEAN.has(name) || table?.boolean.has(name);
    const takesValue = ROOT_VALUE.has(name) || table?.value.has(name);
    if (table && !boolean && !takesValue) problem ??= `option --${name} is not one OpenClaw 2026.9.6's \`config ${args[1] ?? ""}\` takes`;
    if (inline !== undefined) {
      // `config unset K --dry-run=true`: "OpenClaw does not recognize option", exit 1.
      if (table?.boolean.has(name)) fails ??= `OpenClaw does not recognize \`${w}\` (--${name} takes no value)`;
      else if (boolean) problem ??= `root option --${name} takes no value (\`${w}\`)`;
      flags[name] = inline;
    } else if (boolean) flags[name] = true;
    else if (takesValue || (!table && i + 1 < rest.length && !rest[i + 1].startsWith("-"))) flags[name] = rest[++i] ?? true;
    else flags[name] = true;
  }
  return { args, flags, problem, fails };
}

/** A word whose value the shell computes when it runs ($VAR, ${VAR}, $(...), backticks): unknown offline. */
export const expands = (w: string) => /\$[A-Za-z_{(0-9@*#?!$-]|`/.test(w);

/** The string a shell (sh -c) or su (-c, --command) runs, if this simple command is one. */
function commandString(words: readonly string[], at: number): string | undefined {
  const name = path.posix.basename(words[at] ?? "");
  const rest = words.slice(at + 1);
  // eval and trap join their words into a line; coproc runs its command; env -S splits its string into one.
  if (name === "eval" || name === "coproc") return rest.join(" ");
  if (name === "trap") return rest[0] === "--" ? rest[1] : rest[0];
  if (name === "env") {
    const split = rest.findIndex((w) => /^(?:-S|--split-string)(?:=|$)/.test(w));
    if (split >= 0) return rest[split].includes("=") ? rest[split].slice(rest[split].indexOf("=") + 1) : rest[split + 1];
    return undefined;
  }
  // flock FILE -c CMD, flock -c CMD FILE
  if (name === "flock") {
    const c = rest.findIndex((w) => w === "-c" || w === "--command");
    return c >= 0 ? rest[c + 1] : undefined;
  }
  const shell = SHELL_NAME.test(name);
  if (!shell && name !== "su" && name !== "runuser") return undefined;
  let wantsString = false;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    const long = /^--command(?:=(.*))?$/s.exec(w);
    if (long && !shell) return long[1] ?? rest[i + 1];
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(w)) wantsString = true;
    // -o OPTION and +o OPTION take a value; "--" ends the options.
    else if (/^[-+][oO]$/.test(w) || (!shell && /^(?:-[A-Za-z]*[ugs]|--shell|--group|--supp-group)$/.test(w))) i++;
    else if (w === "--" && shell) {
      if (wantsString) return rest[i + 1];
    } else if (!w.startsWith("-") && !w.startsWith("+")) {
      if (wantsString) return w;
      if (shell) return undefined;
    }
  }
  return undefined;
}

/** A shell given no script and no -c string: it runs whatever its standard input holds. */
function readsStdin(words: readonly string[], at: number): boolean {
  if (!SHELL_NAME.test(path.posix.basename(words[at] ?? ""))) return false;
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i];
    if (/^[-+][oO]$/.test(w)) i++;
    else if (/^-[A-Za-z]*c/.test(w)) return false;
    else if (w === "-s" || /^-[A-Za-z]*s[A-Za-z]*$/.test(w)) return true;
    else if (!w.startsWith("-") && !w.startsWith("+")) return false;
  }
  return true;
}


/** The simple commands a line runs, with `sh -c`/`su -c` strings, `eval` and $( ) or backtick substitutions opened. */
export function expandedCommands(line: string, functions: Functions = NO_FUNCTIONS): string[][] {
  return walk(line, 0, functions).map((c) => c.words);
}

/** A script's functions that only pass their arguments on to one command (`oc() { openclaw "$@"; }`): name → that command's words. */
export type Functions = ReadonlyMap<string, readonly string[]>;
const NO_FUNCTIONS: Functions = new Map();

/** How deep strings inside strings are opened; a deeper one is a command the reader cannot place. */
const MAX_DEPTH = 8;

function walk(line: string, depth: number, functions: Functions): SimpleCommand[] {
  if (depth > MAX_DEPTH) return [{ words: ["$(nested too deep)"], piped: false, stdin: undefined, pipedFrom: false }];
  const words = shellWords(line);
  const out: SimpleCommand[] = [];
  for (const w of words) for (const inner of commandSubstitutions(w, true)) out.push(...walk(inner, depth + 1, functions));
  for (const cmd of commandsOf(words)) {
    const at = programIndex(cmd.words);
    const body = functions.get(cmd.words[at] ?? "");
    // A call of a pass-through function is its command with the call's arguments.
    const words2 = body ? [...cmd.words.slice(0, at), ...body, ...cmd.words.slice(at + 1)] : cmd.words;
    const nested = commandString(words2, programIndex(words2));
    if (nested !== undefined) out.push(...walk(nested, depth + 1, functions));
    else out.push({ ...cmd, words: words2 });
  }
  return out;
}

const FUNCTION_START = /^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)\s*\{(.*)$/s;

/**
 * The pass-through functions of a script's command lines, and the lines that are only their bodies (run when called).
 * A body that is one simple command ending in "$@" is read at each call; any other body stays a command line of its own.
 */
export function passThroughFunctions(lines: readonly string[]): { functions: Functions; bodies: ReadonlySet<number> } {
  const functions = new Map<string, readonly string[]>();
  const bodies = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const m = FUNCTION_START.exec(lines[i]);
    if (!m) continue;
    const inline = m[2].trim();
    let body: string;
    let end = i;
    if (inline !== "") {
      if (!/\}\s*;?\s*$/.test(inline)) continue;
      body = inline.replace(/;?\s*\}\s*;?\s*$/, "");
    } else {
      while (end + 1 < lines.length && !/^\s*\}\s*;?\s*$/.test(lines[end + 1])) end++;
      if (end + 1 >= lines.length || end !== i + 1) continue;
      body = lines[i + 1];
      end = i + 2;
    }
    const cmds = commandsOf(shellWords(body));
    const words = cmds[0]?.words ?? [];
    if (cmds.length !== 1 || words[words.length - 1] !== "$@" || words.slice(0, -1).some((w) => w.includes("$@"))) continue;
    functions.set(m[1], words.slice(0, -1));
    for (let j = i; j <= end; j++) bodies.add(j);
  }
  return { functions, bodies };
}

/** Every run of OpenClaw's CLI in one shell line, nested strings and substitutions included. */
export function openclawRuns(line: string, functions: Functions = NO_FUNCTIONS): OpenclawRun[] {
  return walk(line, 0, functions).flatMap((c) => runOf(c.words));
}

/** The OpenClaw run a simple command is, if it is one (a container of OpenClaw's image included). */
function runOf(words: readonly string[]): OpenclawRun[] {
  let cmd = [...words];
  const container = containerRunStart(cmd);
  // An OpenClaw image runs openclaw; another entrypoint runs its own program, judged as that command line.
  if (container) {
    cmd = [...cmd.slice(0, container.at), ...(container.entrypoint === undefined ? ["openclaw"] : shellWords(container.entrypoint)), ...cmd.slice(container.at + 1)];
    const nested = commandString(cmd, container.at);
    if (nested !== undefined) return openclawRuns(nested);
  }
  // `sudo -u openclaw openclaw ...`: a user or group named openclaw is an option's value, not the binary.
  const at = container && (container.entrypoint === undefined || OPENCLAW_BIN.test(container.entrypoint)) ? container.at : openclawOperand(cmd, container ? container.at : programIndex(cmd));
  if (at < 0) return [];
  const env: Record<string, string> = {};
  for (const w of cmd.slice(0, at)) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(w);
    if (m) env[m[1]] = m[2];
  }
  const run: OpenclawRun = { ...readArgs(cmd.slice(at + 1)), env };
  run.problem ??= shellComputed(run) ?? serviceWrapper(run);
  return [run];
}

/** Gateway RPC methods that read or mint a pairing code; any other method may change config, approvals or pairing. */
const GATEWAY_READ_METHOD = /^(?:health|status|[a-z]+(?:\.[a-z]+)*\.(?:get|list|status|lookup|schema)|device\.pair\.setupCode)$/i;

/** `daemon|gateway install --wrapper P` (or --runtime-path P): the service starts the gateway through P, whose flags this plan does not read. */
function serviceWrapper(run: OpenclawRun): string | undefined {
  const [sub, action] = run.args;
  if ((sub !== "daemon" && sub !== "gateway") || action !== "install") return undefined;
  const through = run.flags.wrapper ?? run.flags["runtime-path"];
  return through === undefined ? undefined : `installs the gateway service to start through \`${String(through)}\` (--wrapper, --runtime-path), which may add any flag`;
}

/**
 * A word of a run the shell computes ($X, ${X:-set}, $(...)) where it decides what the run does: in the subcommand,
 * or anywhere in a run that writes. A credential's value from a variable (`config set gateway.auth.token "$T"`) is the safe form.
 */
function shellComputed(run: OpenclawRun): string | undefined {
  const [sub, action, key] = run.args;
  if (sub !== undefined && expands(sub)) return `its subcommand comes from the shell (\`${sub}\`)`;
  if (!OPENCLAW_WRITING_SUBCOMMANDS.has(sub ?? "")) return undefined;
  // `gateway call METHOD`: the gateway's RPC (config.set, config.patch, exec.approvals.set, ...) changes what a file would.
  if (sub === "gateway" && action === "call") {
    const method = key ?? "";
    if (expands(method)) return `its gateway method comes from the shell (\`${method}\`)`;
    return GATEWAY_READ_METHOD.test(method) ? undefined : `\`gateway call ${method}\` asks the gateway to change its own state by RPC`;
  }
  const credentialValue = sub === "config" && action === "set" && key !== undefined && !expands(key) && isCredentialName(configKeyPath(key).split(".").pop() ?? "");
  const words = run.args.filter((_w, i) => !(credentialValue && i === 3));
  const computed = words.find(expands) ?? Object.keys(run.flags).find(expands) ?? Object.entries(run.flags).find(([name, v]) => typeof v === "string" && expands(v) && !isCredentialName(name))?.[1];
  return computed === undefined ? undefined : `a word of it comes from the shell (\`${computed}\`)`;
}

/** OpenClaw's subcommands that change its config, approvals or how it starts. */
export const OPENCLAW_WRITING_SUBCOMMANDS = new Set(["approvals", "exec-approvals", "exec-policy", "config", "gateway", "daemon", "onboard", "setup", "configure", "plugins", "channels", "agents"]);
const writing = [...OPENCLAW_WRITING_SUBCOMMANDS].join("|");
const SEP = String.raw`["'\s\[\],\\]+`;
/**
 * An OpenClaw CLI run spelled anywhere in a text (a quoted string, a list form, a cron line): the binary or package
 * name, root options, then a subcommand that writes. Not a path through openclaw's directories or a unit name.
 */
const RUN_IN_TEXT = new RegExp(
  String.raw`(?<![\w.@-])(?:[\w.@/-]*/)?openclaw(?:@[\w.^~-]+)?(?:\.m?js)?${SEP}(?:(?:--?[\w-]+(?:=[^\s"']*)?|\$[\w{(][^\s"']*)${SEP}(?:(?!-)(?!(?:${writing})\b)[^\s"',\]]+${SEP})?)*(?:${writing})(?![\w.-])`,
);

/** Does a text spell out an OpenClaw run that writes, however it is quoted or listed? */
export const spellsOpenclawRun = (text: string) => RUN_IN_TEXT.test(text);

/**
 * A word that could start OpenClaw's CLI: the bare name or a path ending in it, its .mjs/.js entry, a package spec, a file
 * of its package. Not a file or unit named after it (openclaw.json, openclaw-gateway.service, /var/lib/openclaw/state).
 */
export const NAMES_OPENCLAW = /(?:^|[\s"'=(`;|&])(?:[^\s"'=;|&()`]*\/)?openclaw(?:\.m?js)?(?=$|[\s"';|&)`])|(?:^|[\s"'=(`/])openclaw@|node_modules\/(?:openclaw\/|\.bin\/openclaw)/;

/** Programs that name OpenClaw's files, directories or user without running anything (a copy under another name excepted, below). */
const NAMES_WITHOUT_RUNNING = new Set([
  "mkdir", "rmdir", "rm", "chown", "chmod", "chgrp", "chattr", "setfacl", "getfacl", "useradd", "adduser", "groupadd", "addgroup", "usermod", "userdel", "groupdel",
  "gpasswd", "id", "getent", "passwd", "chage", "test", "[", "[[", "ls", "stat", "cd", "pushd", "systemctl", "journalctl", "loginctl", "mount", "umount", "mountpoint",
  "touch", "du", "df", "readlink", "realpath", "basename", "dirname", "sha256sum", "cat", "head", "tail", "grep", "wc", "diff", "cmp", "file", "systemd-tmpfiles",
  "export", "declare", "local", "readonly", "typeset", "true", ":",
]);
/** Programs that print their arguments: harmless unless their output is piped on (into a shell, xargs, ...); into a file, the file is judged. */
const PRINTS = new Set(["echo", "printf", "logger"]);
/** Programs that copy or link: harmless when the copy keeps OpenClaw's name (or goes into a directory). */
const COPIES_OR_LINKS = new Set(["cp", "install", "ln", "mv", "rsync"]);

/** OpenClaw 2026.9.6's top-level config keys (its strict schema): a JSON5 object of only these is an OpenClaw config. */
export const TOP_LEVEL_KEYS = new Set([
  "$schema", "meta", "env", "wizard", "diagnostics", "logging", "update", "telemetry", "browser", "ui", "secrets", "auth", "accessGroups",
  "acp", "models", "nodeHost", "agents", "worktreeRoot", "worktreeAcceleration", "tools", "security", "bindings", "broadcast", "attachments",
  "messages", "tts", "commands", "approvals", "session", "cron", "transcripts", "hooks", "channels", "discovery", "talk", "gateway",
  "cloudWorkers", "desktop", "memory", "mcp", "skills", "plugins", "surfaces", "proxy", "$include",
]);
/** Other CLIs with a `config set` of their own (npm config set proxy ...): their operands are theirs. */
const OWN_CONFIG_CLI = /^(?:npm|pnpm|yarn|bun|git|aws|gcloud|az|kubectl|helm|docker|podman|pip3?|conda|gh|tailscale|systemctl)$/;
/** OpenClaw's gateway, onboard and setup flags that decide where it listens and who may call it. */
const GATEWAY_FLAG = /^--(?:bind|auth|tailscale|token|password|port|gateway-[a-z-]+)(?:=|$)/;

/**
 * Operands only OpenClaw's CLI takes (`config set gateway.bind lan`, `approvals set`, `exec-policy preset`, `gateway --bind lan`):
 * a program by another name (a copy, a link, a wrapper, node and its dist entry) that runs them is OpenClaw.
 */
function openclawShaped(program: string, args: readonly string[]): boolean {
  if (OWN_CONFIG_CLI.test(program)) return false;
  // An interpreter's first operand is its script: the script's operands follow.
  const operands = (INTERPRETERS.test(program) ? args.slice(args.findIndex((a) => !a.startsWith("-")) + 1) : args).filter((a) => !a.startsWith("-"));
  const [sub, action, key] = operands;
  if (sub === "config" && /^(?:set|unset|patch)$/.test(action ?? "")) return action === "patch" || TOP_LEVEL_KEYS.has(configKeyPath(key ?? "").split(".")[0] ?? "");
  if (sub === "approvals" || sub === "exec-approvals" || sub === "exec-policy") return true;
  return /^(?:gateway|daemon|onboard|setup|configure)$/.test(sub ?? "") && args.some((a) => GATEWAY_FLAG.test(a));
}

/** Shell keywords and test brackets: never a program the shell computes, whatever follows. */
const KEYWORD = /^(?:\[\[|\[|\]\]|\(\(|\)\)|case|esac|in|fi|done|function|select|time)$/;

/** Why a simple command names OpenClaw (or a program the shell computes) in a way the reader cannot follow, or undefined. */
function unfollowed(cmd: SimpleCommand, previous: SimpleCommand | undefined, trusted: (script: string) => boolean): string | undefined {
  const { words } = cmd;
  if (runOf(words).length > 0) return undefined;
  const at = programIndex(words);
  const program = words[at];
  if (program === undefined || KEYWORD.test(program)) return undefined;
  // `$OC config set ...`, `${BIN:-openclaw} ...`, `$(command -v openclaw)`, `opencla[w] ...`: the shell decides what runs;
  // it may be OpenClaw when it names it, or when its first operand is OpenClaw's subcommand or also computed.
  const operand = words.slice(at + 1).find((a) => !a.startsWith("-")) ?? "";
  // Parameters, globs and brace expansion ({openclaw,config}) make the program word at run time.
  const computed = expands(program) || /[*?[]/.test(program) || /\{[^}]*,[^}]*\}/.test(program);
  // A program that is a command's output (eval "$(... | base64 -d)", `$(cat f) args`) may be anything; so may a whole
  // command line kept in a variable ($CMD alone); "$@" and "$1" are the caller's words.
  const substituted = /\$\(|`/.test(program);
  const wholeLine = at === words.length - 1 && !/^\$\{?[@*0-9#?]/.test(program);
  if (computed && (substituted || wholeLine || /openclaw/i.test(program) || words.slice(at + 1).some((a) => OPENCLAW_WRITING_SUBCOMMANDS.has(a)) || expands(operand))) {
    return `runs a program the shell names (\`${program.slice(0, 80)}\`)`;
  }
  // `cat <<EOF | sh`: the script reader took the heredoc off the line and read its body as the shell's script.
  const fromHeredoc = cmd.pipedFrom && previous?.words.length === 1 && previous.words[0] === "cat";
  if (readsStdin(words, at) && (cmd.stdin !== undefined || (cmd.pipedFrom && !fromHeredoc))) return `runs a shell on commands from its standard input (${cmd.stdin ?? "a pipe"})`;
  const name = path.posix.basename(program);
  const args = words.slice(at + 1);
  if (openclawShaped(name, args)) return `runs \`${name}\` with OpenClaw's own subcommands (\`${args.slice(0, 4).join(" ")}\`): OpenClaw under another name`;
  const named = args.filter((w) => NAMES_OPENCLAW.test(w));
  if (named.length === 0 || NAMES_WITHOUT_RUNNING.has(name)) return undefined;
  if (PRINTS.has(name) && !cmd.piped) return undefined;
  if (/^(?:npm|pnpm|yarn|bun)$/.test(name) && /^(?:install|i|ci|add|uninstall|remove|rm|view|info|pack)$/.test(args.find((a) => !a.startsWith("-")) ?? "")) return undefined;
  if (COPIES_OR_LINKS.has(name)) {
    const operands = args.filter((a) => !a.startsWith("-"));
    const dest = operands[operands.length - 1] ?? "";
    if ((name === "install" && args.some((a) => /^-[A-Za-z]*d/.test(a))) || /(?:^|\/)openclaw(?:\.m?js)?$/.test(dest) || dest.endsWith("/")) return undefined;
  }
  // The kit's own wrappers (the secrets gate), recognised by their exact content.
  if (INTERPRETERS.test(name) && trusted(args.find((a) => !a.startsWith("-")) ?? "")) return undefined;
  return `names openclaw (\`${named[0].slice(0, 80)}\`) as an argument of ${name}, which may run it under another name`;
}

/**
 * Why a line may run OpenClaw where the reader cannot follow it, or undefined: every word that names OpenClaw must be a run
 * the reader placed or an argument of a program that does not run it; a program the shell computes is not followed either.
 */
export function unfollowedOpenclaw(line: string, trusted: (script: string) => boolean = () => false, functions: Functions = NO_FUNCTIONS): string | undefined {
  const cmds = walk(line, 0, functions);
  for (const [i, cmd] of cmds.entries()) {
    const why = unfollowed(cmd, cmds[i - 1], trusted);
    if (why) return why;
  }
  return undefined;
}

/**
 * A `config set/unset` path as plain dots: OpenClaw 2026.9.6 (dist/dot-path-*.mjs) also takes brackets, quoted or
 * not, trims each part and drops a backslash before a character, so `gateway["auth"]` and ` gateway . auth ` are gateway.auth.
 */
export function configKeyPath(raw: string): string {
  return raw.replace(/\\(.)/g, "$1").replace(/\[\s*(["']?)(.*?)\1\s*\]/g, ".$2").split(".").map((k) => k.trim()).filter(Boolean).join(".");
}
