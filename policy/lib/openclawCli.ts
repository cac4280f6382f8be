// Where a shell line runs OpenClaw's CLI and with what: every run in the line (after ; && || | & and in
// { } ( ) if/for bodies), inside `sh -c`/`su -c` strings, `eval` and $( ) or backtick substitutions, with its
// arguments read as OpenClaw 2026.9.6 reads them (its root options, config set/unset options, `--`).
// A run the reader cannot place, or whose key it cannot know, is reported, never passed unseen:
// `unplacedRuns` counts OpenClaw runs in the raw text and compares them with what was placed.
import * as path from "node:path";
import { shellWords } from "./shellScript";
import { OPENCLAW_IMAGE } from "./userData";

export const OPENCLAW_BIN = /(?:^|\/)openclaw(?:\.mjs|\.js)?$|^openclaw@/;
/** Options whose next word is a user or group name (sudo -u, sudo -iu, runuser -u, setpriv --reuid, env -u VAR, ...). */
const USER_OPTION = /^(?:-[A-Za-z]*[ug]|-l|--user|--group|--login|--reuid|--regid|--setuid|--setgid|--unset)$/;
/** What precedes the program without being it. */
export const PREFIX = new Set(["sudo", "doas", "env", "nohup", "exec", "command", "time", "timeout", "setsid", "nice", "ionice", "stdbuf", "runuser"]);
/** Interpreters whose first operand is the program they run. */
export const INTERPRETERS = /^(?:node|nodejs|bun|deno|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|(?:ba|da|k|z|a)?sh)$/;
/** Words that end one simple command and start the next (or open a compound one). */
const COMMAND_START = /^(?:&&|\|\||;|;;|\||&|\(|\)|\{|\}|then|do|else|elif|!|if|while|until)$/;
const OPERATOR = /^(?:;|;;|&&|\|\||\||&)$/;
const REDIRECT_ALONE = /^\d?(?:>>?|<|>\||<>)$|^&>>?$/;
const REDIRECT_JOINED = /^\d?(?:>>?|<|>&|<&)\S|^&>>?\S/;

/** Simple commands of a line (split on ; && || | & and the words that open a compound command), each without its redirections. */
export function simpleCommands(line: string): string[][] {
  return commandsOf(shellWords(line));
}

function commandsOf(words: readonly string[]): string[][] {
  const out: string[][] = [[]];
  for (const w of words) {
    if (COMMAND_START.test(w) && (OPERATOR.test(w) || out[out.length - 1].length === 0 || /^[(){}]$/.test(w))) out.push([]);
    else out[out.length - 1].push(w);
  }
  return out
    .map((ws) => {
      const kept: string[] = [];
      for (let i = 0; i < ws.length; i++) {
        if (REDIRECT_ALONE.test(ws[i])) i++;
        else if (!REDIRECT_JOINED.test(ws[i])) kept.push(ws[i]);
      }
      return kept;
    })
    .filter((w) => w.length > 0);
}

/** Where the program of the simple command starting at `from` sits: past VAR=value words and prefixes (sudo -u X, nice -n 10, timeout 60). */
export function programIndex(words: readonly string[], from = 0): number {
  let i = from;
  while (i < words.length) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) i++;
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
  while (j < words.length && (words[j].startsWith("-") || /^(?:exec|dlx|x)$/.test(words[j]))) j++;
  return j < words.length && OPENCLAW_BIN.test(words[j]) ? j : -1;
}

/** Container runtimes' options that take no value (the rest take the next word). */
const RUN_BOOLEAN_OPTION = /^(?:-[dirtP]+|--(?:detach|rm|interactive|tty|privileged|init|read-only|publish-all|no-healthcheck|oom-kill-disable|sig-proxy|quiet|replace|systemd=\S+))$/;

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
      else if (!w.includes("=") && !RUN_BOOLEAN_OPTION.test(w)) i++;
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
  if (name === "eval") return words.slice(at + 1).join(" ");
  const shell = /^(?:ba|da|k|z|a)?sh$/.test(name);
  if (!shell && name !== "su" && name !== "runuser") return undefined;
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i];
    const long = /^--command(?:=(.*))?$/s.exec(w);
    if (long && !shell) return long[1] ?? words[i + 1];
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(w)) return words[i + 1];
    if (shell && !w.startsWith("-")) return undefined;
  }
  return undefined;
}

/** The texts of a word's $( ) and backtick substitutions (each a command line the shell runs). */
function substitutions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) {
    if (word[i] === "`") {
      const end = word.indexOf("`", i + 1);
      out.push(word.slice(i + 1, end < 0 ? word.length : end));
      i = end < 0 ? word.length : end;
    } else if (/[$<>]/.test(word[i]) && word[i + 1] === "(") {
      let depth = 0;
      let j = i + 1;
      for (; j < word.length; j++) {
        if (word[j] === "(") depth++;
        else if (word[j] === ")" && --depth === 0) break;
      }
      out.push(word.slice(i + 2, j));
      i = j;
    }
  }
  return out;
}

/** The simple commands a line runs, with `sh -c`/`su -c` strings, `eval` and $( ) or backtick substitutions opened. */
export function expandedCommands(line: string, depth = 0): string[][] {
  if (depth > 4) return [];
  const words = shellWords(line);
  const out: string[][] = [];
  for (const w of words) for (const inner of substitutions(w)) out.push(...expandedCommands(inner, depth + 1));
  for (const cmd of commandsOf(words)) {
    const nested = commandString(cmd, programIndex(cmd));
    if (nested !== undefined) out.push(...expandedCommands(nested, depth + 1));
    else out.push(cmd);
  }
  return out;
}

/** Every run of OpenClaw's CLI in one shell line, nested strings and substitutions included. */
export function openclawRuns(line: string): OpenclawRun[] {
  const runs: OpenclawRun[] = [];
  for (let cmd of expandedCommands(line)) {
    const container = containerRunStart(cmd);
    // An OpenClaw image runs openclaw; another entrypoint runs its own program, judged as that command line.
    if (container) {
      cmd = [...cmd.slice(0, container.at), ...(container.entrypoint === undefined ? ["openclaw"] : shellWords(container.entrypoint)), ...cmd.slice(container.at + 1)];
      const nested = commandString(cmd, container.at);
      if (nested !== undefined) {
        runs.push(...openclawRuns(nested));
        continue;
      }
    }
    // `sudo -u openclaw openclaw ...`: a user or group named openclaw is an option's value, not the binary.
    const at = container && (container.entrypoint === undefined || OPENCLAW_BIN.test(container.entrypoint)) ? container.at : openclawOperand(cmd, container ? container.at : programIndex(cmd));
    if (at < 0) continue;
    const env: Record<string, string> = {};
    for (const w of cmd.slice(0, at)) {
      const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(w);
      if (m) env[m[1]] = m[2];
    }
    runs.push({ ...readArgs(cmd.slice(at + 1)), env });
  }
  return runs;
}

/** OpenClaw's subcommands that change its config, approvals or how it starts. */
export const OPENCLAW_WRITING_SUBCOMMANDS = new Set(["approvals", "exec-approvals", "exec-policy", "config", "gateway", "onboard", "setup", "configure", "plugins", "channels", "agents"]);
const writing = [...OPENCLAW_WRITING_SUBCOMMANDS].join("|");
const SEP = String.raw`["'\s\[\],\\]+`;
/**
 * An OpenClaw CLI run spelled anywhere in a text (a quoted string, a list form, a cron line): the binary or package
 * name, root options, then a subcommand that writes. Not a path through openclaw's directories or a unit name.
 */
const RUN_IN_TEXT = new RegExp(
  String.raw`(?<![\w.@-])(?:[\w.@/-]*/)?openclaw(?:@[\w.^~-]+)?(?:\.m?js)?${SEP}(?:--?[\w-]+(?:=[^\s"']*)?${SEP}(?:(?!-)(?!(?:${writing})\b)[^\s"',\]]+${SEP})?)*(?:${writing})(?![\w.-])`,
  "g",
);

/** How many OpenClaw runs that write a text spells out, however it is quoted or nested. */
export function runsInText(text: string): number {
  return [...text.matchAll(RUN_IN_TEXT)].length;
}

/**
 * Lines that spell more writing OpenClaw runs than the reader placed: openclaw piped into a shell, written to
 * a cron table, run by xargs or anything else the reader does not follow. The caller cannot judge those.
 */
export function unplacedRuns(line: string): boolean {
  const placed = openclawRuns(line).filter((r) => OPENCLAW_WRITING_SUBCOMMANDS.has(r.args[0] ?? "")).length;
  return runsInText(line) > placed;
}

/**
 * A `config set/unset` path as plain dots: OpenClaw 2026.9.6 (dist/dot-path-*.mjs) also takes brackets, quoted or
 * not, trims each part and drops a backslash before a character, so `gateway["auth"]` and ` gateway . auth ` are gateway.auth.
 */
export function configKeyPath(raw: string): string {
  return raw.replace(/\\(.)/g, "$1").replace(/\[\s*(["']?)(.*?)\1\s*\]/g, ".$2").split(".").map((k) => k.trim()).filter(Boolean).join(".");
}
