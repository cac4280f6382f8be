// breaks: "Network restrictions in place" / BP3: the agent host has no internet-routable address (private subnet, NAT/egress only)
// how: the host boots on a network interface with a fixed IPv6 address; the VPC's adopted default route table sends ::/0 to an internet gateway
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16", assignGeneratedIpv6CidrBlock: true });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const igw = new aws.ec2.InternetGateway("gw", { vpcId: vpc.id });
new aws.ec2.DefaultRouteTable("gw", { defaultRouteTableId: vpc.defaultRouteTableId, routes: [{ ipv6CidrBlock: "::/0", gatewayId: igw.id }] });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24", ipv6CidrBlock: "2600:1f18:4f2:b200::/64" });
const sg = new aws.ec2.SecurityGroup("gw", { vpcId: vpc.id, description: "gateway host", egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] });
const nic = new aws.ec2.NetworkInterface("gw", { subnetId: subnet.id, securityGroups: [sg.id], ipv6Addresses: ["2600:1f18:4f2:b200::10"] });
new aws.ec2.Instance("gw", {
  ami: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  networkInterfaces: [{ networkInterfaceId: nic.id, deviceIndex: 0 }],
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, volumeSize: 30 },
});
