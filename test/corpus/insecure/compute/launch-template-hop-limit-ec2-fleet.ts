// breaks: "Production deployment architecture" (BP5) and BP3 isolation: metadata hop limit 1 so containers cannot reach the role credentials
// how: launch template with httpPutResponseHopLimit 3, launched through an ec2.Fleet of type maintain
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

const template = new aws.ec2.LaunchTemplate("gw", {
  imageId: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  vpcSecurityGroupIds: [sg.id],
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 3 },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 30, encrypted: "true", kmsKeyId: key.arn } }],
});
new aws.ec2.Fleet("gw", {
  type: "maintain",
  launchTemplateConfigs: [
    {
      launchTemplateSpecification: { launchTemplateId: template.id, version: "$Latest" },
      overrides: [{ subnetId: subnet.id, instanceType: "t3.medium" }],
    },
  ],
  targetCapacitySpecification: { defaultTargetCapacityType: "on-demand", totalTargetCapacity: 1 },
});
