// What a leaked credential looks like: provider key formats, and long random tokens assigned to a
// name that says token/secret/password/key. The one home of these shapes: the policy pack's secret
// scan, the host-file leak check and the CloudWatch masking identifiers all read them from here.
// Messages name the kind of key, never the value. Encoded values (base64, base64url, hex, URL- and
// JSON-escaping, gzip) are decoded first: an encoding is not a secret store.
import * as zlib from "node:zlib";

export interface SecretShape {
  /** What a finding says, e.g. "an Anthropic API key (sk-ant-...)". */
  kind: string;
  re: RegExp;
  /**
   * The CloudWatch Logs custom data identifier that masks this shape in log groups, where one can:
   * CloudWatch allows no groups or alternations, so the mask may be broader than `re`, never narrower
   * (secretShapes.test.ts checks each mask matches its shape's samples).
   */
  logMask?: { name: string; regex: string };
}

const TAILSCALE = "tskey-[A-Za-z0-9_-]{10,}";

export const SECRET_SHAPES: readonly SecretShape[] = [
  { kind: "an Anthropic API key (sk-ant-...)", re: /sk-ant-[A-Za-z0-9_-]{20,}/, logMask: { name: "AnthropicApiKey", regex: "sk-ant-[A-Za-z0-9_-]{20,}" } },
  {
    kind: "an OpenAI API key (sk-proj-/sk-svcacct-/sk-admin-...)",
    re: /sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}/,
    logMask: { name: "OpenAiApiKey", regex: "sk-[A-Za-z0-9_-]{20,}" },
  },
  { kind: "an OpenAI API key (legacy sk-...)", re: /\bsk-[A-Za-z0-9]{32,}/ },
  { kind: "an AWS access key id (AKIA.../ASIA...)", re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  // Takes "_" anywhere in the tail: Tailscale's keys are base64url (an early "_" once slipped past [A-Za-z0-9-]).
  { kind: "a Tailscale key (tskey-...)", re: new RegExp(`\\b${TAILSCALE}`), logMask: { name: "TailscaleKey", regex: TAILSCALE } },
  { kind: "a GitHub token (ghp_/gho_/ghs_/github_pat_...)", re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/ },
  { kind: "a Slack token (xoxb-/xoxp-/xoxe-/xapp-...)", re: /\b(?:xox[abeprs](?:\.xox[bp])?|xapp)-[A-Za-z0-9-]{20,}/ },
  // Chat-channel and provider credentials OpenClaw channels and models take (docs/channels/*, pinned 2026.9.6).
  { kind: "a Telegram bot token (digits:35 chars)", re: /(?<![A-Za-z0-9_:-])[0-9]{5,12}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/ },
  { kind: "a Discord bot token (id.timestamp.hmac)", re: /(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])/ },
  { kind: "a Meta/WhatsApp Cloud API access token (EAA...)", re: /\bEAA[A-Za-z0-9]{80,}/ },
  { kind: "a Matrix access token (syt_/mat_/mct_...)", re: /\b(?:syt|mat|mct)_[A-Za-z0-9_]{20,}/ },
  { kind: "a Google API key (AIza...)", re: /\bAIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/ },
  { kind: "an OpenRouter/Groq/xAI API key (sk-or-/gsk_/xai-...)", re: /\b(?:sk-or-v1-[0-9a-f]{32,}|gsk_[A-Za-z0-9]{40,}|xai-[A-Za-z0-9]{40,})/ },
  { kind: "a private key (PEM)", re: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/ },
];

/** A bearer token in a log line; masked in logs only (in config a token is judged by its name and randomness). */
export const BEARER_TOKEN_MASK = { name: "BearerToken", regex: "[Bb]earer [A-Za-z0-9._+/=-]{16,}" } as const;

/** Kinds of provider key found in a text. */
export function keyShapes(text: string): string[] {
  return SECRET_SHAPES.filter((p) => p.re.test(text)).map((p) => p.kind);
}

/** A name that announces a credential: token, secret, password, api key, access key, auth key... */
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  return /(token|secret|passw(or)?d|passwd|pwd|apikey|accesskey|privatekey|authkey|credential|bearer)/.test(n);
}

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Random-looking: hex of 32+ chars, or a 16+ char run (between - _ .) that mixes letters and digits
 * with high entropy. Words joined by dashes, paths, ARNs, UUIDs and ${VAR} references are not.
 */
export function looksRandomToken(value: string): boolean {
  const v = value.trim();
  if (v.length < 20 || !/^[A-Za-z0-9+/=_.~-]+$/.test(v) || v.startsWith("/") || v.startsWith("~")) return false;
  // A lower-case name with path separators (a secret's name, a provider=name list) is a reference, not a value.
  if (v.includes("/") && !/[A-Z]/.test(v)) return false;
  if (/^[0-9a-f]{32,}$/i.test(v)) return true;
  const longest = v.split(/[-_.]/).reduce((a, b) => (b.length > a.length ? b : a), "");
  if (longest.length < 16) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(longest)).length;
  return /[0-9]/.test(longest) && /[A-Za-z]/.test(longest) && classes >= 2 && entropy(longest) >= 3.5;
}

/** One `name = value` a text states: shell/env (`A=b`, `Environment=A=b`), YAML/JSON (`a: b`, `"a": "b"`), flags (`--a b`, `--a=b`). */
export interface Assignment {
  name: string;
  value: string;
  /**
   * How it is spelled: `env` NAME=value with nothing around the `=`, `flag` --name value, `json`
   * "name": "value", `yaml` name: value starting a line; `loose` anything else (a `name: word` inside
   * a message, an ARN part) that only a random token is judged on.
   */
  style: "env" | "flag" | "json" | "yaml" | "loose";
}

// The name must start a word (not follow `:` or `/`, as inside an ARN or a path); the value is a quoted string or a run up to whitespace or shell punctuation.
const ASSIGNMENT = /(?<![A-Za-z0-9_.:/-])(--?)?(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2(\s*[:=][ \t]*|[ \t]+)(?:"((?:\\.|[^"\\\n])*)"|'([^'\n]*)'|([^\s"'`;&|<>,{}[\]()]+))/g;

function styleOf(text: string, at: number, flag: string | undefined, quote: string, sep: string, quotedValue: boolean): Assignment["style"] {
  if (flag) return "flag";
  if (sep === "=") return "env";
  if (!sep.includes(":")) return "loose";
  if (quote === '"' && quotedValue) return "json";
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  return quote === "" && /^[ \t]*(?:-[ \t]+)?$/.test(text.slice(lineStart, at)) ? "yaml" : "loose";
}

/** Every assignment in a text, nested ones included (`Environment=NAME=value` gives both). */
export function assignments(text: string): Assignment[] {
  const out: Assignment[] = [];
  const re = new RegExp(ASSIGNMENT.source, "g");
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const [whole, flag, quote, name, sep, dq, sq, bare] = m;
    // Only a --flag takes its value after a space; `word word` is not an assignment.
    if (!flag && !/[:=]/.test(sep)) {
      re.lastIndex = m.index + 1;
      continue;
    }
    const value = dq ?? sq ?? bare ?? "";
    out.push({ name, value, style: styleOf(text, m.index, flag, quote, sep, dq !== undefined) });
    // Re-scan inside the value: `Environment=OPENCLAW_GATEWAY_TOKEN=...` names the token second.
    re.lastIndex = m.index + whole.length - value.length - (dq !== undefined || sq !== undefined ? 1 : 0);
  }
  return out;
}

/** Names in a text that are assigned a random-looking token. */
export function assignedTokens(text: string): string[] {
  return [...new Set(assignments(text).flatMap((a) => (isSecretName(a.name) && looksRandomToken(a.value) ? [a.name] : [])))];
}

const ENCODING_SUFFIX = /^(b64|base64|b64url|base64url|hex|enc|encoded|gz|gzip|urlencoded|escaped)$/;

/**
 * A name whose value is the credential itself: its last word is token, password, secret or a key
 * (GATEWAY_TOKEN, db_password, apiKey, ANTHROPIC_API_KEY, auth-key), not a path, id, label or
 * setting about one (TOKEN_FILE, secretArn, clawkeep:credential, TOKEN_TTL_SECONDS).
 */
export function isCredentialName(name: string): boolean {
  const all = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  // An encoding suffix names how the credential is spelt, not another thing: API_KEY_B64 is the key.
  const words = all.length > 1 && ENCODING_SUFFIX.test(all[all.length - 1]) ? all.slice(0, -1) : all;
  const last = words[words.length - 1] ?? "";
  const before = words[words.length - 2] ?? "";
  if (/^(token|password|passwd|pwd|passphrase|secret|apikey|authkey|accesskey|privatekey|secretkey)$/.test(last)) return true;
  return last === "key" && /^(api|auth|access|private|secret|client|signing|master|encryption)$/.test(before);
}

/**
 * Keys under which openclaw.json takes a credential beside the ones isCredentialName knows (botToken,
 * appToken, signingSecret, clientSecret, accessToken, webhookSecret, apiKey, password...): the last path
 * segments of the pinned 2026.9.6 docs/reference/secretref-user-supplied-credentials-matrix.json.
 */
const OPENCLAW_EXTRA_CREDENTIAL_KEYS = new Set(["encryptKey", "appSecret", "botSecret", "channelSecret", "verificationToken", "appPassword", "apiPassword"]);

/** A key of an OpenClaw config whose value is a credential (a SecretRef object or an ${ENV} reference belongs there, never a literal). */
export function isOpenclawCredentialKey(name: string): boolean {
  return OPENCLAW_EXTRA_CREDENTIAL_KEYS.has(name) || isCredentialName(name);
}

/**
 * Dotted paths of an OpenClaw config that hold a credential as a literal string, whatever its shape
 * (a Telegram token with its ":" is neither "random" nor weak): only a SecretRef ({source, provider, id})
 * or a whole `${ENV_VAR}` substitution keeps the value out of the file the agent can read. `excused`
 * values are placeholders the host replaces before use.
 */
export function openclawPlaintextCredentials(config: unknown, excused: (value: string) => boolean = () => false, path: string[] = [], depth = 0): string[] {
  if (depth > 32 || config === null || typeof config !== "object") return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    const here = [...path, Array.isArray(config) ? `[${k}]` : k];
    if (typeof v === "string") {
      const name = Array.isArray(config) ? (path[path.length - 1] ?? "") : k;
      if (isOpenclawCredentialKey(name) && v.trim() !== "" && !/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v.trim()) && !excused(v)) out.push(here.join(".").replace(/\.\[/g, "["));
    } else {
      out.push(...openclawPlaintextCredentials(v, excused, here, depth + 1));
    }
  }
  return out;
}

/** Stands for a value filled in elsewhere: ${VAR}, $(cmd), {{ template }}, <token>, %s, a path, an ARN, a URL, a flag word. */
export function isReference(value: string): boolean {
  const v = value.trim();
  if (v === "" || /^(true|false|yes|no|on|off|none|null|nil|undefined|required|optional|enabled|disabled|auto|env|file|exec|store|ask|deny)$/i.test(v)) return true;
  if (/\$\{|\$\(|^\$|\{\{|^<[^>]+>$|%[sd]|^\*+$|^\.\.\.$/.test(v)) return true;
  // Paths, ARNs, URLs and id:path pairs (systemd LoadCredential=) point at a value.
  return v.includes("/") || v.startsWith("~") || v.startsWith("arn:") || v.startsWith("file:") || v.startsWith("env:") || v.startsWith("@");
}

/** Defaults and words people type for a secret (compared without case, separators or trailing digits). */
const COMMON_SECRETS = new Set([
  "changeme", "changeit", "replaceme", "placeholder", "password", "passw0rd", "pass", "secret", "mysecret", "supersecret", "token", "mytoken",
  "apikey", "admin", "administrator", "root", "letmein", "welcome", "default", "test", "testing", "demo", "dummy", "example", "sample",
  "qwerty", "abc", "abcdef", "iloveyou", "master", "guest", "temp", "todo", "xxx", "foo", "bar", "foobar", "openclaw", "clawkeep",
  "hunter", "opensesame", "trustno", "yourtoken", "yourapikey", "yourpassword", "insertkeyhere",
]);

/**
 * A credential value a person chose or left as a default: a known default word ("changeme",
 * "REPLACE_ME"), a word with digits ("openclaw123"), digits alone, a short single word. The guides
 * ask for `openssl rand -hex 32`. References and placeholders are not values; random tokens and keys are not weak.
 */
export function isWeakSecret(value: string): boolean {
  const v = value.trim();
  if (isReference(v) || looksRandomToken(v) || keyShapes(v).length > 0) return false;
  const letters = v.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (COMMON_SECRETS.has(letters) || COMMON_SECRETS.has(letters.replace(/\d+$/, ""))) return true;
  if (/^[A-Za-z]{2,}[0-9]{1,8}[!@#$%^&*.]*$/.test(v) || /^[0-9]{4,}$/.test(v)) return true;
  return v.length < 12 && /^[A-Za-z0-9!@#$%^&*]+$/.test(v);
}

/** Names in a text assigned a human-chosen credential; `excused` values (placeholders the host replaces) are skipped. */
export function weakAssignments(text: string, excused: (value: string) => boolean = () => false): string[] {
  return [
    ...new Set(assignments(text).flatMap((a) => (a.style !== "loose" && isCredentialName(a.name) && isWeakSecret(a.value) && !excused(a.value) ? [a.name] : []))),
  ];
}

// ---------------------------------------------------------------------------------------------
// Encodings people use to "hide" a value: each decoded view of a text is scanned like the text. Bounded:
// at most MAX_RUNS encoded runs per text, each at most MAX_RUN characters, gzip output at most
// MAX_INFLATED bytes, two levels deep (base64 of URL-encoded, gzip+base64 of JSON ...).

const MAX_RUNS = 64;
const MAX_RUN = 256 * 1024;
const MAX_INFLATED = 1024 * 1024;
const MAX_DEPTH = 2;
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const HEX_RUN = /\b(?:[0-9a-fA-F]{2}){16,}\b/g;
const URL_ESCAPE = /%[0-9A-Fa-f]{2}/;
const JSON_ESCAPE = /\\(?:u[0-9A-Fa-f]{4}|[\/"bfnrt])/;

/** Text a person could read: no replacement characters, no control characters but whitespace. */
function readable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return text.length >= 8 && !text.includes("\uFFFD") && !/[\x00-\x08\x0E-\x1F]/.test(text);
}

/** Decoded bytes as readable text ("gzip" when they were gzipped), else undefined. */
function bytesToText(buf: Buffer): { text: string; gzip: boolean } | undefined {
  const gzip = buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  let bytes = buf;
  if (gzip) {
    try {
      bytes = zlib.gunzipSync(buf, { maxOutputLength: MAX_INFLATED });
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString("utf8");
  return readable(text) ? { text, gzip } : undefined;
}

/** One level of decoding: every encoded run of `text` that decodes to readable text, with its encoding. */
function decodeOnce(text: string): Array<{ encoding: string; text: string }> {
  const out: Array<{ encoding: string; text: string }> = [];
  let runs = 0;
  for (const m of text.matchAll(BASE64_RUN)) {
    if (++runs > MAX_RUNS) break;
    const run = m[0].slice(0, MAX_RUN);
    const url = /[-_]/.test(run);
    const body = run.replace(/=+$/, "");
    // A base64 run of length 4n+1 decodes no whole byte at its end: not base64.
    if (body.length % 4 === 1) continue;
    const decoded = bytesToText(Buffer.from(body, url ? "base64url" : "base64"));
    if (decoded !== undefined) out.push({ encoding: `${decoded.gzip ? "gzip+" : ""}${url ? "base64url" : "base64"}`, text: decoded.text });
  }
  for (const m of text.matchAll(HEX_RUN)) {
    if (++runs > MAX_RUNS) break;
    const decoded = bytesToText(Buffer.from(m[0].slice(0, MAX_RUN), "hex"));
    if (decoded !== undefined) out.push({ encoding: `${decoded.gzip ? "gzip+" : ""}hex`, text: decoded.text });
  }
  if (URL_ESCAPE.test(text)) {
    const decoded = text.slice(0, MAX_RUN).replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
    out.push({ encoding: "URL", text: decoded });
  }
  if (JSON_ESCAPE.test(text)) {
    const decoded = text.slice(0, MAX_RUN).replace(/\\(u[0-9A-Fa-f]{4}|[\\/"bfnrt])/g, (_m, e: string) =>
      e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as Record<string, string>)[e] ?? e,
    );
    out.push({ encoding: "JSON-escape", text: decoded });
  }
  return out;
}

/** The texts hidden in `text` by encoding, with how each was encoded (e.g. "base64", "URL in base64"). */
export function decodedViews(text: string): Array<{ encoding: string; text: string }> {
  const out: Array<{ encoding: string; text: string }> = [];
  let level = [{ encoding: "", text }];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const next = level.flatMap((v) => decodeOnce(v.text).map((d) => ({ encoding: v.encoding ? `${d.encoding} in ${v.encoding}` : d.encoding, text: d.text })));
    out.push(...next);
    level = next.slice(0, MAX_RUNS);
  }
  return out;
}

/** Provider keys and credential assignments a text hides by encoding, one message each (not those it shows in clear). */
function encodedFindings(text: string, clear: readonly string[]): string[] {
  const out: string[] = [];
  for (const view of decodedViews(text)) {
    for (const k of keyShapes(view.text)) if (!clear.includes(k)) out.push(`holds ${k}, ${view.encoding}-encoded`);
    for (const n of assignedTokens(view.text)) out.push(`assigns a random-looking token to ${n}, ${view.encoding}-encoded`);
  }
  return [...new Set(out)];
}

/**
 * Every credential a clear text exposes, one message each (the kind and the name, never the value):
 * provider keys by shape, random tokens and human-chosen values under credential names. The pack's
 * secret scan and the kit's host-file leak check both ask this.
 */
export function credentialFindings(text: string, excused?: (value: string) => boolean): string[] {
  const clear = keyShapes(text);
  return [
    ...clear.map((k) => `holds ${k}`),
    ...encodedFindings(text, clear),
    ...assignedTokens(text).map((n) => `assigns a random-looking token to ${n}`),
    ...weakAssignments(text, excused).filter((n) => !assignedTokens(text).includes(n)).map((n) => `assigns a human-chosen (weak) value to ${n}`),
  ];
}

/** `text` with every provider key and every value assigned to a credential name replaced, for messages that quote a command line. */
export function redactCredentials(text: string): string {
  let out = text;
  for (const a of assignments(text)) if (a.value !== "" && (isCredentialName(a.name) || isSecretName(a.name)) && !isReference(a.value)) out = out.split(a.value).join("[redacted]");
  for (const s of SECRET_SHAPES) out = out.replace(new RegExp(s.re.source, "g"), "[redacted]");
  return out;
}
