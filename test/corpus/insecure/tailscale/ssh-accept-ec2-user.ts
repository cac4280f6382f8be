// breaks: "Role-based access control implemented" / "For sensitive deployments, enable MFA": no shell on the gateway host without re-authentication
// how: Tailscale SSH "accept" for the admins as ec2-user (passwordless sudo on Amazon Linux): not "root" by name, root in one command
// expect: violation
import * as tailscale from "@pulumi/tailscale";

const policy = {
  groups: { "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  grants: [{ src: ["group:openclaw-admins"], dst: ["tag:openclaw"], ip: ["tcp:443"] }],
  ssh: [{ action: "accept", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["ec2-user"] }],
};
new tailscale.Acl("tailnet", { acl: JSON.stringify(policy), overwriteExistingContent: true });
new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, preauthorized: true, expiry: 3600 });
