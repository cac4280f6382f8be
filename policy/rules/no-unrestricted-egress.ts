// Protects: against exfiltration and command-and-control. An agent host that may send anything
// anywhere defeats the egress allowlist.
// Question: can a host of the program send traffic to the whole internet on every port? Judged per
// security group in every resource form (CIDR sets that together cover the internet, port ranges that
// together cover every port, managed prefix lists and their entries), and per host across all the
// groups it really gets, including the VPC default group it inherits by naming none (AWS creates it
// with all traffic out, unless the program adopts it with DefaultSecurityGroup).
// Checklist: "Network restrictions in place"; best practice 3, network segmentation and isolation.
// Fix: allow only what the host needs (tcp/443 to the proxy or the internet, DNS, NTP), not all protocols.
import { netHosts } from "../lib/hosts";
import { LAUNCH_TYPES } from "../lib/launches";
import { SG_RULE_TYPES, familyName, securityGroups, unrestrictedEgress, type SgRule } from "../lib/securityGroups";
import { label, stackIndex, throwBlind } from "../lib/stackIndex";
import type { StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";

const ruleName = (r: SgRule) => (r.resource ? `${label(r.resource)}${r.where === "rule" ? "" : ` ${r.where}`}` : r.where);

export const noUnrestrictedEgress: StackRule = {
  kind: "stack",
  name: "no-unrestricted-egress",
  description:
    "No security group, and no host across the groups it really gets (the VPC default group included when it names none), sends all protocols or every tcp/udp port to the internet: 0.0.0.0/0, ::/0, ranges that together cover every public address, or one wider than any owner's, as CIDRs or managed prefix lists.",
  protects: "the network boundary that keeps a compromised agent from reaching arbitrary destinations",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Replace the all-traffic egress rule with the ports the host needs (e.g. tcp/443), and let the egress proxy's allowlist decide the domains; give every host its own security group and adopt the VPC's default group with aws.ec2.DefaultSecurityGroup and no rules.",
  resourceTypes: [...SG_RULE_TYPES, ...LAUNCH_TYPES, "aws:ecs/service:Service", "aws:ecs/taskSet:TaskSet"],
  validateStack(resources) {
    const index = stackIndex(resources);
    const sg = securityGroups(index);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    const flagged = new Set<string>();
    for (const group of sg.groups) {
      const { opening } = unrestrictedEgress(sg, group.rules, "nothing");
      if (opening) {
        flagged.add(group.key);
        const message = `${group.label}: egress ${opening.what} to ${opening.how}, the whole ${familyName(opening.family)} internet, through ${opening.rules.map(ruleName).join(" and ")}`;
        for (const r of opening.rules) out.push({ urn: r.resource?.urn ?? group.resource?.urn ?? "", message });
        continue;
      }
      const worst = unrestrictedEgress(sg, group.rules, "everything");
      if (worst.opening) blind.push(new CannotJudge(worst.unknown.join("; "), group.label));
    }
    for (const host of netHosts(index)) {
      try {
        const { value: groups, because } = host.groups();
        if (groups.some((g) => flagged.has(g.key))) continue;
        const { opening } = unrestrictedEgress(sg, groups.flatMap((g) => g.rules), "nothing");
        if (opening) {
          out.push({ urn: host.at.urn, message: `${host.what}: ${because}; together they send ${opening.what} to ${opening.how}, the whole ${familyName(opening.family)} internet` });
        } else if (groups.some((g) => !g.complete)) {
          throw new CannotJudge(`the rules of ${groups.filter((g) => !g.complete).map((g) => g.label).join(", ")}`, host.what);
        }
      } catch (e) {
        if (e instanceof CannotJudge) blind.push(e);
        else throw e;
      }
    }
    throwBlind(blind);
    const seen = new Set<string>();
    return out.filter((v) => (seen.has(`${v.urn}|${v.message}`) ? false : (seen.add(`${v.urn}|${v.message}`), true)));
  },
};
