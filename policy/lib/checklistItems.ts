// The two guides' production checklists (shared/seeds), item by item. An item no rule can judge from
// the resource graph says where it is decided instead.

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
