// Protects: the gradual trust model. The tools the OpenClaw config lets the agent reach must stay
// inside the capabilities of the level the instance declares (tag clawkeep:trustLevel; untagged
// = level 0): no file access at L0, no commands below L2, no cron below L3, exec approvals by a
// human or an allowlist, file tools confined to the workspace, and never elevated exec or the
// self-reconfiguring gateway/openclaw/plugins tools.
// Checklist: best practice 7, gradual trust; "File system sandboxing configured"; "Destructive
// actions require confirmation"; best practice 4; mistake 2, overly permissive tool access.
// Fix: deny the tools the level does not allow (e.g. "group:runtime", "group:fs", "group:automation").
import { LEVELS } from "../../stacks/trustLevels";
import { OPENCLAW_TYPES, declaredTrustLevel, openclawEnvelopeViolations, readableConfigs, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawTrustEnvelope: ResourceRule = {
  kind: "resource",
  name: "openclaw-trust-envelope",
  description: "The OpenClaw tool policy stays within the capabilities of the instance's trust level (tag clawkeep:trustLevel, default 0).",
  protects: "the blast radius the operator agreed to for this trust level",
  checklistItems: ["gradual-trust", "fs-sandboxing", "destructive-actions-confirmed", "strict-allowlists", "no-permissive-tools"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    'Add the tools the level does not allow to tools.deny (e.g. ["group:runtime", "group:fs", "group:automation", "sessions_spawn"]), set tools.fs.workspaceOnly: true, tools.exec.mode "ask" or "allowlist" where commands are allowed, and tools.elevated.enabled: false; or tag the instance with the level it was reviewed for.',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(_type, props) {
    const { level, problem, tagged } = declaredTrustLevel(props);
    const judgedAs = tagged ? "" : ` (untagged, so judged as level ${level}, ${LEVELS[level].name})`;
    const found = readableConfigs(props).flatMap(({ path, config }) => openclawEnvelopeViolations(level, config).map((v) => `${path}${judgedAs}: ${v}`));
    return problem ? [problem, ...found] : found;
  },
};
