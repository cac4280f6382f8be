// Protects: credentials from whoever can read the stack's state or the program. A SecretVersion's
// secretString is kept in the state as well as in Secrets Manager (anyone who can export the stack
// reads it), and a value written in the program sits in the repository too; secretStringWo never
// reaches the state. A credential another resource of the program mints (a Tailscale key, an IAM
// access key, a generated password) is in that resource's state anyway, so copying it adds nothing.
// A write-only input keeps a value out of the state, not out of the repository: a provider key (or a
// value no generator makes: not random) written into secretStringWo/valueWo, and any value of a
// resource's password/authToken input (masterPassword, passwordWo, ...) that no resource of the program
// minted, is a literal. Only the offline plan can tell a literal from a `pulumi config set --secret`
// value (it hands config secrets over as unknown markers); CrossGuard sees both decrypted (pulumi-policy#241),
// so this part runs only when the `literalsKnown` threshold is 1 (the offline judge sets it).
// Checklist: "API keys stored in environment variables or secrets manager"; best practice 2.
// Fix: secretStringWo (with secretStringWoVersion) from `pulumi config set --secret`; a database
// password from manageMasterUserPassword or a random.RandomPassword.
import { credentialFindings, isCredentialName, isReference, isWeakSecret, keyShapes, looksRandomToken } from "../../stacks/secretShapes";
import { containsUnknown, untracked } from "../lib/unknown";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { field } from "../lib/references";
import { fmtPath, isRecord, stringLeaves } from "../lib/values";

const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

/** Write-only inputs of secret stores: the state never holds them, the program's source may. */
const STORE_WRITE_ONLY: Readonly<Record<string, readonly string[]>> = {
  [SECRET_VERSION]: ["secretStringWo", "secretBinaryWo"],
  [SSM_PARAMETER]: ["valueWo", "value"],
};

/** Names that read like a credential but set something else (IMDS: httpTokens "required"). */
const NOT_CREDENTIAL_NAMES = new Set(["httpTokens", "httpToken"]);

/** Subtrees another rule judges (environments and tags are stored in clear: no-plaintext-secrets). */
const NOT_SECRET_INPUTS = new Set(["tags", "tagsAll", "environment", "environments", "variables", "containerDefinitions", "userData", "userDataBase64", "policy", "assumeRolePolicy"]);

/** Resources that create credentials, and the outputs that hold them. */
export const CREDENTIAL_MINTERS: Readonly<Record<string, readonly string[]>> = {
  "tailscale:index/tailnetKey:TailnetKey": ["key"],
  "aws:iam/accessKey:AccessKey": ["secret", "sesSmtpPasswordV4"],
  "aws:iam/userLoginProfile:UserLoginProfile": ["password"],
  "aws:iam/serviceSpecificCredential:ServiceSpecificCredential": ["servicePassword"],
  "aws:lightsail/keyPair:KeyPair": ["privateKey"],
  "random:index/randomPassword:RandomPassword": ["result"],
  "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyOpenssh"],
};

/** The credentials the resources this one depends on minted (by value: a dependency alone proves no copy). */
function mintedValues(r: StackResource, byUrn: ReadonlyMap<string, StackResource>): string[] {
  return r.dependencies.flatMap((d) => {
    const dep = byUrn.get(d);
    const outputs = dep ? CREDENTIAL_MINTERS[dep.type] : undefined;
    return (outputs ?? []).map((k) => field(dep?.props ?? {}, k)).filter((v): v is string => typeof v === "string" && v.length >= 8);
  });
}

/** A resource input that takes a credential (password, masterPassword, masterUserPassword, authToken, passwordWo, passwords[0]). */
function isSecretInput(path: readonly string[]): boolean {
  if (path.some((p) => NOT_SECRET_INPUTS.has(p))) return false;
  const named = [...path].reverse().find((p) => !/^\d+$/.test(p)) ?? "";
  if (NOT_CREDENTIAL_NAMES.has(named)) return false;
  const base = named.replace(/Wo$/, "").replace(/s$/, "");
  return isCredentialName(base) || /^authToken$/i.test(base);
}

/** JSON fields under credential names whose value is neither random nor a reference: typed by a person. */
function humanCredentialFields(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isRecord(doc)) return [];
  return [...stringLeaves(doc)].flatMap((leaf) => {
    const name = leaf.path[leaf.path.length - 1] ?? "";
    const v = leaf.value.trim();
    return isCredentialName(name) && v !== "" && !looksRandomToken(v) && !isReference(v) && keyShapes(v).length === 0 ? [fmtPath(leaf.path)] : [];
  });
}

/** Literals the offline plan sees in `r`'s credential inputs (what a minter made, or a config secret's marker, is not one). */
function literalFindings(r: StackResource, minted: readonly string[]): string[] {
  if (CREDENTIAL_MINTERS[r.type]) return [];
  const raw = untracked(r.props);
  const out: string[] = [];
  const isMinted = (v: string) => minted.some((m) => v === m || v.includes(m));
  for (const key of STORE_WRITE_ONLY[r.type] ?? []) {
    const v = raw[key];
    // A String parameter's value is shown in clear: no-plaintext-secrets' finding.
    if (key === "value" && raw.type !== "SecureString") continue;
    if (typeof v !== "string" || v === "" || containsUnknown(v)) continue;
    let text = key.startsWith("secretBinary") ? Buffer.from(v, "base64").toString("utf8") : v;
    for (const m of minted) text = text.split(m).join("");
    const shapes = keyShapes(text);
    if (shapes.length > 0) out.push(`${key} holds ${shapes.join(", ")} written in the program (${key.endsWith("Wo") ? "write-only keeps it out of the state" : "a SecureString encrypts it in AWS"}, not out of the repository)`);
    // A person types what is not random; a generator in the program (crypto.randomBytes) makes random tokens, and they may stay.
    for (const name of humanCredentialFields(text)) out.push(`${key} field ${name} is a credential a person wrote in the program (not random, so no generator made it)`);
  }
  if (STORE_WRITE_ONLY[r.type]) return out;
  for (const leaf of stringLeaves(raw)) {
    if (!isSecretInput(leaf.path) || leaf.value.trim() === "" || containsUnknown(leaf.value) || isMinted(leaf.value)) continue;
    if (isReference(leaf.value) && !looksRandomToken(leaf.value)) continue;
    out.push(`${fmtPath(leaf.path)} is a literal credential written in the program (and kept in the stack's state)`);
  }
  return out;
}

function valueFindings(value: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    doc = undefined;
  }
  if (isRecord(doc)) {
    return [...stringLeaves(doc)].flatMap((leaf) => {
      const name = leaf.path[leaf.path.length - 1] ?? "";
      const own = credentialFindings(leaf.value).map((f) => `field ${fmtPath(leaf.path)} ${f}`);
      if (own.length > 0 || !isCredentialName(name)) return own;
      return looksRandomToken(leaf.value) || isWeakSecret(leaf.value) ? [`field ${fmtPath(leaf.path)} holds a credential`] : [];
    });
  }
  const own = credentialFindings(value);
  if (own.length > 0) return own;
  if (looksRandomToken(value)) return ["holds a random-looking token"];
  return !/\s/.test(value.trim()) && isWeakSecret(value) ? ["holds a human-chosen (weak) value"] : [];
}

export const noCredentialInState: StackRule = {
  kind: "stack",
  name: "no-credential-in-state",
  description:
    "No Secrets Manager secret version carries a credential in secretString/secretBinary (kept in the stack's state, and in the repository when written in the program), unless a resource of the program minted it; secretStringWo keeps it out of the state. Offline, also no literal in the program: no provider key in a write-only input (secretStringWo, valueWo), and no value in any resource's password/authToken input (masterPassword, passwordWo, ...) that is neither a config secret nor minted by the program, whatever its characters.",
  protects: "provider keys and tokens from anyone who can read the stack's state or the program's source",
  checklistItems: ["api-keys-in-secret-store"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Set the value with secretStringWo (and secretStringWoVersion) from `pulumi config set --secret`, never a literal in the program; rotate a key that was committed.",
  configSchema: {
    literalsKnown: {
      type: "integer",
      default: 0,
      minimum: 0,
      maximum: 1,
      description: "1: every known value of a credential input was written in (or read by) the program, as in the offline plan, which hands `pulumi config set --secret` values over as unknown; 0 (CrossGuard): config secrets arrive decrypted, so literals cannot be told from them.",
    },
  },
  validateStack(resources, config) {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const out: StackViolation[] = [];
    if (config.literalsKnown === 1) {
      for (const r of resources) for (const f of literalFindings(r, mintedValues(r, byUrn))) out.push({ urn: r.urn, message: `${r.type.split(":").pop()} "${r.name}": ${f}; set it from \`pulumi config set --secret\` (or let a generator make it: manageMasterUserPassword, random.RandomPassword)` });
    }
    for (const r of resources) {
      if (r.type !== SECRET_VERSION) continue;
      const minted = mintedValues(r, byUrn);
      for (const key of ["secretString", "secretBinary"]) {
        const v = field(r.props, key);
        if (typeof v !== "string" || v === "") continue;
        let text = key === "secretBinary" ? Buffer.from(v, "base64").toString("utf8") : v;
        // A copy of what another resource minted is in that resource's state already.
        for (const m of minted) text = text.split(m).join("");
        for (const f of valueFindings(text)) {
          out.push({ urn: r.urn, message: `secret version "${r.name}": ${key} ${f}; it is written to the stack's state (and to the repository when the program spells it): use secretStringWo` });
        }
      }
    }
    return out;
  },
};
