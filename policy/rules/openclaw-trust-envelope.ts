// Protects: the gradual trust model. Every OpenClaw config a resource delivers must stay inside the
// capabilities of the level the resource declares (tag clawkeep:trustLevel; untagged = level 0):
// the tools it lets the agent reach (no file access at L0, no commands below L2, no cron below L3,
// exec approvals by a human or an allowlist, commands on the node host only (tools.exec.host "node": never as the
// gateway, beside its credentials; issue 17 item 2), file tools confined to the workspace, never elevated
// exec or the self-reconfiguring gateway/openclaw/plugins tools; no shell, interpreter or dispatcher as
// an exec safe bin, by the kit's own allowlist predicates in stacks/execAllowlist.ts; strictInlineEval
// not turned off), who may talk to it (no open DM
// or group policy), session limits (idle reset within 30 minutes; daily reset where sessions are
// time-limited) and audit settings (audit log on, redaction not emptied).
// Checklist: best practice 7, gradual trust; "File system sandboxing configured"; "Destructive
// actions require confirmation"; best practice 4; mistake 2, overly permissive tool access; mistake 4.
// Fix: deny the tools the level does not allow, keep pairing/allowlists, the kit's session and logging settings.
import { LEVELS } from "../../stacks/trustLevels";
import { OPENCLAW_TYPES, declaredTrustLevel, openclawEnvelopeViolations, openclawSetup, partialEnvelopeViolations, readableConfigs, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawTrustEnvelope: ResourceRule = {
  kind: "resource",
  name: "openclaw-trust-envelope",
  description:
    "Every OpenClaw config stays within the trust level the resource declares (tag clawkeep:trustLevel, default 0): tool policy, exec approvals, commands on the node host (never as the gateway), workspace confinement, DM/group policy, session limits and audit settings.",
  protects: "the blast radius the operator agreed to for this trust level",
  checklistItems: ["gradual-trust", "fs-sandboxing", "destructive-actions-confirmed", "strict-allowlists", "no-permissive-tools", "session-timeouts", "session-limits", "audit-logging"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    'Add the tools the level does not allow to tools.deny (e.g. ["group:runtime", "group:fs", "group:automation", "sessions_spawn"]), set tools.fs.workspaceOnly: true, tools.exec.mode "ask" or "allowlist" and tools.exec.host "node" where commands are allowed (and no `openclaw exec-policy preset`: every preset sets host "gateway"), tools.elevated.enabled: false; channels dmPolicy "pairing" or "allowlist" without "*"; session.reset idle within 30 minutes (daily too from level 2); logging.audit.enabled: true and no empty redactPatterns; or tag the resource with the level it was reviewed for.',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(type, props) {
    const { level, problem, tagged } = declaredTrustLevel(props);
    const judgedAs = tagged ? "" : ` (untagged, so judged as level ${level}, ${LEVELS[level].name})`;
    // An edit of a config delivered elsewhere is judged on the logging keys it sets; one of tools, agents, channels or
    // sessions there cannot be judged at all (openclawSetup says so).
    const found = readableConfigs(type, props).flatMap(({ path, config, edited, partial }) =>
      (partial ? partialEnvelopeViolations(config) : openclawEnvelopeViolations(level, config)).map((v) => `${path}${edited}${judgedAs}: ${v}`),
    );
    // With no config found, --allow-unconfigured starts the gateway on OpenClaw's defaults: commands on the gateway host, no approvals.
    const unconfigured = openclawSetup(type, props)
      .launches.filter((l) => l.flags["allow-unconfigured"] !== undefined)
      .map((l) => `${l.where}: --allow-unconfigured starts the gateway on OpenClaw's defaults when its config is missing (the agent's commands on the gateway host, no approvals, no tool policy); remove it and ship the config`);
    return [...(problem ? [problem] : []), ...found, ...unconfigured, ...openclawSetup(type, props).sharedNodeHosts];
  },
};
