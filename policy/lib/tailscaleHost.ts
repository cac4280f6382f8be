// Tailscale Funnel turned on from a host: every way a host payload can publish a port to the internet
// with Tailscale. The CLI (`tailscale [--socket X] funnel ...`, `serve --funnel`, the old
// `serve funnel 443 on`), a serve config whose AllowFunnel maps a host:port to true (TS_SERVE_CONFIG
// of the tailscale container, `serve set-raw`, a LocalAPI POST), wherever its JSON is written.
// What the plan cannot read (a serve config loaded from a file it does not see, the LocalAPI) is blind.
import { redactCredentials } from "../../stacks/secretShapes";
import { shellWords } from "./shellScript";
import type { HostPayload } from "./userData";

export interface FunnelFindings {
  /** Where the host publishes with Funnel. */
  funnels: string[];
  /** Where the host sets Tailscale's serve state by a means the plan cannot read. */
  blind: string[];
}

/** The tailscale CLI's global flags that take a value (`--socket X`); everything else before the subcommand is a boolean. */
const GLOBAL_VALUE_FLAGS = new Set(["--socket", "-socket"]);
/** Words that end one simple command in a line. */
const SEPARATORS = new Set(["&&", "||", ";", "|", "&"]);
const FUNNEL_OFF = new Set(["off", "reset", "status", "help", "--help", "-h"]);
/** A word that may be the tailscale binary: its path, or a variable holding it (`"$ts" funnel 443`). */
const TAILSCALE_WORD = /^(?:.*\/)?tailscale$|^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/;

/** A serve config's AllowFunnel key, as JSON (maybe escaped inside a string) or YAML writes it; Go's JSON decoder ignores key case. */
const ALLOW_FUNNEL_KEY = /\\*["']?allowfunnel\\*["']?\s*:/gi;
/** The environment variable the tailscale container reads its serve config from. */
const SERVE_CONFIG_ENV = /\bTS_SERVE_CONFIG\s*=\s*["']?([^\s"']*)/;
/** A serve config's own keys (ipn.ServeConfig): a JSON text with them is a serve config the plan can see. */
const SERVE_CONFIG_SHAPE = /["'](?:TCP|Web|Services|AllowFunnel)["']\s*:/i;

/** The subcommand and its arguments of one tailscale invocation starting at words[at] (the binary). */
function invocation(words: string[], at: number): { sub: string; args: string[] } | undefined {
  let i = at + 1;
  while (i < words.length && words[i].startsWith("-")) {
    const flag = words[i].split("=")[0];
    i += GLOBAL_VALUE_FLAGS.has(flag) && !words[i].includes("=") ? 2 : 1;
  }
  if (i >= words.length) return undefined;
  const end = words.findIndex((w, j) => j > i && SEPARATORS.has(w));
  return { sub: words[i], args: words.slice(i + 1, end < 0 ? undefined : end) };
}

/** Why one tailscale invocation turns Funnel on ("publishes"), cannot be read ("blind"), or undefined. */
function judgeInvocation(sub: string, args: string[]): "publishes" | "blind" | undefined {
  const positional = args.filter((a) => !a.startsWith("-"));
  const switchedOn = (name: string) => args.some((a) => a === `--${name}` || a === `-${name}` || a === `--${name}=true` || a === `-${name}=true`);
  if (sub === "funnel") {
    if (args.some((a) => FUNNEL_OFF.has(a))) return undefined;
    return positional.length > 0 || args.some((a) => /^--(?:https|tcp|tls-terminated-tcp|set-path)(=|$)/.test(a)) ? "publishes" : undefined;
  }
  if (sub !== "serve") return undefined;
  if (switchedOn("funnel")) return "publishes";
  // The pre-1.52 form: `tailscale serve funnel 443 on`.
  if (positional[0] === "funnel") return positional.includes("off") ? undefined : "publishes";
  // A whole serve config from stdin or a file: its AllowFunnel is judged where the plan sees the JSON, else blind.
  if (positional[0] === "set-raw" || positional[0] === "set-config") return "blind";
  return undefined;
}

/** The balanced {...} (or null) starting at text[from] after blanks; undefined when something else is there. */
function objectAt(text: string, from: number): string | undefined {
  const start = text.slice(from).search(/\S/);
  if (start < 0) return undefined;
  const i = from + start;
  if (text.startsWith("null", i)) return "";
  if (text[i] !== "{") return undefined;
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === "{") depth++;
    else if (text[j] === "}" && --depth === 0) return text.slice(i, j + 1);
  }
  return undefined;
}

/** Every AllowFunnel in `text`: true when one maps a host:port to true, "blind" when one cannot be read. */
function allowFunnelIn(text: string): "publishes" | "blind" | undefined {
  let verdict: "blind" | undefined;
  for (const m of text.matchAll(ALLOW_FUNNEL_KEY)) {
    const obj = objectAt(text, m.index + m[0].length);
    if (obj === undefined) verdict = "blind";
    else if (/:\s*true\b/i.test(obj)) return "publishes";
  }
  return verdict;
}

/** Each tailscale invocation in one shell line, judged: "publishes" (Funnel on), "blind" (a serve config set unseen). */
export function tailscaleInvocations(line: string): Array<"publishes" | "blind"> {
  const words = shellWords(line);
  const out: Array<"publishes" | "blind"> = [];
  for (let i = 0; i < words.length; i++) {
    if (!TAILSCALE_WORD.test(words[i])) continue;
    const inv = invocation(words, i);
    const verdict = inv && judgeInvocation(inv.sub, inv.args);
    // Only the real binary's set-raw is blind; a variable's `serve set-config` could be anything's.
    if (verdict === "publishes" || (verdict === "blind" && !words[i].startsWith("$"))) out.push(verdict);
  }
  return out;
}

/** Every way `payload` turns Tailscale Funnel on, and every Tailscale serve state it sets unseen. */
export function funnelOnHost(payload: HostPayload): FunnelFindings {
  const funnels: string[] = [];
  const blind: string[] = [];
  for (const cmd of payload.commands) {
    const where = `${cmd.via}: ${redactCredentials(cmd.line)}`;
    for (const verdict of tailscaleInvocations(cmd.line)) {
      if (verdict === "publishes") funnels.push(`${where} publishes with Tailscale Funnel (public internet)`);
      else blind.push(`${where} loads a Tailscale serve config the plan cannot read (its AllowFunnel decides whether the gateway is public)`);
    }
    if (/localapi\/v0\/serve-config/.test(cmd.line) && !/-X\s*GET\b/.test(cmd.line)) {
      if (allowFunnelIn(cmd.line) === "publishes") funnels.push(`${where} sets a serve config with AllowFunnel on through the LocalAPI (public internet)`);
      else blind.push(`${where} sets Tailscale's serve config through the LocalAPI; the plan cannot read what it sets`);
    }
  }
  let seenServeConfig = false;
  const judged = new Set<string>();
  for (const f of payload.files) {
    if (f.content === undefined) continue;
    judged.add(f.content);
    if (SERVE_CONFIG_SHAPE.test(f.content)) seenServeConfig = true;
    const verdict = allowFunnelIn(f.content);
    if (verdict === "publishes") funnels.push(`${f.via} ${f.path}: a Tailscale serve config with AllowFunnel true (public internet)`);
    else if (verdict === "blind") blind.push(`${f.via} ${f.path}: an AllowFunnel the plan cannot read`);
  }
  // Texts the files do not cover (a container's environment, a raw document): the same two questions.
  let serveConfigEnv: string | undefined;
  for (const t of payload.texts) {
    const env = SERVE_CONFIG_ENV.exec(t.text);
    if (env) serveConfigEnv ??= `${t.where}: TS_SERVE_CONFIG=${env[1]}`;
    if (judged.has(t.text) || funnels.length > 0) continue;
    if (allowFunnelIn(t.text) === "publishes") funnels.push(`${t.where}: a Tailscale serve config with AllowFunnel true (public internet)`);
  }
  for (const c of payload.commands) {
    const env = SERVE_CONFIG_ENV.exec(c.line);
    if (env) serveConfigEnv ??= `${c.via}: TS_SERVE_CONFIG=${env[1]}`;
  }
  if (serveConfigEnv && !seenServeConfig) blind.push(`${serveConfigEnv}: the tailscale container loads a serve config the plan cannot read (its AllowFunnel decides whether the gateway is public)`);
  return { funnels: [...new Set(funnels)], blind: [...new Set(blind)] };
}
