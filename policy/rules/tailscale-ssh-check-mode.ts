// Protects: root on the gateway host. A Tailscale SSH rule with action "accept" lets a stolen or
// unattended laptop open a root shell with no fresh login; "check" asks the person to authenticate
// again. Any login user counts, not only root: stock images' users (ubuntu, ec2-user, admin) and
// autogroup:nonroot sudo without a password, and the plan cannot see the host's sudoers. And no SSH
// rule may let everyone (or devices nobody vouched for) in at all.
// Checklist: "Role-based access control implemented"; "Destructive actions require confirmation"; best practice 3.
// Fix: {"action": "check", "src": ["group:admins"], "dst": ["tag:<gateway>"], "users": ["<non-root user>"], "checkPeriod": "12h"}.
import { tailnetPolicies, ACL } from "../lib/tailscale";
import type { StackRule, StackViolation } from "../lib/types";

export const tailscaleSshCheckMode: StackRule = {
  kind: "stack",
  name: "tailscale-ssh-check-mode",
  description:
    'No Tailscale SSH rule to the gateway logs anyone in without re-authentication (action "accept", as any user: root, or a user that may sudo, which the plan cannot rule out), and none lets a source that stands for everyone SSH into it at all.',
  protects: "root on the gateway host from a stolen device or an unattended session",
  checklistItems: ["role-based-access", "destructive-actions-confirmed", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Use "action": "check" (with a checkPeriod) for SSH to the gateway, log in as a non-root user, and name a group of admins in src.',
  resourceTypes: [ACL],
  validateStack(resources) {
    const out: StackViolation[] = [];
    for (const { urn, error, policy } of tailnetPolicies(resources)) {
      if (error) continue;
      policy.ssh.forEach((rule, i) => {
        const dst = rule.dst.filter((d) => policy.reachesGateway(d));
        if (dst.length === 0) return;
        if (rule.action === "accept") {
          const root = rule.users.includes("root") ? "root" : `${rule.users.join(", ") || "its users"} (a user that may sudo to root: stock images' users and autogroup:nonroot do)`;
          out.push({ urn, message: `ssh[${i}] lets ${rule.src.join(", ")} log in to ${dst.join(", ")} as ${root} without re-authentication (action "accept"; use "check")` });
        }
        const why = rule.src.map((x) => policy.broadSource(x)).find(Boolean);
        if (why) out.push({ urn, message: `ssh[${i}] lets ${why} SSH into ${dst.join(", ")} as ${rule.users.join(", ") || "any listed user"}` });
      });
    }
    return out;
  },
};
