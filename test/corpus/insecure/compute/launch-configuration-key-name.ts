// breaks: "Role-based access control implemented" / BP5: no long-lived SSH key on the host
// how: keyName "ops" on an otherwise hardened ec2.LaunchConfiguration used by an ASG
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
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });

const config = new aws.ec2.LaunchConfiguration("gw", {
  imageId: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  securityGroups: [sg.id],
  keyName: "ops",
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { volumeSize: 30, encrypted: true },
});
const group = new aws.autoscaling.Group("gw", {
  vpcZoneIdentifiers: [subnet.id],
  minSize: 1,
  maxSize: 1,
  launchConfiguration: config.name,
});
new aws.cloudwatch.MetricAlarm("gw-status", {
  namespace: "AWS/EC2",
  metricName: "StatusCheckFailed",
  dimensions: { AutoScalingGroupName: group.name },
  statistic: "Maximum",
  period: 60,
  evaluationPeriods: 2,
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
  alarmActions: [topic.arn],
});
