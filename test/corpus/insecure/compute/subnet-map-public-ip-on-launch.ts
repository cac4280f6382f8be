// breaks: BP3 "Network segmentation and isolation" / "Network restrictions in place": the agent host has no public address
// how: the instance says nothing about public IPs but sits in a subnet with mapPublicIpOnLaunch: true and an internet gateway route
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-public", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24", mapPublicIpOnLaunch: true });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const igw = new aws.ec2.InternetGateway("gw", { vpcId: vpc.id });
const routes = new aws.ec2.RouteTable("gw", { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] });
new aws.ec2.RouteTableAssociation("gw", { subnetId: subnet.id, routeTableId: routes.id });

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
