// Protects: OpenClaw's own safety checks. Every dangerously* switch (host-header origin fallback,
// private-network browsing, container namespace joins, name matching...) turns one off, in a config
// (after $include and `openclaw config set`) or as a --dangerously-* flag on a launch.
// Checklist: "Destructive actions require confirmation"; best practice 4; mistake 2, overly permissive tools.
// Fix: remove the key (they all default to false).
import { OPENCLAW_TYPES, dangerousFlags, openclawSetup, readableConfigs, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawNoDangerousFlags: ResourceRule = {
  kind: "resource",
  name: "openclaw-no-dangerous-flags",
  description: "No dangerously* key is set to true anywhere in an OpenClaw config, and no --dangerously-* flag on a gateway launch.",
  protects: "the safety checks OpenClaw ships enabled",
  checklistItems: ["destructive-actions-confirmed", "strict-allowlists", "no-permissive-tools"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Remove every dangerously* key from openclaw.json and every --dangerously-* flag; they default to false.",
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(type, props) {
    const inConfigs = readableConfigs(type, props).flatMap(({ path, config, edited }) => dangerousFlags(config).map((k) => `${path}: ${k} is true${edited}`));
    const onLaunches = openclawSetup(type, props).launches.flatMap((l) => Object.keys(l.flags).filter((f) => /^dangerously/i.test(f)).map((f) => `${l.where}: --${f}`));
    return [...inConfigs, ...onLaunches];
  },
};
