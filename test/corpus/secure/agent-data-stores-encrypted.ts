// secure: the agent's data stores beside the host, each encrypted at rest and private, with a CMK rotating every 180 days
// how: Aurora cluster and EFS with the stack's key, a Valkey replication group (encrypted by AWS's default), OpenSearch with encryptAtRest, DynamoDB (always encrypted), a cluster snapshot shared with one named account
// expect: pass
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const account = aws.getCallerIdentityOutput().accountId;
// Account root administers (AWS's default); CloudWatch Logs, alarms and CloudTrail use the key for this account only.
const key = new aws.kms.Key("gw", {
  enableKeyRotation: true,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "LogsEncrypt", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:us-east-1:${account}:*` } } },
      { Sid: "AlarmsAndTrail", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "cloudtrail.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": account } } },
    ],
  }),
});
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "gateway host",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const role = new aws.iam.Role("gw-host", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]) });
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
  alarmActions: [topic.arn],
});

const dataKey = new aws.kms.Key("gw-data", { enableKeyRotation: true, rotationPeriodInDays: 180 });
new aws.rds.Cluster("gw-memory", { engine: "aurora-postgresql", engineVersion: "16.4", masterUsername: "openclaw", manageMasterUserPassword: true, storageEncrypted: true, kmsKeyId: dataKey.arn, skipFinalSnapshot: false, finalSnapshotIdentifier: "gw-memory-final" });
new aws.rds.ClusterInstance("gw-memory-1", { clusterIdentifier: "gw-memory", engine: "aurora-postgresql", instanceClass: "db.t4g.medium", publiclyAccessible: false });
new aws.efs.FileSystem("gw-workspace", { encrypted: true, kmsKeyId: dataKey.arn });
new aws.elasticache.ReplicationGroup("gw-sessions", { description: "agent sessions", engine: "valkey", nodeType: "cache.t4g.micro", numCacheClusters: 2, transitEncryptionEnabled: true });
new aws.opensearch.Domain("gw-transcripts", { engineVersion: "OpenSearch_2.13", clusterConfig: { instanceType: "t3.small.search" }, ebsOptions: { ebsEnabled: true, volumeSize: 10 }, encryptAtRest: { enabled: true, kmsKeyId: dataKey.arn }, nodeToNodeEncryption: { enabled: true } });
new aws.dynamodb.Table("gw-approvals", { hashKey: "id", attributes: [{ name: "id", type: "S" }], billingMode: "PAY_PER_REQUEST" });
new aws.rds.ClusterSnapshot("gw-memory-support", { dbClusterIdentifier: "gw-memory", dbClusterSnapshotIdentifier: "gw-memory-support", sharedAccounts: ["210987654321"] });
