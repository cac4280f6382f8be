// Protects: credentials from whoever can read the stack's state or the program. A SecretVersion's
// secretString is kept in the state as well as in Secrets Manager (anyone who can export the stack
// reads it), and a value written in the program sits in the repository too; secretStringWo never
// reaches the state. A credential another resource of the program mints (a Tailscale key, an IAM
// access key, a generated password) is in that resource's state anyway, so copying it adds nothing.
// Checklist: "API keys stored in environment variables or secrets manager"; best practice 2.
// Fix: secretStringWo (with secretStringWoVersion) from `pulumi config set --secret`.
import { credentialFindings, isCredentialName, isWeakSecret, looksRandomToken } from "../../stacks/secretShapes";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { field } from "../lib/references";
import { fmtPath, isRecord, stringLeaves } from "../lib/values";

const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

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
