// secure: a hardened host placed with the usual environment lookups (account, region, partition, first AZ); IMDSv2 with hop limit 1, encrypted root (customer key), private subnet with no public address, no inbound and https-only egress, no SSH key, SSM-only role, status alarm to a KMS-encrypted topic; the alarm also recovers the instance
// how: aws.getCallerIdentityOutput, getRegionOutput, getPartitionOutput, getAvailabilityZonesOutput({ state: available }) feed the subnet AZ, ARNs and the recover action
// expect: pass
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const region = aws.getRegionOutput();
const partition = aws.getPartitionOutput();
const zones = aws.getAvailabilityZonesOutput({ state: "available" });
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
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24", availabilityZone: zones.names[0] });
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
const host = new aws.ec2.Instance("gw", {
  ami: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  subnetId: subnet.id,
  vpcSecurityGroupIds: [sg.id],
  iamInstanceProfile: profile.name,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, kmsKeyId: key.arn, volumeSize: 30 },
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
  alarmActions: [topic.arn, pulumi.interpolate`arn:${partition.partition}:automate:${region.region}:ec2:recover`],
});
