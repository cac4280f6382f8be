// Protects: the gateway host's network from every network but the tailnet. The guides' access model is
// Tailscale only (named groups, the Serve port, re-authenticated SSH) in an isolated network segment; a
// VPC peering, a Transit Gateway or VPN attachment, Direct Connect or a Client VPN joins another network
// (often another account's) to the host's VPC, where security groups that admit "private" ranges let it in.
// Question: does the program join the VPC to another network? Refused: VPC peering connections and their
// accepters, Transit Gateway VPC/peering attachments and accepters, site-to-site VPN connections and VPN
// gateway attachments, Direct Connect gateway associations and private virtual interfaces, Client VPN
// network associations and authorization rules (authorizeAllGroups: every directory or IdP user).
// Decision: refused whole, not judged by the security groups beside them: the peer's ranges and routes
// are another owner's, and "private" CIDRs (10.0.0.0/8) cannot tell the host's VPC from the peer's.
// Checklist: "Network restrictions in place"; "Role-based access control implemented"; best practice 3.
// Fix: keep the gateway's VPC unconnected; operators come in over Tailscale, AWS services over VPC endpoints.
import { at, flag, known, label, stackIndex } from "../lib/stackIndex";
import type { StackRule, StackViolation } from "../lib/types";

/** Each resource type that joins a VPC to another network, and what it joins. */
const SIDE_DOORS: Readonly<Record<string, string>> = {
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "peers the VPC with another VPC",
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": "accepts a peering from another VPC",
  "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "attaches the VPC to a Transit Gateway (every network on it)",
  "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter": "accepts a VPC into a Transit Gateway shared with another account",
  "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": "peers a Transit Gateway with another",
  "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter": "accepts a Transit Gateway peering",
  "aws:ec2/vpnConnection:VpnConnection": "joins an outside network over a site-to-site VPN",
  "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment": "attaches a VPN gateway to the VPC",
  "aws:directconnect/gatewayAssociation:GatewayAssociation": "joins a Direct Connect network",
  "aws:directconnect/privateVirtualInterface:PrivateVirtualInterface": "joins a Direct Connect network",
  "aws:ec2clientvpn/networkAssociation:NetworkAssociation": "lets Client VPN users into the subnet, outside the tailnet policy",
};
const CLIENT_VPN_RULE = "aws:ec2clientvpn/authorizationRule:AuthorizationRule";
const VPN_GATEWAY = "aws:ec2/vpnGateway:VpnGateway";

export const noNetworkSideDoor: StackRule = {
  kind: "stack",
  name: "no-network-side-door",
  description:
    "The program joins no other network to its VPCs: no VPC peering (or accepter), Transit Gateway VPC or peering attachment (or accepter), site-to-site VPN connection or VPN gateway attached to a VPC, Direct Connect association or private virtual interface, Client VPN network association or authorization rule for all users. Operators reach the gateway over Tailscale only.",
  protects: "the gateway host's network segment from other accounts' and other teams' networks",
  checklistItems: ["network-restrictions", "network-isolation", "role-based-access"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: "Drop the peering, Transit Gateway, VPN or Client VPN from the gateway's VPC: operators come in over Tailscale (named groups, the Serve port), AWS services over VPC endpoints; a vendor gets logs pushed to it, not a route in.",
  resourceTypes: [...Object.keys(SIDE_DOORS), CLIENT_VPN_RULE, VPN_GATEWAY],
  validateStack(resources) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    for (const [type, what] of Object.entries(SIDE_DOORS)) {
      for (const r of index.of(type)) {
        const peer = known(at(r.props, "peerOwnerId")) ?? known(at(r.props, "peerAccountId"));
        out.push({ urn: r.urn, message: `${label(r)} ${what}${typeof peer === "string" ? ` (account ${peer})` : ""}: a network path to the gateway host outside Tailscale` });
      }
    }
    // A VPN gateway given a VPC inline is attached without a VpnGatewayAttachment.
    for (const g of index.of(VPN_GATEWAY)) if (at(g.props, "vpcId") !== undefined && at(g.props, "vpcId") !== "") out.push({ urn: g.urn, message: `${label(g)} is attached to a VPC (vpcId): outside networks route in over VPN` });
    for (const rule of index.of(CLIENT_VPN_RULE)) {
      if (flag(known(at(rule.props, "authorizeAllGroups"))) === true) out.push({ urn: rule.urn, message: `${label(rule)} authorizes every Client VPN user (authorizeAllGroups) to ${String(known(at(rule.props, "targetNetworkCidr")) ?? "a network")}` });
    }
    return out;
  },
};
