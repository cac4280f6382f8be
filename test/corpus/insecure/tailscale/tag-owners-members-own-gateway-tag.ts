// breaks: "Network segmentation" and "Tailscale for secure identity-based access" (securing AI agents, best practice 3); "Role-based access control implemented" (checklist)
// how: tagOwners lets "autogroup:member" apply tag:openclaw, so any member's device can become the gateway (and get its access)
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// Any member may tag a device as the gateway.
const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["autogroup:member"] },
  grants: [{ src: ["group:openclaw-operators"], dst: ["tag:openclaw"], ip: ["tcp:443"] }],
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
