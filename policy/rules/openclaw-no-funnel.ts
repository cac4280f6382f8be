// Protects: the gateway from the public internet. Tailscale Funnel publishes it to anyone with the
// URL; Serve keeps it inside the tailnet.
// Checklist: "Network restrictions in place"; best practice 3, network isolation.
// Fix: gateway.tailscale.mode "serve" (or "off" with an SSM port forward).
import { OPENCLAW_TYPES, obj, readableConfigs, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawNoFunnel: ResourceRule = {
  kind: "resource",
  name: "openclaw-no-funnel",
  description: 'The OpenClaw gateway is not published with Tailscale Funnel (gateway.tailscale.mode is not "funnel").',
  protects: "the gateway from the public internet",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Set gateway.tailscale.mode to "serve" (tailnet only) or "off".',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(_type, props) {
    return readableConfigs(props).flatMap(({ path, config }) =>
      obj(obj(config.gateway).tailscale).mode === "funnel" ? [`${path}: gateway.tailscale.mode is "funnel" (public internet)`] : [],
    );
  },
};
