// breaks: "Network segmentation" and "Tailscale for secure identity-based access" (securing AI agents, best practice 3); "Role-based access control implemented" (checklist)
// how: a "grants" entry from src "autogroup:danger-all" (every device, shared-in and external ones too) to tag:openclaw tcp:443
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// The gateway's HTTPS (Tailscale Serve) is granted to autogroup:danger-all.
const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  grants: [{ src: ["autogroup:danger-all"], dst: ["tag:openclaw"], ip: ["tcp:443"] }],
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
