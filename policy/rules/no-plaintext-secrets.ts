// Protects: provider API keys, tokens and passwords from being readable where they should never
// be: user data (any ec2:Describe* caller reads it), Lambda environments, plain SSM parameters,
// tags, launch templates. CrossGuard hands policies secret inputs already decrypted and unmarked
// (pulumi/pulumi-policy#241), and pulumi.secret only encrypts Pulumi's state, not what AWS stores,
// so a key-shaped value is a finding wherever it sits outside a secret store.
// Checklist: "API keys stored in environment variables or secrets manager"; best practice 2.
// Fix: put the value in Secrets Manager (or a SecureString parameter) and fetch it at runtime.
import { decodeBase64Text, userDataTexts } from "../lib/userData";
import { assignedTokens, isSecretName, keyShapes, looksRandomToken } from "../../stacks/secretShapes";
import type { Props, ResourceRule } from "../lib/types";
import { field } from "../lib/references";
import { fmtPath, knownStrings, stringLeaves, tagsOf } from "../lib/values";

const INSTANCE = "aws:ec2/instance:Instance";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const LAMBDA = "aws:lambda/function:Function";
const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

/** Inputs whose whole purpose is to hold a secret, in a store that encrypts it. */
function isSecretStore(type: string, props: Props, path: readonly string[]): boolean {
  if (type === "aws:secretsmanager/secretVersion:SecretVersion") return ["secretString", "secretBinary", "secretStringWo"].includes(path[0]);
  if (type === SSM_PARAMETER) return field(props, "type") === "SecureString" && ["value", "valueWo"].includes(path[0]);
  return false;
}

const isUserData = (type: string, path: readonly string[]) =>
  (type === INSTANCE || type === LAUNCH_TEMPLATE) && (path[0] === "userData" || path[0] === "userDataBase64");

function providerKeys(type: string, props: Props): string[] {
  const found: string[] = [];
  for (const leaf of stringLeaves(props)) {
    if (isSecretStore(type, props, leaf.path) || isUserData(type, leaf.path)) continue;
    const decoded = decodeBase64Text(leaf.value);
    const kinds = new Set([...keyShapes(leaf.value), ...(decoded ? keyShapes(decoded) : [])]);
    for (const kind of kinds) found.push(`${fmtPath(leaf.path)} holds ${kind}`);
  }
  for (const { where, text } of userDataTexts(props)) {
    for (const kind of keyShapes(text)) found.push(`${where} holds ${kind}`);
    for (const name of assignedTokens(text)) found.push(`${where} assigns a random-looking token to ${name}`);
  }
  return found;
}

function namedTokens(type: string, props: Props): string[] {
  const found: string[] = [];
  const check = (where: string, entries: Record<string, string>) => {
    for (const [k, v] of Object.entries(entries)) {
      if (isSecretName(k) && looksRandomToken(v)) found.push(`${where}.${k} is a random-looking token`);
    }
  };
  check("tags", tagsOf(props));
  check("tagsAll", knownStrings(field(props, "tagsAll")));
  if (type === LAUNCH_TEMPLATE) {
    const specs = field(props, "tagSpecifications");
    const count = Array.isArray(specs) ? specs.length : 0;
    for (let i = 0; i < count; i++) check(`tagSpecifications[${i}].tags`, knownStrings(field(props, "tagSpecifications", String(i), "tags")));
  }
  if (type === LAMBDA) check("environment.variables", knownStrings(field(props, "environment", "variables")));
  const value = field(props, "value");
  const paramType = field(props, "type");
  if (type === SSM_PARAMETER && paramType !== "SecureString" && typeof value === "string") {
    const name = field(props, "name");
    const last = typeof name === "string" ? (name.split("/").pop() ?? "") : "";
    if (isSecretName(last) && looksRandomToken(value)) found.push(`value of the ${String(paramType ?? "String")} parameter "${String(name)}" is a random-looking token`);
    for (const n of assignedTokens(value)) found.push(`value assigns a random-looking token to ${n}`);
  }
  return found;
}

export const noPlaintextSecrets: ResourceRule = {
  kind: "resource",
  name: "no-plaintext-secrets",
  description:
    "No resource input holds a provider key (sk-ant-, sk-proj-, AKIA, tskey-, ...) or a random token named like a secret, in user data (also base64/gzip), Lambda environments, plain SSM parameters, tags or launch templates. Secrets Manager values and SecureString parameters are the places for them.",
  protects: "API keys and tokens from anyone who can read instance attributes, function configuration, parameters or tags",
  checklistItems: ["api-keys-in-secret-store", "gateway-token-auth"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    "Move the value into a Secrets Manager secret (or an SSM SecureString parameter) set from `pulumi config set --secret`, and have the host or function fetch it at runtime with its IAM role; rotate the exposed key.",
  appliesTo: (type) => !type.startsWith("pulumi:providers:"),
  validateResource(type, props) {
    return [...new Set([...providerKeys(type, props), ...namedTokens(type, props)])];
  },
};
