// What a shell script (user data #!, a cloud-init runcmd line, a boothook) puts on a host: the files
// it writes (heredocs, echo/printf redirects, `... | base64 -d > file`) and the commands it runs.
// Not a shell: it reads the forms host scripts use to lay down files, and leaves the rest as commands.
import * as zlib from "node:zlib";

/** A shell's program name (sh, bash, dash, ksh, zsh, ash): a basename, not a path. */
export const SHELL_NAME = /^(?:ba|da|k|z|a)?sh$/;

export interface ScriptFile {
  path: string;
  /** undefined when the script writes it from something this reader cannot see (a variable, a download). */
  content?: string;
  append: boolean;
}

export interface ScriptEffects {
  files: ScriptFile[];
  /** Command lines (continuations joined, comments and heredoc bodies removed), in order. */
  commands: string[];
  /** Heredoc bodies fed to a command rather than a file (e.g. `openclaw config patch <<EOF`), with that command. */
  inputs: Array<{ head: string; text: string }>;
  /** Lines this reader cannot take apart (two heredocs on one line). */
  problems: string[];
}

/** `<<WORD`, `<<-WORD`: the delimiter is the whole word with its quotes removed (E'OF' is EOF). */
const HEREDOC = /(?<!<)<<(?!<)(-?)[ \t]*((?:[A-Za-z_]|'[^'\n]*'|"[^"\n]*"|\\.)(?:[A-Za-z0-9_.-]|'[^'\n]*'|"[^"\n]*"|\\.)*)/;
const delimiter = (word: string) => word.replace(/'([^']*)'|"([^"]*)"|\\(.)/g, (_m, a?: string, b?: string, e?: string) => a ?? b ?? e ?? "");
const REDIRECT = /(>>?)[ \t]*(["']?)([^\s"'`;&|<>()]+)\2/;
const TEE = /\btee[ \t]+((?:-[a-z]+[ \t]+)*)(["']?)([^\s"'`;&|<>()]+)\2/;
const DECODES_BASE64 = /\bbase64[ \t]+(?:-d|--decode|-D)\b|\bopenssl[ \t]+(?:enc[ \t]+)?-?base64[ \t]+-d\b/;
const GUNZIPS = /\b(?:gunzip|zcat|gzip[ \t]+-d[a-z]*)\b/;


/** The line with quoted text, $'...' and $(( )) blanked out, same length: what is left is the shell's own syntax. */
function maskQuoted(line: string): string {
  let out = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    const close = c === "'" ? "'" : c === '"' ? '"' : c === "$" && line[i + 1] === "'" ? "'" : line.startsWith("$((", i) ? "))" : undefined;
    if (close === undefined) {
      out += c;
      continue;
    }
    let j = i + (c === "$" ? 2 : 1);
    for (; j < line.length && !line.startsWith(close, j); j++) if (line[j] === "\\" && close !== "'") j++;
    const end = Math.min(line.length, j + close.length);
    out += "_".repeat(end - i);
    i = end - 1;
  }
  return out;
}



/**
 * One pass over a line as the shell reads it: where a comment starts (a `#` that begins a word outside quotes, `${...}`,
 * `$(...)` and backticks), whether it ends inside an open quote, and whether a backslash outside a comment continues it.
 */
function scanLine(line: string): { commentAt?: number; open: boolean; continued: boolean } {
  let quote: string | undefined;
  let depth = 0;
  let wordStart = true;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    const startsWord = wordStart;
    wordStart = false;
    if (quote) {
      if (c === "\\" && quote !== "'") i++;
      else if (c === quote[quote.length - 1]) quote = undefined;
    } else if (c === "$" && line[i + 1] === "'") {
      quote = "$'";
      i++;
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "\\") {
      if (i === line.length - 1) return { open: false, continued: true };
      i++;
    } else if (c === "$" && (line[i + 1] === "{" || line[i + 1] === "(")) {
      depth++;
      i++;
    } else if (depth > 0 && (c === "}" || c === ")")) depth--;
    else if (depth === 0 && c === "#" && startsWord) return { commentAt: i, open: false, continued: false };
    else if (/\s/.test(c) || (depth === 0 && /[;&|()]/.test(c))) wordStart = true;
  }
  return { open: quote !== undefined, continued: false };
}

/** Remove a trailing `# comment`, as the shell reads it (scanLine). */
export function stripComment(line: string): string {
  const at = scanLine(line).commentAt;
  return at === undefined ? line : line.slice(0, at).trimEnd();
}

/**
 * The command lines inside a text's `$( )` and backticks (inside `$(( ))` too), and with `processSubstitution` its
 * `<( )` and `>( )`: each a line the shell runs before the command it is part of.
 */
export function commandSubstitutions(text: string, processSubstitution = false): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "`") {
      const end = text.indexOf("`", i + 1);
      out.push(text.slice(i + 1, end < 0 ? text.length : end));
      i = end < 0 ? text.length : end;
    } else if (text.startsWith("$((", i)) {
      // Arithmetic is not a command, but a $( ) inside it is.
      i += 2;
    } else if ((text[i] === "$" || (processSubstitution && /[<>]/.test(text[i]))) && text[i + 1] === "(") {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === "(") depth++;
        else if (text[j] === ")" && --depth === 0) break;
      }
      out.push(text.slice(i + 2, j));
      i = j;
    }
  }
  return out.map((c) => c.trim()).filter(Boolean);
}

/** Bytes of a base64 text, gunzipped when the command pipes through gunzip (or the bytes are gzip). */
function decodeBlob(b64: string, gunzip: boolean): string | undefined {
  const compact = b64.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  let buf = Buffer.from(compact, "base64");
  if (gunzip || (buf[0] === 0x1f && buf[1] === 0x8b)) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch {
      return undefined;
    }
  }
  return buf.toString("utf8");
}

/** The printed text of `echo ...`/`printf ...` (quotes removed; printf's \n, \t and %% read). */
function printed(cmd: string): string | undefined {
  const m = /^(?:.*?[;&|]\s*)?(echo|printf)((?:[ \t]+-[neE]+)*)[ \t]+(.*)$/.exec(cmd);
  if (!m) return undefined;
  const args = m[3].replace(/[ \t]*(?:\||>>?|2>).*$/s, "");
  const words: string[] = [];
  for (const w of args.matchAll(/'([^']*)'|"((?:\\.|[^"\\])*)"|(\S+)/g)) words.push(w[1] ?? (w[2] !== undefined ? w[2].replace(/\\(["\\$`])/g, "$1") : w[3]));
  const text = words.join(" ");
  if (m[1] === "printf") return text.replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/%%/g, "%");
  return /e/.test(m[2]) ? text.replace(/\\n/g, "\n").replace(/\\t/g, "\t") : `${text}\n`;
}

function target(cmd: string): { path: string; append: boolean } | undefined {
  // install/cp/dd reading the heredoc from /dev/stdin.
  const stdin = /\/dev\/stdin[ \t]+(["']?)(\/[^\s"'`;&|<>()]+)\1/.exec(cmd) ?? /\bof=(["']?)(\/[^\s"'`;&|<>()]+)\1/.exec(cmd);
  if (stdin) return { path: stdin[2], append: false };
  const tee = TEE.exec(cmd);
  if (tee) return { path: tee[3], append: /-a\b|--append/.test(tee[1]) };
  // Standard error's redirection (2>>log) is not where the heredoc goes.
  const r = REDIRECT.exec(cmd.replace(/\d?>&\d|&>\/dev\/null|\d?>\s*\/dev\/null|[2-9]>>?[ \t]*\S+/g, ""));
  return r ? { path: r[3], append: r[1] === ">>" } : undefined;
}

export function shellEffects(script: string): ScriptEffects {
  const lines = script.split(/\r?\n/);
  const out: ScriptEffects = { files: [], commands: [], inputs: [], problems: [] };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    // A line continues after an odd number of trailing backslashes outside a comment, or while a quote is open.
    for (;;) {
      const scan = scanLine(line);
      if (scan.open && i + 1 < lines.length) line = `${line}\n${lines[++i]}`;
      else if (scan.continued && i + 1 < lines.length) line = `${line.slice(0, -1).trimEnd()} ${lines[++i].trimStart()}`;
      else break;
    }
    if (i === 0 && line.startsWith("#!")) continue;
    const cmd = stripComment(line).trim();
    if (cmd === "") continue;
    // A heredoc operator outside quotes and arithmetic (echo 'a <<b' and $((1 << 2)) are not one).
    const masked = maskQuoted(cmd);
    const ops = [...masked.matchAll(new RegExp(HEREDOC.source, "g"))];
    if (ops.length > 1) out.problems.push(`\`${cmd.slice(0, 120)}\`: ${ops.length} heredocs on one line`);
    const doc = ops.length > 0 ? HEREDOC.exec(cmd.slice(ops[0].index)) : null;
    if (doc) {
      const body: string[] = [];
      while (i + 1 < lines.length) {
        const next = lines[++i];
        if ((doc[1] === "-" ? next.replace(/^\t+/, "") : next) === delimiter(doc[2])) break;
        body.push(doc[1] === "-" ? next.replace(/^\t+/, "") : next);
      }
      const text = body.length > 0 ? `${body.join("\n")}\n` : "";
      const head = `${cmd.slice(0, ops[0].index)}${cmd.slice(ops[0].index + doc[0].length)}`.replace(/[ \t]{2,}/g, " ").trim();
      out.commands.push(head.trim());
      // An unquoted delimiter: the shell runs the body's $( ) and backticks before the command reads it.
      if (!/['"\\]/.test(doc[2])) out.commands.push(...commandSubstitutions(text));
      const content = DECODES_BASE64.test(head) ? decodeBlob(text, GUNZIPS.test(head)) : text;
      const to = target(head);
      if (to) out.files.push({ ...to, content });
      else out.inputs.push({ head, text: content ?? text });
      continue;
    }
    out.commands.push(cmd);
    const to = target(cmd);
    if (!to) continue;
    const words = printed(cmd);
    if (words !== undefined && DECODES_BASE64.test(cmd)) out.files.push({ ...to, content: decodeBlob(words, GUNZIPS.test(cmd)) });
    else if (words !== undefined && !/\|/.test(cmd.slice(0, cmd.indexOf(to.path)))) out.files.push({ ...to, content: words });
    else out.files.push({ ...to, content: undefined });
  }
  return out;
}

/** `$'...'` as bash reads it: backslash escapes for quotes, \\, \n, \t, \r, \e, \xHH, \uHHHH, \UHHHHHHHH and \NNN (octal). */
function ansiC(body: string): string {
  return body.replace(/\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (/^[xuU]./.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: "\n", t: "\t", r: "\r", e: "\x1b", a: "\x07", b: "\b", f: "\f", v: "\v" } as Record<string, string>)[e] ?? e;
  });
}

/** Where a substitution whose "(" or backtick is at `i` ends (exclusive): `$(...)`, `<(...)` and backticks stay one word's text. */
function substitutionEnd(line: string, i: number): number {
  if (line[i] === "`") {
    for (let j = i + 1; j < line.length; j++) if (line[j] === "\\") j++;
    else if (line[j] === "`") return j + 1;
    return line.length;
  }
  let depth = 1;
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (c === "\\") j++;
    else if (c === "'") j = Math.max(j, line.indexOf("'", j + 1));
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return j + 1;
  }
  return line.length;
}

/**
 * Split a command line into words as the shell does before expansion: quotes ('', "", $'') removed, a backslash
 * outside quotes escaping the next character, and the control operators (; & && | || ;; ( )) words of their own
 * even when written against a word. `$(...)` and backticks stay in their word unexpanded; redirections stay words.
 */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  const end = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (/\s/.test(c)) end();
    else if (c === "\\") {
      if (i + 1 < cmd.length) word += cmd[++i];
      inWord = true;
    } else if (c === "'") {
      const close = cmd.indexOf("'", i + 1);
      word += cmd.slice(i + 1, close < 0 ? cmd.length : close);
      i = close < 0 ? cmd.length : close;
      inWord = true;
    } else if (c === "$" && cmd[i + 1] === "'") {
      let j = i + 2;
      while (j < cmd.length && cmd[j] !== "'") j += cmd[j] === "\\" ? 2 : 1;
      word += ansiC(cmd.slice(i + 2, j));
      i = j;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < cmd.length && cmd[j] !== '"'; j++) {
        if (cmd[j] === "\\" && /["\\$`]/.test(cmd[j + 1] ?? "")) word += cmd[++j];
        else if (cmd[j] === "\\" && cmd[j + 1] === "\n") j++;
        else if ((cmd[j] === "$" && cmd[j + 1] === "(") || cmd[j] === "`") {
          const e = substitutionEnd(cmd, cmd[j] === "`" ? j : j + 1);
          word += cmd.slice(j, e);
          j = e - 1;
        } else word += cmd[j];
      }
      i = j;
      inWord = true;
    } else if ((/[$<>]/.test(c) && cmd[i + 1] === "(") || c === "`") {
      const e = substitutionEnd(cmd, c === "`" ? i : i + 1);
      word += cmd.slice(i, e);
      i = e - 1;
      inWord = true;
    } else if (c === "(" && inWord && /^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=$/.test(word)) {
      // An array assignment, name=( ... ): one word, as the shell reads it.
      const e = substitutionEnd(cmd, i);
      word += cmd.slice(i, e);
      i = e - 1;
    } else if (/[;&|()]/.test(c) && !(c === "&" && (/[<>]/.test(cmd[i - 1] ?? "") || cmd[i + 1] === ">"))) {
      end();
      const op = /^(?:;;|&&|\|\||[;&|()])/.exec(cmd.slice(i))![0];
      words.push(op);
      i += op.length - 1;
    } else {
      word += c;
      inWord = true;
    }
  }
  end();
  return words;
}
