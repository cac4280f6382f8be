// breaks: "Network segmentation" and "Tailscale for secure identity-based access" (securing AI agents, best practice 3); "Role-based access control implemented" (checklist)
// how: a "grants" entry from src "*" to dst "tag:openclaw" on ip "*" (all ports, all protocols)
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// New grants syntax: everyone to the gateway tag on every port.
const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] }, grants: [{ src: ["*"], dst: ["tag:openclaw"], ip: ["*"] }],
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
