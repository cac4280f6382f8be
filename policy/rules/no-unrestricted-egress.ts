// Protects: against exfiltration and command-and-control. An agent host that may send anything
// anywhere defeats the egress allowlist.
// Checklist: "Network restrictions in place"; best practice 3, network segmentation and isolation.
// Fix: allow only what the host needs (tcp/443 to the proxy or the internet, DNS, NTP), not all protocols.
import { SG_TYPES, allPorts, allProtocols, anywhere, describePorts, sgRules } from "../lib/securityGroups";
import type { ResourceRule } from "../lib/types";

export const noUnrestrictedEgress: ResourceRule = {
  kind: "resource",
  name: "no-unrestricted-egress",
  description: "No security group sends all protocols (or every port) to 0.0.0.0/0 or ::/0.",
  protects: "the network boundary that keeps a compromised agent from reaching arbitrary destinations",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Replace the all-traffic egress rule with the ports the host needs (e.g. tcp/443), and let the egress proxy's allowlist decide the domains.",
  resourceTypes: [SG_TYPES.group, SG_TYPES.defaultGroup, SG_TYPES.rule, SG_TYPES.egress],
  validateResource(type, props) {
    return sgRules(type, props)
      .filter((r) => r.direction === "egress" && (allProtocols(r) || allPorts(r)))
      .flatMap((r) => {
        const open = anywhere(r.cidrs);
        return open.length > 0 ? [`${r.where}: egress ${describePorts(r)}${allProtocols(r) ? "" : " on every port"} to ${open.join(", ")}`] : [];
      });
  },
};
