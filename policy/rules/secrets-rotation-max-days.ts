// Protects: credentials kept in Secrets Manager from living forever. A leaked key stops working at
// the next rotation; the guides rotate at least every 90 days.
// Checklist: "Keys rotated within last 90 days"; best practice 2 (token rotation).
// Fix: a secretsmanager.SecretRotation per secret with rotationRules.automaticallyAfterDays <= 90.
// A secret that holds no credential opts out with the tag clawkeep:credential = "false"; a single-use
// credential that expires instead of rotating (a Tailscale auth key) is tagged clawkeep:credential =
// "one-shot" with clawkeep:expires-after-seconds, and passes only if it dies within the same bound.
import { field, refersTo } from "../lib/references";
import type { StackRule } from "../lib/types";
import { isRecord, tagsOf } from "../lib/values";

const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
export const NOT_A_CREDENTIAL_TAG = "clawkeep:credential";
export const EXPIRES_AFTER_TAG = "clawkeep:expires-after-seconds";

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
  description: "Every Secrets Manager secret that holds a credential has an enabled SecretRotation at most maxRotationDays apart.",
  protects: "credentials from staying valid long after a leak",
  checklistItems: ["keys-rotated-90-days", "gateway-token-auth"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    'Add aws.secretsmanager.SecretRotation({ secretId, rotationLambdaArn, rotationRules: { automaticallyAfterDays: 30 } }) for the secret; tag a secret that holds no credential with clawkeep:credential = "false".',
  configSchema: {
    maxRotationDays: { type: "integer", default: 90, minimum: 1, maximum: 365, description: "Longest allowed interval between rotations." },
  },
  resourceTypes: [SECRET, ROTATION],
  validateStack(resources, config) {
    const rotations = resources.filter((r) => r.type === ROTATION);
    const out: Array<{ urn: string; message: string }> = [];
    for (const secret of resources.filter((r) => r.type === SECRET)) {
      const tags = tagsOf(secret.props);
      if (tags[NOT_A_CREDENTIAL_TAG] === "false") continue;
      if (tags[NOT_A_CREDENTIAL_TAG] === "one-shot") {
        const seconds = Number(tags[EXPIRES_AFTER_TAG]);
        if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= config.maxRotationDays * 86400)) {
          out.push({ urn: secret.urn, message: `secret "${secret.name}" is a one-shot credential without an expiry within ${config.maxRotationDays} days (tag ${EXPIRES_AFTER_TAG})` });
        }
        continue;
      }
      const rotation = rotations.find((r) => refersTo(r, field(r.props, "secretId"), secret));
      if (!rotation) {
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
