// breaks: "Role-based access control implemented" / "For sensitive deployments, enable MFA": root on the gateway host only after re-authentication, for admins only
// how: the Tailscale SSH rule to tag:openclaw is "accept" (no check mode) for the whole operators group, as user "ubuntu", which has passwordless sudo on the Ubuntu AMI: root without re-authentication
// expect: violation
import * as tailscale from "@pulumi/tailscale";

const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com", "carol@example.com", "dave@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  grants: [{ src: ["group:openclaw-operators"], dst: ["tag:openclaw"], ip: ["tcp:443"] }],
  // "check mode re-prompts every 12h and breaks the on-call runbook"
  ssh: [{ action: "accept", src: ["group:openclaw-operators"], dst: ["tag:openclaw"], users: ["ubuntu", "autogroup:nonroot"] }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, ephemeral: false, preauthorized: true, expiry: 3600 });
