// breaks: "Network restrictions in place" / BP3: the agent host has no internet-routable address (private subnet, NAT/egress only)
// how: the ASG's launch template asks for one IPv6 address on its interface; the subnet has no table of its own and the VPC's main table gets a standalone ::/0 route to an internet gateway
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16", assignGeneratedIpv6CidrBlock: true });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const igw = new aws.ec2.InternetGateway("gw", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24", ipv6CidrBlock: "2600:1f18:4f2:b200::/64" });
const main = new aws.ec2.RouteTable("gw-main", { vpcId: vpc.id });
new aws.ec2.MainRouteTableAssociation("gw", { vpcId: vpc.id, routeTableId: main.id });
new aws.ec2.Route("gw-v6-default", { routeTableId: main.id, destinationIpv6CidrBlock: "::/0", gatewayId: igw.id });
const sg = new aws.ec2.SecurityGroup("gw", { vpcId: vpc.id, description: "gateway host", egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }] });
const template = new aws.ec2.LaunchTemplate("gw", {
  imageId: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 30 } }],
  networkInterfaces: [{ deviceIndex: 0, ipv6AddressCount: 1, securityGroups: [sg.id] }],
});
new aws.autoscaling.Group("gw", { minSize: 1, maxSize: 1, vpcZoneIdentifiers: [subnet.id], launchTemplate: { id: template.id, version: "$Latest" } });
