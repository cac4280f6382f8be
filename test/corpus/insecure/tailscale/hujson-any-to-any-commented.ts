// breaks: "Network segmentation" and "Tailscale for secure identity-based access" (securing AI agents, best practice 3); "Role-based access control implemented" (checklist)
// how: HuJSON policy text (comments, trailing commas) whose "acls" accept "*" to "*:*"
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// Pasted from the admin console's editor, comments and all.
const policy = `{
  // Groups
  "groups": {
    "group:openclaw-admins": ["bob@example.com"],
  },
  "tagOwners": {
    "tag:openclaw": ["group:openclaw-admins"], // only admins tag the gateway
  },
  /* TODO tighten before launch */
  "acls": [
    {"action": "accept", "src": ["*"], "dst": ["*:*"]},
  ],
  "ssh": [
    {"action": "check", "src": ["group:openclaw-admins"], "dst": ["tag:openclaw"], "users": ["admin"]},
  ],
}`;

new tailscale.Acl("tailnet", { acl: policy, overwriteExistingContent: true });
