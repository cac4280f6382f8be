// Protects: OpenClaw's own safety checks. Every dangerously* switch (host-header origin fallback,
// private-network browsing, container namespace joins, name matching...) turns one off.
// Checklist: "Destructive actions require confirmation"; best practice 4; mistake 2, overly permissive tools.
// Fix: remove the key (they all default to false).
import { OPENCLAW_TYPES, dangerousFlags, readableConfigs, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawNoDangerousFlags: ResourceRule = {
  kind: "resource",
  name: "openclaw-no-dangerous-flags",
  description: "No dangerously* key is set to true anywhere in the OpenClaw config.",
  protects: "the safety checks OpenClaw ships enabled",
  checklistItems: ["destructive-actions-confirmed", "strict-allowlists", "no-permissive-tools"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Remove every dangerously* key from openclaw.json; they default to false.",
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(_type, props) {
    return readableConfigs(props).flatMap(({ path, config }) => dangerousFlags(config).map((k) => `${path}: ${k} is true`));
  },
};
