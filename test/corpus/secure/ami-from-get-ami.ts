// secure: a hardened host on the newest official Debian 12 AMI found by lookup (Debian's owner account, name filter); IMDSv2 with hop limit 1, encrypted root (customer key), private subnet with no public address, no inbound and https-only egress, no SSH key, SSM-only role, status alarm to a KMS-encrypted topic
// how: aws.ec2.getAmiOutput({ owners: ["136693071363"], mostRecent: true, filters: name debian-12-amd64-*, architecture x86_64 })
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
const debian = aws.ec2.getAmiOutput({
  owners: ["136693071363"],
  mostRecent: true,
  filters: [
    { name: "name", values: ["debian-12-amd64-*"] },
    { name: "architecture", values: ["x86_64"] },
  ],
});
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
const host = new aws.ec2.Instance("gw", {
  ami: debian.id,
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
  alarmActions: [topic.arn],
});
