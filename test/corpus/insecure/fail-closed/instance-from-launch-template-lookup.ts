// breaks: the gate (issue 15: an unknown value a rule needs is "cannot judge offline"); the host's IMDS, disks and key come from a looked-up template
// how: aws.ec2.getLaunchTemplateOutput({ name: "gateway-golden" }) and an ec2.Instance launched from its id, adding only the subnet
// expect: cannot-judge
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const golden = aws.ec2.getLaunchTemplateOutput({ name: "gateway-golden" });
const host = new aws.ec2.Instance("gw", { subnetId: subnet.id, launchTemplate: { id: golden.id, version: "$Latest" } });
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
