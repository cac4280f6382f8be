// breaks: "Every agent, user, and integration should have only the permissions it needs to function" (openclaw security practices, least privilege); "For sensitive deployments, enable MFA"
// how: an "ssh" rule with action "accept" (no check-mode re-authentication) to users ["root"] on the gateway
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// Tailscale SSH: admins log in as root, no check mode.
const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  grants: [{ src: ["group:openclaw-operators"], dst: ["tag:openclaw"], ip: ["tcp:443"] }],
  ssh: [{ action: "accept", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["root"] }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
