// What a leaked credential looks like: provider key formats, and long random tokens assigned to a
// name that says token/secret/password/key. The one home of these shapes: the policy pack's secret
// scan, the host-file leak check and the CloudWatch masking identifiers all read them from here.
// Messages name the kind of key, never the value.

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
  { kind: "a Slack token (xox...)", re: /\bxox[abprs]-[A-Za-z0-9-]{20,}/ },
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

// NAME=value, NAME: value, "name": "value", name = 'value' (shell, env files, YAML, JSON, TOML).
const ASSIGNMENT = /["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([A-Za-z0-9+/=_.~-]{20,})/g;

/** Names in a text that are assigned a random-looking token. */
export function assignedTokens(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(ASSIGNMENT)) {
    if (isSecretName(m[1]) && looksRandomToken(m[2])) names.push(m[1]);
  }
  return [...new Set(names)];
}
