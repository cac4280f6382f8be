// Protects: the gateway from the internet. A nodeAttrs entry with attr "funnel" lets the nodes it
// targets publish a port to the public internet (Tailscale Funnel), past every tailnet ACL; the
// OpenClaw side of Funnel is openclaw-no-funnel's, this is the tailnet policy's.
// Checklist: "Network restrictions in place"; best practice 3 (network isolation).
// Fix: remove "funnel" from nodeAttrs for the gateway's tags (and for "*").
import { tailnetPolicies, ACL } from "../lib/tailscale";
import type { StackRule, StackViolation } from "../lib/types";

export const tailscaleNoFunnelAttr: StackRule = {
  kind: "stack",
  name: "tailscale-no-funnel-attr",
  description: 'The Tailscale policy grants the "funnel" node attribute to no target that takes in the gateway ("*", autogroup:tagged, the gateway\'s tags or any tag when none is named).',
  protects: "the gateway from being published to the internet through Tailscale Funnel",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Drop "funnel" from the nodeAttrs entries that target the gateway; publish it to the tailnet only (Tailscale Serve).',
  resourceTypes: [ACL],
  validateStack(resources) {
    const out: StackViolation[] = [];
    for (const { urn, error, policy } of tailnetPolicies(resources)) {
      if (error) continue;
      policy.nodeAttrs.forEach((n, i) => {
        if (!n.attr.some((a) => a.toLowerCase() === "funnel")) return;
        const targets = n.target.filter((t) => policy.reachesGateway(t));
        if (targets.length > 0) out.push({ urn, message: `nodeAttrs[${i}] lets ${targets.join(", ")} publish ports to the internet (attr "funnel")` });
      });
    }
    return out;
  },
};
