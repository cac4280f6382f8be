// breaks: "Network restrictions in place" / BP3 "Network segmentation and isolation": nothing on the internet reaches the agent host
// how: ingress on 18789 from a customer managed prefix list (prefixListIds) whose one entry is 0.0.0.0/0, named "office"
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const office = new aws.ec2.ManagedPrefixList("office", { addressFamily: "IPv4", maxEntries: 5, entries: [{ cidr: "0.0.0.0/0", description: "office (temporary)" }] });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "gateway host",
  ingress: [{ protocol: "tcp", fromPort: 18789, toPort: 18789, prefixListIds: [office.id] }],
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const host = new aws.ec2.Instance("gw", {
  ami: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  subnetId: subnet.id,
  vpcSecurityGroupIds: [sg.id],
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, kmsKeyId: key.arn },
});
new aws.cloudwatch.MetricAlarm("gw-status", {
  namespace: "AWS/EC2",
  metricName: "StatusCheckFailed",
  dimensions: { InstanceId: host.id },
  statistic: "Maximum",
  period: 60,
  evaluationPeriods: 2,
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
  alarmActions: [topic.arn],
});
