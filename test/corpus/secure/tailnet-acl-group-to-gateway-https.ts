// secure: a tailnet policy where only group:openclaw-operators reach tag:openclaw on tcp:443 (Tailscale Serve), admins use Tailscale SSH in check mode as a non-root user, and admins own the tag
// mirrors: insecure/tailscale/grants-everyone-to-gateway.ts, ssh-root-accept-no-check.ts, tag-owners-members-own-gateway-tag.ts
// expect: pass
import * as tailscale from "@pulumi/tailscale";

const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  grants: [{ src: ["group:openclaw-operators"], dst: ["tag:openclaw"], ip: ["tcp:443"] }],
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
  tests: [
    { src: "alice@example.com", accept: ["tag:openclaw:443"], deny: ["tag:openclaw:22", "tag:openclaw:18789"] },
    { src: "bob@example.com", deny: ["tag:openclaw:443", "tag:openclaw:18789"] },
  ],
  sshTests: [{ src: "bob@example.com", dst: ["tag:openclaw"], check: ["admin"], deny: ["root"] }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, ephemeral: false, preauthorized: true, expiry: 3600 });
