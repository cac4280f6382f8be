// breaks: "Production deployment architecture" (BP5, hardened host): IMDSv2 required; an inline spot fleet launch specification cannot even express it
// how: ec2.SpotFleetRequest with inline launchSpecifications (encrypted root, no public IP, no key) instead of a launch template: IMDS falls back to the v1-allowing default
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const key = new aws.kms.Key("gw", { enableKeyRotation: true });

const fleetRole = new aws.iam.Role("spot-fleet", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "spotfleet.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole"],
});
new aws.ec2.SpotFleetRequest("gw", {
  iamFleetRole: fleetRole.arn,
  targetCapacity: 1,
  fleetType: "maintain",
  launchSpecifications: [
    {
      ami: "ami-0d3b1a2c3e4f5a6b7",
      instanceType: "t3.medium",
      subnetId: subnet.id,
      vpcSecurityGroupIds: [sg.id],
      associatePublicIpAddress: false,
      rootBlockDevices: [{ volumeSize: 30, encrypted: true, kmsKeyId: key.arn }],
    },
  ],
});
