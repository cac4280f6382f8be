// Protects: the gateway from every device of the tailnet. Who can reach the gateway's ports is decided
// by the tailnet policy's acls and grants; a source that stands for everyone — "*", autogroup:member,
// autogroup:danger-all, autogroup:shared, autogroup:tagged, a tag anyone may apply, the whole tailnet
// range (by CIDR or hosts alias) — puts every laptop, phone and other agent next to the gateway.
// Checklist: "Network restrictions in place"; "Role-based access control implemented"; best practice 3.
// Fix: grant a named group (or tag) access to tag:<gateway> on the ports it needs (e.g. tcp:443).
import { splitAclDestination, tailnetPolicies, ACL } from "../lib/tailscale";
import type { StackRule, StackViolation } from "../lib/types";

export const tailscaleAclNoAnyToAny: StackRule = {
  kind: "stack",
  name: "tailscale-acl-no-any-to-any",
  description:
    'No acls entry or grant in the Tailscale policy lets a source that stands for everyone ("*", autogroup:member, autogroup:danger-all, autogroup:shared, autogroup:tagged, a tag anyone may apply, the tailnet range) reach the gateway (the tags the program\'s keys and devices join with, or any tagged node when none is named, or every device).',
  protects: "tailnet segmentation between the operator's devices and the gateway",
  checklistItems: ["network-restrictions", "network-isolation", "role-based-access"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Replace the broad source with a group or tag and name the gateway\'s ports, e.g. {"src": ["group:operators"], "dst": ["tag:openclaw"], "ip": ["tcp:443"]}.',
  resourceTypes: [ACL],
  validateStack(resources) {
    const out: StackViolation[] = [];
    for (const { urn, error, policy } of tailnetPolicies(resources)) {
      if (error) {
        out.push({ urn, message: `acl: ${error}` });
        continue;
      }
      policy.acls.forEach((a, i) => {
        if (a.action !== "accept") return;
        const why = a.src.map((x) => policy.broadSource(x)).find(Boolean);
        if (!why) return;
        const hit = a.dst.map(splitAclDestination).filter(([sel]) => policy.reachesGateway(sel));
        if (hit.length > 0) out.push({ urn, message: `acls[${i}] lets ${why} reach ${hit.map(([sel, ports]) => `${sel} on ${ports === "*" ? "every port" : `port ${ports}`}`).join(", ")}` });
      });
      policy.grants.forEach((g, i) => {
        // A grant with only "app" capabilities opens no network path.
        if (g.ip.length === 0) return;
        const why = g.src.map((x) => policy.broadSource(x)).find(Boolean);
        if (!why) return;
        const hit = g.dst.filter((d) => policy.reachesGateway(d));
        if (hit.length > 0) out.push({ urn, message: `grants[${i}] lets ${why} reach ${hit.join(", ")} on ${g.ip.includes("*") ? "every port" : g.ip.join(", ")}` });
      });
    }
    return out;
  },
};
