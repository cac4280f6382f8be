// breaks: "Network isolation keeping agents in separate VLANs with controlled access" (securing AI agents, best practice 3); "blocked_ips": ["0.0.0.0/0"]
// how: a "nodeAttrs" entry grants attr "funnel" to tag:openclaw, so the gateway may publish itself to the internet
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// Lets the gateway host use Tailscale Funnel.
const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  grants: [{ src: ["group:openclaw-operators"], dst: ["tag:openclaw"], ip: ["tcp:443"] }],
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
  nodeAttrs: [{ target: ["tag:openclaw"], attr: ["funnel"] }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
