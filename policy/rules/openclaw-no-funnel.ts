// Protects: the gateway from the public internet. Tailscale Funnel publishes it to anyone with the
// URL; Serve keeps it inside the tailnet. Judged on gateway.tailscale.mode in every config, the
// --tailscale flag of every `openclaw gateway` launch, and every `tailscale funnel` the host runs.
// Checklist: "Network restrictions in place"; best practice 3, network isolation.
// Fix: gateway.tailscale.mode "serve" (or "off" with an SSM port forward); no `tailscale funnel`.
import { OPENCLAW_TYPES, funnelProblems, openclawSetup, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawNoFunnel: ResourceRule = {
  kind: "resource",
  name: "openclaw-no-funnel",
  description: 'Nothing on the host publishes with Tailscale Funnel: gateway.tailscale.mode is not "funnel", no --tailscale funnel launch, no `tailscale funnel` command.',
  protects: "the gateway from the public internet",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Set gateway.tailscale.mode to "serve" (tailnet only) or "off", and remove `tailscale funnel` from the host\'s scripts.',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(type, props) {
    return funnelProblems(openclawSetup(type, props));
  },
};
