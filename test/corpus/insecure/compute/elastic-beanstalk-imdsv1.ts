// breaks: "Production deployment architecture" (BP5, hardened host): IMDSv2 required on the host that runs the agent
// how: Elastic Beanstalk single-instance environment; DisableIMDSv1 "false" (Beanstalk's default), everything else private and encrypted
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
// Beanstalk cannot encrypt its root volume itself: the account default does.
new aws.ebs.EncryptionByDefault("account", { enabled: true });
new aws.ebs.DefaultKmsKey("account", { keyArn: key.arn });
const role = new aws.iam.Role("gw-host", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  managedPolicyArns: ["arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier"],
});
const profile = new aws.iam.InstanceProfile("gw-host", { role: role.name });
const app = new aws.elasticbeanstalk.Application("gw", { description: "OpenClaw gateway" });
const setting = (namespace: string, name: string, value: pulumi.Input<string>) => ({ namespace, name, value });
new aws.elasticbeanstalk.Environment("gw", {
  application: app.name,
  solutionStackName: "64bit Amazon Linux 2023 v6.6.0 running Node.js 22",
  settings: [
    setting("aws:elasticbeanstalk:environment", "EnvironmentType", "SingleInstance"),
    setting("aws:ec2:vpc", "VPCId", vpc.id),
    setting("aws:ec2:vpc", "Subnets", subnet.id),
    setting("aws:ec2:vpc", "AssociatePublicIpAddress", "false"),
    setting("aws:autoscaling:launchconfiguration", "IamInstanceProfile", profile.name),
    setting("aws:autoscaling:launchconfiguration", "SecurityGroups", sg.id),
    setting("aws:autoscaling:launchconfiguration", "DisableDefaultEC2SecurityGroup", "true"),
    setting("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "false"),
    setting("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"),
  ],
});
