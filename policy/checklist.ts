// The two guides' production checklists (shared/seeds), item by item, and which rules decide each.
// An item no rule can judge from the resource graph says where it is decided instead.
import type { Rule } from "./lib/types";

export const GUIDES = {
  practices: "OpenClaw security practices: Security Checklist for Production",
  production: "How to Secure AI Agents in Production: best practices and common mistakes",
} as const;
export type GuideId = keyof typeof GUIDES;

interface ItemDef {
  guide: GuideId;
  item: string;
  /** Where the item is decided when no rule of the pack can decide it from the resources. */
  decidedElsewhere?: string;
}

const ITEMS = {
  "api-keys-in-secret-store": { guide: "practices", item: "API keys stored in environment variables or secrets manager" },
  "keys-rotated-90-days": { guide: "practices", item: "Keys rotated within last 90 days" },
  "fs-sandboxing": { guide: "practices", item: "File system sandboxing configured" },
  "network-restrictions": { guide: "practices", item: "Network restrictions in place" },
  "execution-timeouts": {
    guide: "practices",
    item: "Execution timeouts set",
    decidedElsewhere: "stacks/schema.ts bounds execTimeoutSeconds and maxToolCallsPerRun; the OpenClaw config renderer writes them",
  },
  "role-based-access": { guide: "practices", item: "Role-based access control implemented" },
  "session-timeouts": {
    guide: "practices",
    item: "Session timeouts enabled",
    decidedElsewhere: "stacks/schema.ts caps sessionIdleMinutes at 30; the OpenClaw config renderer writes the idle reset",
  },
  "audit-logging": { guide: "practices", item: "Comprehensive audit logging configured" },
  "anomaly-alerts": { guide: "practices", item: "Alerts set for anomalous activity" },
  "inputs-sanitized": {
    guide: "practices",
    item: "All inputs sanitized before agent processing",
    decidedElsewhere: "a property of the agent's prompts and channels, not of the infrastructure; the trust level limits what injected input can do",
  },
  "destructive-actions-confirmed": { guide: "practices", item: "Destructive actions require confirmation" },
  "security-review": {
    guide: "practices",
    item: "Security team has reviewed configuration",
    decidedElsewhere: "stacks/schema.ts requires a recorded promotion review (reviewer, date, what was tested) from level 2",
  },
  "strong-models": {
    guide: "production",
    item: "Best practice 1: strong, latest-generation models for security-sensitive agents",
    decidedElsewhere: "stacks/schema.ts requires the model to be one of strongModels",
  },
  "gateway-token-auth": { guide: "production", item: "Best practice 2: hardened authentication with gateway tokens" },
  "network-isolation": { guide: "production", item: "Best practice 3: network segmentation and isolation" },
  "strict-allowlists": { guide: "production", item: "Best practice 4: strict access controls and allowlists" },
  "production-host": { guide: "production", item: "Best practice 5: production deployment architecture (dedicated, hardened host)" },
  "monitoring-maintenance": { guide: "production", item: "Best practice 6: monitoring, session management and maintenance" },
  "gradual-trust": { guide: "production", item: "Best practice 7: gradual trust model" },
  "no-loopback-trust": { guide: "production", item: "Mistake 1: trusting loopback connections" },
  "no-permissive-tools": { guide: "production", item: "Mistake 2: overly permissive tool access" },
  "model-selection": {
    guide: "production",
    item: "Mistake 3: ignoring model selection for security",
    decidedElsewhere: "stacks/schema.ts requires the model to be one of strongModels",
  },
  "session-limits": {
    guide: "production",
    item: "Mistake 4: no session limits",
    decidedElsewhere: "stacks/schema.ts caps sessionMaxHours at 8 and sessionIdleMinutes at 30; the OpenClaw config renderer writes them",
  },
} as const satisfies Record<string, ItemDef>;

export type ChecklistItemId = keyof typeof ITEMS;
export const CHECKLIST_ITEMS: ReadonlyArray<ItemDef & { id: ChecklistItemId }> = Object.entries(ITEMS).map(([id, def]) => ({
  id: id as ChecklistItemId,
  ...(def as ItemDef),
}));

export type ChecklistStatus = "pass" | "fail" | "not-applicable";

export interface ChecklistEntry {
  id: ChecklistItemId;
  item: string;
  guide: string;
  status: ChecklistStatus;
  /** Rules that decide the item. */
  rules: string[];
  /** Why the status is what it is when no rule decided it. */
  note?: string;
}

export function rulesFor(item: ChecklistItemId, rules: readonly Rule[]): string[] {
  return rules.filter((r) => r.checklistItems.includes(item)).map((r) => r.name);
}

/**
 * Fail when any deciding rule found a violation; pass when at least one applied and none did;
 * not applicable when none of them had anything to look at, or no rule decides the item.
 */
export function evaluateChecklist(rules: readonly Rule[], applied: ReadonlySet<string>, violated: ReadonlySet<string>): ChecklistEntry[] {
  return CHECKLIST_ITEMS.map((def) => {
    const deciding = rulesFor(def.id, rules);
    const base = { id: def.id, item: def.item, guide: GUIDES[def.guide], rules: deciding };
    if (deciding.length === 0) return { ...base, status: "not-applicable" as const, note: `decided outside the pack: ${def.decidedElsewhere ?? "no rule"}` };
    if (deciding.some((r) => violated.has(r))) return { ...base, status: "fail" as const };
    if (deciding.some((r) => applied.has(r))) return { ...base, status: "pass" as const };
    return { ...base, status: "not-applicable" as const, note: "no resource of the stack is one these rules judge" };
  });
}
