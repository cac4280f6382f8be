// breaks: "Network restrictions in place" / "Role-based access control implemented": only the operators' group reaches the gateway
// how: the acls source is ipset:vpn-users, which adds ipset:carrier-nat, which adds the range 100.64.0.0-100.127.255.255 (the whole tailnet, written as a range, two IP sets deep)
// expect: violation
import * as tailscale from "@pulumi/tailscale";

const policy = {
  groups: { "group:openclaw-admins": ["bob@example.com"] },
  tagOwners: { "tag:openclaw": ["group:openclaw-admins"] },
  ipsets: { "ipset:carrier-nat": ["add 100.64.0.0-100.127.255.255"], "ipset:vpn-users": ["add ipset:carrier-nat", "remove 100.100.100.100"] },
  acls: [{ action: "accept", src: ["ipset:vpn-users"], dst: ["tag:openclaw:*"] }],
};
new tailscale.Acl("tailnet", { acl: JSON.stringify(policy), overwriteExistingContent: true });
new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, preauthorized: true, expiry: 3600 });
