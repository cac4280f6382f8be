// breaks: the gate (DESIGN "The gate": refuse to judge rather than pass what it cannot see); "Production deployment architecture" (IMDSv2) as actually deployed
// how: every resource looks hardened, but pulumi.runtime.registerStackTransform rewrites each instance to httpTokens "optional" at deploy time (transforms do not run offline)
// expect: cannot-judge
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
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
pulumi.runtime.registerStackTransform((args) =>
  args.type === "aws:ec2/instance:Instance" ? { props: { ...args.props, metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } }, opts: args.opts } : undefined,
);
const host = new aws.ec2.Instance(
  "gw",
  {
    ami: "ami-0d3b1a2c3e4f5a6b7",
    instanceType: "t3.medium",
    subnetId: subnet.id,
    vpcSecurityGroupIds: [sg.id],
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    rootBlockDevice: { encrypted: true, kmsKeyId: key.arn },
  },
);
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
