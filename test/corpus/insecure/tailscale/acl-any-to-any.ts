// breaks: "Network segmentation" and "Tailscale for secure identity-based access" (securing AI agents, best practice 3); "Role-based access control implemented" (checklist)
// how: legacy "acls" entry accepting src "*" to dst "*:*" (Tailscale's allow-all default left in place)
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// The tailnet's policy: everyone to everything, as the default policy file ships.
const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
  acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
