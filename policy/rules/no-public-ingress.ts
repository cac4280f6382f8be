// Protects: the host from the internet. Nothing outside the VPC reaches it; operators come in over
// Tailscale or SSM, never through an open port.
// Checklist: "Network restrictions in place"; best practice 3, network segmentation and isolation.
// Fix: remove the rule, or narrow its source to the VPC or a known range; use SSM Session Manager or Tailscale.
import { SG_TYPES, anywhere, describePorts, sgRules } from "../lib/securityGroups";
import type { ResourceRule } from "../lib/types";

export const noPublicIngress: ResourceRule = {
  kind: "resource",
  name: "no-public-ingress",
  description: "No security group lets traffic in from 0.0.0.0/0 or ::/0, on any port, inline or as a standalone rule.",
  protects: "the host and its gateway from the whole internet",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: "Narrow the source to the VPC CIDR or a known range, or drop the rule: reach the host through SSM Session Manager or Tailscale instead.",
  resourceTypes: [SG_TYPES.group, SG_TYPES.defaultGroup, SG_TYPES.rule, SG_TYPES.ingress],
  validateResource(type, props) {
    return sgRules(type, props)
      .filter((r) => r.direction === "ingress")
      .flatMap((r) => {
        const open = anywhere(r.cidrs);
        return open.length > 0 ? [`${r.where}: ingress ${describePorts(r)} from ${open.join(", ")} (the whole internet)`] : [];
      });
  },
};
