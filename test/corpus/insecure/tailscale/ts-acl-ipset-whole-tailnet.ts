// breaks: "Network restrictions in place" / "Role-based access control implemented": only the operators' group reaches the gateway, on the Serve port only
// how: the grant's source is an IP set (ipset:office-and-vpn) that adds the whole tailnet range 100.64.0.0/10 and fd7a:115c:a1e0::/48; it reaches tag:openclaw on every port
// expect: violation
import * as tailscale from "@pulumi/tailscale";

const policy = {
  groups: { "group:openclaw-operators": ["alice@example.com"], "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  // "office LAN via the subnet router, plus everyone on the VPN"
  ipsets: { "ipset:office-and-vpn": ["add 192.168.10.0/24", "add 100.64.0.0/10", "add fd7a:115c:a1e0::/48"] },
  grants: [
    { src: ["group:openclaw-operators"], dst: ["tag:openclaw"], ip: ["tcp:443"] },
    { src: ["ipset:office-and-vpn"], dst: ["tag:openclaw"], ip: ["*"] },
  ],
  ssh: [{ action: "check", src: ["group:openclaw-admins"], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }],
};

new tailscale.Acl("tailnet", { acl: JSON.stringify(policy, null, 2), overwriteExistingContent: true });
new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, ephemeral: false, preauthorized: true, expiry: 3600 });
