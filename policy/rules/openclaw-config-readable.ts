// Protects: the other OpenClaw rules' verdicts. An openclaw.json in user data that cannot be
// decoded or parsed cannot be judged, and OpenClaw itself refuses an invalid config (exit 78).
// Checklist: best practice 7, gradual trust; "File system sandboxing configured" (both need a readable config).
// Fix: write the config as JSON in cloud-init write_files (content plain, b64 or gzip+base64).
import { OPENCLAW_TYPES, openclawConfigs, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawConfigReadable: ResourceRule = {
  kind: "resource",
  name: "openclaw-config-readable",
  description: "Every openclaw.json an instance's cloud-init writes decodes and parses, so the gateway rules can judge it.",
  protects: "the gate itself: an unreadable gateway config would pass unjudged",
  checklistItems: ["gradual-trust", "fs-sandboxing"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Render openclaw.json with JSON.stringify and ship it in #cloud-config write_files with encoding text/plain, b64 or gzip+base64.",
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(_type, props) {
    return openclawConfigs(props).flatMap((f) => (f.error ? [`${f.path}: ${f.error}`] : []));
  },
};
