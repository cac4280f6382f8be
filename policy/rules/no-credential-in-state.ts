// Protects: credentials from whoever can read the stack's state or the program. A SecretVersion's
// secretString is kept in the state as well as in Secrets Manager (anyone who can export the stack
// reads it), and a value written in the program sits in the repository too; secretStringWo never
// reaches the state. A credential another resource of the program mints (a Tailscale key, an IAM
// access key, a generated password) is in that resource's state anyway, so copying it adds nothing.
// Checklist: "API keys stored in environment variables or secrets manager"; best practice 2.
// Fix: secretStringWo (with secretStringWoVersion) from `pulumi config set --secret`.
import { credentialFindings, isCredentialName, isWeakSecret, looksRandomToken } from "../../stacks/secretShapes";
import type { StackRule, StackViolation } from "../lib/types";
import { field } from "../lib/references";
import { fmtPath, isRecord, stringLeaves } from "../lib/values";

const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

/** Resources whose outputs are credentials they create. */
export const CREDENTIAL_MINTERS = new Set([
  "tailscale:index/tailnetKey:TailnetKey",
  "aws:iam/accessKey:AccessKey",
  "aws:iam/userLoginProfile:UserLoginProfile",
  "aws:iam/serviceSpecificCredential:ServiceSpecificCredential",
  "aws:lightsail/keyPair:KeyPair",
  "random:index/randomPassword:RandomPassword",
  "tls:index/privateKey:PrivateKey",
]);

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
    "No Secrets Manager secret version carries a credential in secretString/secretBinary (kept in the stack's state, and in the repository when written in the program), unless a resource of the program minted it; secretStringWo keeps it out of the state.",
  protects: "provider keys and tokens from anyone who can read the stack's state or the program's source",
  checklistItems: ["api-keys-in-secret-store"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Set the value with secretStringWo (and secretStringWoVersion) from `pulumi config set --secret`, never a literal in the program; rotate a key that was committed.",
  resourceTypes: [SECRET_VERSION],
  validateStack(resources) {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const out: StackViolation[] = [];
    for (const r of resources) {
      if (r.type !== SECRET_VERSION) continue;
      if (r.dependencies.some((d) => CREDENTIAL_MINTERS.has(byUrn.get(d)?.type ?? ""))) continue;
      for (const key of ["secretString", "secretBinary"]) {
        const v = field(r.props, key);
        if (typeof v !== "string" || v === "") continue;
        const text = key === "secretBinary" ? Buffer.from(v, "base64").toString("utf8") : v;
        for (const f of valueFindings(text)) {
          out.push({ urn: r.urn, message: `secret version "${r.name}": ${key} ${f}; it is written to the stack's state (and to the repository when the program spells it): use secretStringWo` });
        }
      }
    }
    return out;
  },
};
