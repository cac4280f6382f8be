// breaks: "Network restrictions in place" / "Role-based access control implemented": no source anyone can become reaches the gateway
// how: tag:ci-runner reaches tag:openclaw on every port; tag:ci-runner is owned by tag:ci-builder, and tag:ci-builder by autogroup:member: any member tags a device ci-builder, which then tags one ci-runner (ownership two hops deep)
// expect: violation
import * as tailscale from "@pulumi/tailscale";

const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: {
    "tag:openclaw": ["group:openclaw-admins"],
    "tag:ci-runner": ["tag:ci-builder"],
    // "any engineer can bring up a build box"
    "tag:ci-builder": ["autogroup:member"],
  },
  grants: [
    { src: ["group:openclaw-operators"], dst: ["tag:openclaw"], ip: ["tcp:443"] },
    { src: ["tag:ci-runner"], dst: ["tag:openclaw"], ip: ["*"] },
  ],
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, ephemeral: false, preauthorized: true, expiry: 3600 });
