// Protects: the tailnet's segmentation. An ACL or grant that accepts "*" to "*:*" lets every
// device (a laptop, a phone, another agent) reach every port of the gateway host and everything else.
// Checklist: "Network restrictions in place"; "Role-based access control implemented"; best practice 3.
// Fix: grant named groups or tags access to tag:<gateway> on the ports they need (e.g. tcp:443).
import { parseAcl, ACL } from "../lib/tailscale";
import type { ResourceRule } from "../lib/types";
import { asArray, asStrings, isRecord } from "../lib/values";

export const tailscaleAclNoAnyToAny: ResourceRule = {
  kind: "resource",
  name: "tailscale-acl-no-any-to-any",
  description: 'The Tailscale policy has no ACL accepting src "*" to dst "*:*" and no grant from "*" to "*" on every IP port.',
  protects: "tailnet segmentation between the operator's devices and the gateway",
  checklistItems: ["network-restrictions", "network-isolation", "role-based-access"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Replace the any-to-any entry with grants from a group or tag to "tag:<gateway>" on named ports, e.g. {"src": ["group:operators"], "dst": ["tag:openclaw"], "ip": ["tcp:443"]}.',
  resourceTypes: [ACL],
  validateResource(_type, props) {
    const parsed = parseAcl(props);
    if (parsed.error) return [`acl: ${parsed.error}`];
    const problems: string[] = [];
    asArray(parsed.policy.acls).forEach((a, i) => {
      if (isRecord(a) && a.action === "accept" && asStrings(a.src).includes("*") && asStrings(a.dst).includes("*:*")) {
        problems.push(`acls[${i}] accepts "*" to "*:*"`);
      }
    });
    asArray(parsed.policy.grants).forEach((g, i) => {
      if (isRecord(g) && asStrings(g.src).includes("*") && asStrings(g.dst).includes("*") && asStrings(g.ip).includes("*")) {
        problems.push(`grants[${i}] grants "*" to "*" on every port`);
      }
    });
    return problems;
  },
};
