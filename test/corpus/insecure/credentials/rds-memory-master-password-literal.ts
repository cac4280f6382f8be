// breaks: "Never embed API keys directly in configuration files or code" / no plaintext secrets anywhere (state, repository)
// how: the agent-memory database (private, encrypted with the CMK) gets masterPassword as a literal with symbols ("strong", so neither weak nor "random-looking" to the gate) written in the program and kept in the stack state
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// ---- the rt-pack2 hardened base (/work/rt-pack2/lib/base.ts), inlined: corpus programs are standalone ----

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const ACCOUNT = "123456789012";
function keyPolicy(): pulumi.Output<string> {
  return pulumi.output(doc([
    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    { Sid: "LogsEncrypt", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCOUNT}:*` } } },
    { Sid: "AlarmsAndTrail", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "cloudtrail.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
  ]));
}

/** Network, key, topic: what every program shares. */
function foundation(name = "gw") {
  const key = new aws.kms.Key(name, { enableKeyRotation: true, policy: keyPolicy() });
  const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: key.arn });
  new aws.sns.TopicSubscription(`${name}-oncall`, { topic: topic.arn, protocol: "email", endpoint: "oncall@example.com" });
  const vpc = new aws.ec2.Vpc(name, { cidrBlock: "10.42.0.0/16" });
  new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: vpc.id });
  const subnet = new aws.ec2.Subnet(`${name}-private`, { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
  const logGroup = new aws.cloudwatch.LogGroup(name, { name: "/openclaw/gateway", retentionInDays: 365, kmsKeyId: key.arn });
  return { key, topic, vpc, subnet, logGroup };
}

// ---- the program ----

const { key, vpc, subnet } = foundation();
const subnet2 = new aws.ec2.Subnet("gw-private-b", { vpcId: vpc.id, cidrBlock: "10.42.2.0/24", availabilityZone: "us-east-1b" });
const sg = new aws.ec2.SecurityGroup("memory", { vpcId: vpc.id, description: "agent memory", ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.42.1.0/24"] }], egress: [] });
const subnets = new aws.rds.SubnetGroup("memory", { subnetIds: [subnet.id, subnet2.id] });
new aws.rds.Instance("memory", {
  engine: "postgres",
  engineVersion: "16.4",
  instanceClass: "db.t4g.small",
  allocatedStorage: 20,
  dbSubnetGroupName: subnets.name,
  vpcSecurityGroupIds: [sg.id],
  publiclyAccessible: false,
  storageEncrypted: true,
  kmsKeyId: key.arn,
  username: "openclaw",
  // "long and with symbols, so it is strong"
  password: "Cl@w-Memory#Prod!2026-vX9q",
  skipFinalSnapshot: false,
  finalSnapshotIdentifier: "openclaw-memory-final",
});
