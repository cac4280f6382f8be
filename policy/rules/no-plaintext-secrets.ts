// Protects: provider API keys, tokens and passwords from being readable where they should never
// be: whatever lands on a host in clear (user data in every cloud-init form, files its scripts write,
// S3 objects, the host bundle), container and function environments, plain SSM parameters, tags and
// any other input AWS stores in clear, provider configuration (kept with the provider in the stack's
// state), and, offline, the stack's plain outputs (in the state in clear; pulumi.secret ones are not).
// Values are decoded first (base64/base64url, gzip, hex, URL and JSON escapes: stacks/secretShapes.ts):
// an encoding is not a secret store. CrossGuard hands policies secret inputs already decrypted and unmarked
// (pulumi/pulumi-policy#241), and pulumi.secret only encrypts Pulumi's state, not what AWS stores.
// Human-chosen tokens ("changeme", "openclaw123") are refused anywhere, secret stores included.
// Checklist: "API keys stored in environment variables or secrets manager"; best practice 2.
// Fix: put the value in Secrets Manager (or a SecureString parameter) and fetch it at runtime.
import { containsUnknown, CannotJudge, untracked } from "../lib/unknown";
import { HOST_PAYLOAD_TYPES, hostPayload, type HostPayload } from "../lib/userData";
import { credentialFindings, isCredentialName, isWeakSecret, looksRandomToken, openclawPlaintextCredentials } from "../../stacks/secretShapes";
import { OPENCLAW_TYPES, readableConfigs } from "../lib/openclaw";
import type { Props, ResourceRule } from "../lib/types";
import { field } from "../lib/references";
import { fmtPath, isRecord, readKnown, stringLeaves } from "../lib/values";

const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

/** Top-level inputs the host payload already read (decoded), or that hold a secret store's value. */
function payloadInputs(type: string): string[] {
  if (type === "aws:ecs/taskDefinition:TaskDefinition") return ["containerDefinitions"];
  if (type.startsWith("aws:s3/bucketObject")) return ["content", "contentBase64", "source"];
  return ["userData", "userDataBase64"];
}
const STORE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  [SECRET_VERSION]: ["secretString", "secretBinary", "secretStringWo", "secretBinaryWo"],
  [SSM_PARAMETER]: ["value", "valueWo", "insecureValue"],
};

/**
 * A placeholder the host itself fills in before use: a `sed` replaces it with a value read at run time
 * (`sed "s|REPLACE_ME|$token|"`), so it is a marker, not a value. A literal replacement does not count.
 */
function substitutedOnHost(payload: HostPayload): (value: string) => boolean {
  return (value) => {
    const v = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const substitution = new RegExp(`\\bsed\\b.*\\bs([|/#,:@])${v}\\1\\$`);
    return payload.commands.some((c) => substitution.test(c.line));
  };
}

function hostFindings(type: string, props: Props): string[] {
  const payload = hostPayload(type, props);
  if (payload.unseen.length > 0) throw new CannotJudge(payload.unseen.join("; "));
  const excused = substitutedOnHost(payload);
  const byFinding = new Map<string, string[]>();
  for (const t of payload.texts) for (const f of credentialFindings(t.text, excused)) byFinding.set(f, [...(byFinding.get(f) ?? []), t.where]);
  // Name the most specific place: "user data write_files /etc/x", not also the "user data" that contains it.
  return [...byFinding].flatMap(([f, wheres]) => wheres.filter((w, i) => !wheres.some((o, j) => j !== i && o !== w && o.startsWith(w))).map((w) => `${w} ${f}`));
}

/**
 * Credentials an OpenClaw config holds as literals, under any of the keys OpenClaw reads a credential
 * from (channel botToken/appToken/signingSecret, provider apiKey, gateway token...), whatever their shape.
 */
function openclawConfigFindings(type: string, props: Props): string[] {
  if (!(OPENCLAW_TYPES as readonly string[]).includes(type)) return [];
  const excused = substitutedOnHost(hostPayload(type, props));
  return readableConfigs(type, props).flatMap(({ path, config, edited }) =>
    openclawPlaintextCredentials(config, excused).map((p) => `OpenClaw config ${path}: ${p} holds a credential in clear${edited} (use a SecretRef {source: "file"|"exec"|"env", provider, id})`),
  );
}

/** A value under a credential name (a tag, an environment variable, a field): random or human-chosen. */
function namedValue(where: string, name: string, value: string): string[] {
  if (!isCredentialName(name) || /\s/.test(value.trim())) return [];
  if (looksRandomToken(value)) return [`${where} is a random-looking token`];
  return isWeakSecret(value) ? [`${where} is a human-chosen (weak) value`] : [];
}

/** The strength of a value in a secret store; an unknown one (set with `pulumi config set --secret`) is the operator's. */
function storedValueFindings(type: string, props: Props): string[] {
  const raw = untracked(props);
  const out: string[] = [];
  const weakCheck = (where: string, v: unknown, name?: string) => {
    if (typeof v !== "string" || containsUnknown(v)) return;
    let doc: unknown;
    try {
      doc = JSON.parse(v);
    } catch {
      doc = undefined;
    }
    if (isRecord(doc)) {
      // In a store a random value belongs; only a human-chosen one is a finding.
      for (const leaf of stringLeaves(doc)) if (isCredentialName(leaf.path[leaf.path.length - 1] ?? "") && isWeakSecret(leaf.value)) out.push(`${where} field ${fmtPath(leaf.path)} is a human-chosen (weak) value`);
    } else if ((name === undefined || isCredentialName(name)) && !/\s/.test(v.trim()) && isWeakSecret(v)) {
      out.push(`${where} is a human-chosen (weak) value`);
    }
  };
  if (type === SSM_PARAMETER) {
    const name = readKnown(props, "name", undefined);
    const last = typeof name === "string" ? (name.split("/").pop() ?? "") : "";
    const paramType = readKnown(props, "type", undefined);
    const label = `value of the ${String(paramType ?? "String")} parameter "${String(name)}"`;
    if (paramType === "SecureString") {
      for (const k of ["value", "valueWo"]) weakCheck(label, readKnown(raw, k, undefined), last);
    }
    // A String/StringList parameter (and insecureValue) is stored and shown in clear: its value is needed.
    for (const k of paramType === "SecureString" ? ["insecureValue"] : ["value", "valueWo", "insecureValue"]) {
      const v = readKnown(props, k, undefined);
      if (typeof v !== "string") continue;
      out.push(...credentialFindings(v).map((f) => `${label} ${f}`), ...namedValue(label, last, v));
    }
  }
  if (type === SECRET_VERSION) {
    // secretString is judged by no-credential-in-state; the write-only fields here for strength only.
    for (const k of ["secretStringWo"]) weakCheck(k, readKnown(raw, k, undefined));
  }
  return out;
}

function leafFindings(type: string, props: Props): string[] {
  const skip = new Set([...(HOST_PAYLOAD_TYPES as readonly string[]).includes(type) ? payloadInputs(type) : [], ...(STORE_INPUTS[type] ?? [])]);
  const out: string[] = [];
  const provider = type.startsWith("pulumi:providers:");
  for (const key of Object.keys(props)) {
    if (skip.has(key)) continue;
    for (const leaf of stringLeaves(readKnown(props, key, undefined), [key])) {
      const where = fmtPath(leaf.path);
      const last = leaf.path[leaf.path.length - 1] ?? "";
      // A {name, value} or {key, value} pair (ECS-style environment, tag lists) names its own value.
      const pairName = last === "value" || last === "Value" ? pairNameOf(props, leaf.path) : undefined;
      const found = [
        ...credentialFindings(leaf.value).map((f) => `${where} ${f}`),
        ...namedValue(where, pairName ?? last, leaf.value),
      ];
      out.push(...(provider && found.length > 0 ? found.map((f) => `${f} (provider configuration is kept with the provider in the stack's state: use environment credentials, SSO or OIDC)`) : found));
    }
  }
  return out;
}

function pairNameOf(props: Props, leafPath: readonly string[]): string | undefined {
  const parent = field(props, ...leafPath.slice(0, -1));
  if (!isRecord(parent)) return undefined;
  const n = parent.name ?? parent.Name ?? parent.key ?? parent.Key;
  return typeof n === "string" ? n : undefined;
}

export const noPlaintextSecrets: ResourceRule = {
  kind: "resource",
  name: "no-plaintext-secrets",
  description:
    "No resource input holds a provider key (sk-ant-, sk-proj-, AKIA, tskey-, ...), a random token or a human-chosen value under a credential name where it is stored in clear, also base64-, hex-, URL- or JSON-escape-encoded or gzipped: anything that lands on a host (user data in every cloud-init form, files its scripts write, S3 objects), environments, plain SSM parameters, tags, provider configuration, plain stack outputs (offline). Secret stores hold them, and even there no weak value.",
  protects: "API keys and tokens from anyone who can read instance attributes, objects, function configuration, parameters, tags or the stack's state",
  checklistItems: ["api-keys-in-secret-store", "gateway-token-auth"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    "Move the value into a Secrets Manager secret (secretStringWo) or an SSM SecureString parameter set from `pulumi config set --secret`, have the host or function fetch it at runtime with its IAM role, and rotate the exposed key; generate tokens with `openssl rand -hex 32`; give providers their credentials through the environment (AWS SSO/OIDC, TAILSCALE_API_KEY), not their arguments; export a credential only wrapped in pulumi.secret (better: export the secret's ARN).",
  validateResource(type, props) {
    const found = [...storedValueFindings(type, props), ...leafFindings(type, props), ...openclawConfigFindings(type, props)];
    if ((HOST_PAYLOAD_TYPES as readonly string[]).includes(type) || "userData" in props || "userDataBase64" in props) found.push(...hostFindings(type, props));
    return [...new Set(found)];
  },
};
