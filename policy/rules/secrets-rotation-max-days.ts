// Protects: credentials kept in Secrets Manager from living forever. A leaked key stops working at
// the next rotation; the guides rotate at least every 90 days.
// Checklist: "Keys rotated within last 90 days"; best practice 2 (token rotation).
// Fix: a secretsmanager.SecretRotation per secret with rotationRules.automaticallyAfterDays <= 90.
// What the secret holds is judged from what the program writes into it, never from a tag: a value
// that is a Tailscale auth key (a version made from a tailscale.TailnetKey) dies when the key expires,
// so it passes when the key expires within the bound; a value made only of a tailscale.FederatedIdentity's
// client id and audience is no credential. Anything else, or a value put out of band, is a credential;
// a secret is judged by every credential it holds: a bot token bundled beside the Tailscale key needs rotation.
import { field, refersTo } from "../lib/references";
import type { StackResource, StackRule } from "../lib/types";
import { isOpenclawCredentialKey, keyShapes } from "../../stacks/secretShapes";
import { TAILNET_KEY } from "../lib/tailscale";
import { asStrings, isRecord } from "../lib/values";
import { DEFAULT_KEY_EXPIRY_SECONDS } from "./tailscale-auth-key-hardened";

const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const FEDERATED_IDENTITY = "tailscale:index/federatedIdentity:FederatedIdentity";
const VALUE_PROPS = ["secretString", "secretStringWo", "secretBinary"];

/** What the versions a program writes into a secret hold. */
type Content = { kind: "credential" } | { kind: "tailscale-key"; key: StackResource } | { kind: "identifiers"; identity: StackResource };

/** Fields of a JSON value named as a credential (or holding a value other than `key`) beside the one that holds `key`. */
function otherCredentialFields(value: string, key: string | undefined): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    return [];
  }
  if (!isRecord(doc)) return [];
  const out: string[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 16) return;
    if (isRecord(v) || Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    const name = path.split(".").pop() ?? "";
    const holdsKey = typeof v === "string" && key !== undefined && key !== "" && v.includes(key);
    if (!holdsKey && isOpenclawCredentialKey(name)) out.push(path);
  };
  walk(doc, "", 0);
  return out;
}

/**
 * The program's versions of `secret` made from another resource's output, and nothing else that looks
 * like a credential: a Tailscale auth key, or a federated identity's identifiers. A secret with no
 * version (its value put out of band), or any other value, holds a credential.
 */
function contentOf(secret: StackResource, versions: readonly StackResource[], byUrn: ReadonlyMap<string, StackResource>): Content {
  const mine = versions.filter((v) => refersTo(v, field(v.props, "secretId"), secret));
  if (mine.length === 0) return { kind: "credential" };
  let found: Content | undefined;
  for (const v of mine) {
    const sources = v.dependencies.map((d) => byUrn.get(d)).filter((r): r is StackResource => r?.type === TAILNET_KEY || r?.type === FEDERATED_IDENTITY);
    if (sources.length !== 1) return { kind: "credential" };
    const [source] = sources;
    const values = VALUE_PROPS.flatMap((k) => asStrings(field(v.props, k)));
    const key = field(source.props, "key");
    // A known value must carry the key's (when it is known) and no other kind of credential.
    const other = values.flatMap((x) => keyShapes(typeof key === "string" && key !== "" ? x.split(key).join("") : x)).filter((k) => source.type !== TAILNET_KEY || !k.includes("Tailscale"));
    if (other.length > 0) return { kind: "credential" };
    // Judged by every credential it holds: another credential field beside the key (a bot token from the environment, empty offline) needs rotation.
    if (values.some((x) => otherCredentialFields(x, typeof key === "string" ? key : undefined).length > 0)) return { kind: "credential" };
    if (source.type === TAILNET_KEY && typeof key === "string" && key !== "" && values.length > 0 && !values.some((x) => x.includes(key))) return { kind: "credential" };
    const content: Content = source.type === TAILNET_KEY ? { kind: "tailscale-key", key: source } : { kind: "identifiers", identity: source };
    if (found && (found.kind !== content.kind)) return { kind: "credential" };
    found = content;
  }
  return found ?? { kind: "credential" };
}

/** Days between rotations from automaticallyAfterDays or a rate()/cron() schedule; undefined if unknown. */
export function rotationDays(rules: Record<string, unknown>): number | undefined {
  if (typeof rules.automaticallyAfterDays === "number") return rules.automaticallyAfterDays;
  const expr = typeof rules.scheduleExpression === "string" ? rules.scheduleExpression.trim() : "";
  const rate = /^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$/i.exec(expr);
  if (rate) return /^hour/i.test(rate[2]) ? Number(rate[1]) / 24 : Number(rate[1]);
  // cron(min hour day-of-month month day-of-week year): a fixed or wildcard month runs at least yearly;
  // only "every month" (or finer) schedules are known to run within 31 days.
  const cron = /^cron\((.+)\)$/i.exec(expr);
  if (cron) {
    const f = cron[1].trim().split(/\s+/);
    if (f.length === 6 && (f[3] === "*" || f[3] === "?")) return f[4] === "?" || f[4] === "*" ? 31 : 7;
  }
  return undefined;
}

export const secretsRotationMaxDays: StackRule = {
  kind: "stack",
  name: "secrets-rotation-max-days",
  description: "Every Secrets Manager secret that holds a credential has an enabled SecretRotation at most maxRotationDays apart; one that holds a Tailscale auth key passes when the key expires within that bound.",
  protects: "credentials from staying valid long after a leak",
  checklistItems: ["keys-rotated-90-days", "gateway-token-auth"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Add aws.secretsmanager.SecretRotation({ secretId, rotationLambdaArn, rotationRules: { automaticallyAfterDays: 30 } }) for the secret; a Tailscale auth key kept in a secret instead expires (tailscale.TailnetKey expiry) within the bound.",
  configSchema: {
    maxRotationDays: { type: "integer", default: 90, minimum: 1, maximum: 365, description: "Longest allowed interval between rotations." },
  },
  resourceTypes: [SECRET, ROTATION],
  validateStack(resources, config) {
    const rotations = resources.filter((r) => r.type === ROTATION);
    const versions = resources.filter((r) => r.type === VERSION);
    const byUrn = new Map(resources.filter((r) => r.type === TAILNET_KEY || r.type === FEDERATED_IDENTITY).map((r) => [r.urn, r]));
    const out: Array<{ urn: string; message: string }> = [];
    for (const secret of resources.filter((r) => r.type === SECRET)) {
      const rotation = rotations.find((r) => refersTo(r, field(r.props, "secretId"), secret));
      if (!rotation) {
        const content = contentOf(secret, versions, byUrn);
        if (content.kind === "identifiers") continue;
        if (content.kind === "tailscale-key") {
          const expiry = field(content.key.props, "expiry");
          const seconds = typeof expiry === "number" ? expiry : DEFAULT_KEY_EXPIRY_SECONDS;
          if (seconds > config.maxRotationDays * 86400) {
            out.push({ urn: secret.urn, message: `secret "${secret.name}" holds the Tailscale auth key ${content.key.name}, which stays valid ${Math.round(seconds / 86400)} days${typeof expiry === "number" ? "" : " (Tailscale's default)"}; it must expire within ${config.maxRotationDays} days or rotate` });
          }
          continue;
        }
        out.push({ urn: secret.urn, message: `secret "${secret.name}" has no SecretRotation` });
        continue;
      }
      if (rotation.props.rotationEnabled === false) {
        out.push({ urn: secret.urn, message: `secret "${secret.name}": its rotation ${rotation.name} is disabled` });
        continue;
      }
      const days = rotationDays(isRecord(rotation.props.rotationRules) ? rotation.props.rotationRules : {});
      if (days === undefined || days > config.maxRotationDays) {
        const got = days === undefined ? "an interval that cannot be read" : `every ${days} days`;
        out.push({ urn: secret.urn, message: `secret "${secret.name}" rotates ${got} (${rotation.name}); at most ${config.maxRotationDays} days allowed` });
      }
    }
    return out;
  },
};
