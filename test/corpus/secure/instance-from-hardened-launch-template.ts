// secure: a host launched from a hardened launch template, the instance adding nothing: IMDSv2 hop 1 and the encrypted disk come from the template; private subnet, closed SG, no key, SSM role, status alarm
// how: ec2.Instance with launchTemplate { id, version } and only subnetId of its own; metadataOptions and block devices live only in the template
// expect: pass
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const account = aws.getCallerIdentityOutput().accountId;
// Account root administers (AWS's default); CloudWatch may use the key to publish alarms to the encrypted topic.
const key = new aws.kms.Key("gw", {
  enableKeyRotation: true,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "AlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": account } } },
    ],
  }),
});
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const role = new aws.iam.Role("gw-host", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicyAttachment("gw-host-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new aws.iam.InstanceProfile("gw-host", { role: role.name });
const template = new aws.ec2.LaunchTemplate("gw", {
  imageId: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  vpcSecurityGroupIds: [sg.id],
  iamInstanceProfile: { arn: profile.arn },
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 30, encrypted: "true", kmsKeyId: key.arn } }],
});
const host = new aws.ec2.Instance("gw", { subnetId: subnet.id, launchTemplate: { id: template.id, version: "$Latest" } });
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
