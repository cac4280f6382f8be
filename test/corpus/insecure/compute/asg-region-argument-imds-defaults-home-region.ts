// breaks: BP5 hardened host / IMDSv2 only: the host's role credentials are not reachable with IMDSv1
// how: InstanceMetadataDefaults (httpTokens required) is set in the stack's region, but the ASG and its launch template (no metadataOptions) take the region argument "eu-central-1"
// expect: violation
import * as aws from "@pulumi/aws";

new aws.ec2.InstanceMetadataDefaults("home", { httpTokens: "required", httpPutResponseHopLimit: 1 });
new aws.ebs.EncryptionByDefault("home", { enabled: true });
const template = new aws.ec2.LaunchTemplate("gw-eu", {
  region: "eu-central-1",
  imageId: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 30 } }],
});
const vpc = new aws.ec2.Vpc("gw-eu", { region: "eu-central-1", cidrBlock: "10.43.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-eu-default", { region: "eu-central-1", vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-eu-private", { region: "eu-central-1", vpcId: vpc.id, cidrBlock: "10.43.1.0/24" });
new aws.autoscaling.Group("gw-eu", { region: "eu-central-1", minSize: 1, maxSize: 1, vpcZoneIdentifiers: [subnet.id], launchTemplate: { id: template.id, version: "$Latest" } });
