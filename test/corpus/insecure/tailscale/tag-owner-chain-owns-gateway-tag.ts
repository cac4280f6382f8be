// breaks: "Role-based access control implemented": no device anyone can tag becomes the gateway
// how: tag:openclaw is owned by tag:deployer, tag:deployer by tag:bootstrap, and tag:bootstrap by autogroup:member; any member's device can tag itself bootstrap, then deployer, then join as the gateway
// expect: violation
import * as tailscale from "@pulumi/tailscale";

const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"] },
  tagOwners: { "tag:openclaw": ["tag:deployer"], "tag:deployer": ["tag:bootstrap"], "tag:bootstrap": ["autogroup:member"] },
  grants: [{ src: ["group:openclaw-operators"], dst: ["tag:openclaw"], ip: ["tcp:443"] }],
};
new tailscale.Acl("tailnet", { acl: JSON.stringify(policy), overwriteExistingContent: true });
new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, preauthorized: true, expiry: 3600 });
