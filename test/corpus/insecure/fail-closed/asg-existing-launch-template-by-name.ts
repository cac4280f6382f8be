// breaks: the gate (DESIGN: "refuses to judge rather than pass what it cannot see"); the hosts' IMDS, disks and keys all come from a template the program does not contain
// how: an autoscaling.Group launching launchTemplate { name: "gateway-golden" }, a template made by hand in the console and not defined or looked up anywhere in the program
// expect: cannot-judge
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const group = new aws.autoscaling.Group("gw", {
  vpcZoneIdentifiers: [subnet.id],
  minSize: 1,
  maxSize: 1,
  launchTemplate: { name: "gateway-golden", version: "$Latest" },
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
