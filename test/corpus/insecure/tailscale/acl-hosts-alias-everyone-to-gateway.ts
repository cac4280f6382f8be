// breaks: "Network segmentation" and "Tailscale for secure identity-based access" (securing AI agents, best practice 3); "Role-based access control implemented" (checklist)
// how: the gateway is named by a "hosts" alias (its tailnet IP), and an "acls" entry accepts src "*" to "openclaw-gw:*"
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// The gateway by its tailnet address: everyone, every port.
const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
  hosts: { "openclaw-gw": "100.101.102.103" }, acls: [{ action: "accept", src: ["*"], dst: ["openclaw-gw:*"] }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
