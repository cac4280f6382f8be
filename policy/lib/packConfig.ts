// The pack's config (`pulumi preview --policy-pack-config FILE`, `npm run plan -- --policy-pack-config FILE`):
// per rule an enforcement level (advisory, mandatory, disabled) and its thresholds. The rules that take
// no exception are always mandatory: a config that weakens one is refused, offline and under CrossGuard.
import type { ConfigIssue } from "../../stacks/schema";
import { EXCEPTIONS_RULE, NO_EXCEPTION_RULES } from "./exceptions";
import type { EnforcementLevel, Rule } from "./types";
import { isRecord } from "./values";

/** Same shape as `pulumi preview --policy-pack-config`: per rule a level, or {enforcementLevel?, ...thresholds}; "all" for every rule. */
export type PackConfig = Readonly<Record<string, EnforcementLevel | "remediate" | Readonly<Record<string, unknown>>>>;

const LEVELS = ["advisory", "mandatory", "disabled"] as const;
/** Rules a config may not weaken: those that take no exception, and the check of expired exceptions. */
export const ALWAYS_MANDATORY: readonly string[] = [...Object.keys(NO_EXCEPTION_RULES), EXCEPTIONS_RULE];

const levelOf = (v: unknown): unknown => (isRecord(v) ? v.enforcementLevel : v);

/** Every problem of a pack config: unknown rules, unknown levels or thresholds, and any weakening of an always-mandatory rule. */
export function packConfigIssues(config: unknown, rules: readonly Rule[]): ConfigIssue[] {
  const key = (k: string) => `policy-pack-config:${k}`;
  if (!isRecord(config)) return [{ key: "policy-pack-config:(file)", given: config, allowed: 'a JSON object: {"<rule id>": "advisory" | "mandatory" | "disabled" | {"enforcementLevel": ..., "<threshold>": <number>}}' }];
  const byName = new Map(rules.map((r) => [r.name, r]));
  const issues: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (name !== "all" && name !== EXCEPTIONS_RULE && !byName.has(name)) {
      issues.push({ key: key(name), given: value, allowed: 'a rule id of the pack (RULES.md) or "all"' });
      continue;
    }
    const level = levelOf(value);
    if (level !== undefined && !(LEVELS as readonly unknown[]).includes(level)) {
      issues.push({ key: key(name), given: level, allowed: `an enforcement level: one of ${LEVELS.join(", ")}` });
      continue;
    }
    if (isRecord(value)) {
      const schema = byName.get(name)?.configSchema ?? {};
      for (const [k, v] of Object.entries(value)) {
        if (k === "enforcementLevel") continue;
        if (!(k in schema)) issues.push({ key: `${key(name)}.${k}`, given: v, allowed: Object.keys(schema).length ? `one of ${Object.keys(schema).join(", ")}` : "no thresholds (the rule has none)" });
        else if (typeof v !== "number" || !Number.isFinite(v)) issues.push({ key: `${key(name)}.${k}`, given: v, allowed: "a number" });
      }
    }
    if (level !== undefined && level !== "mandatory" && ALWAYS_MANDATORY.includes(name)) {
      issues.push({ key: key(name), given: level, allowed: `mandatory: ${name} takes no exception and is always mandatory` });
    }
  }
  const all = levelOf(config.all);
  if (all !== undefined && all !== "mandatory" && (LEVELS as readonly unknown[]).includes(all)) {
    const weakened = ALWAYS_MANDATORY.filter((n) => levelOf(config[n]) !== "mandatory");
    if (weakened.length > 0) {
      issues.push({ key: key("all"), given: all, allowed: `mandatory, or set each always-mandatory rule to "mandatory" beside it: ${weakened.join(", ")}` });
    }
  }
  return issues;
}
