// breaks: "Never embed API keys directly in configuration files or code" / no plaintext secrets anywhere (state, repository)
// how: the agent's session cache (Redis, encrypted in transit and at rest) takes its AUTH token as a literal in the program; it is random-looking, as if pasted from `openssl rand`, and sits in the repository and the state all the same
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

const { key, subnet } = foundation();
const subnets = new aws.elasticache.SubnetGroup("sessions", { subnetIds: [subnet.id] });
new aws.elasticache.ReplicationGroup("sessions", {
  description: "agent sessions",
  engine: "redis",
  nodeType: "cache.t4g.small",
  numCacheClusters: 1,
  subnetGroupName: subnets.name,
  atRestEncryptionEnabled: true,
  kmsKeyId: key.arn,
  transitEncryptionEnabled: true,
  authToken: "a9F3kQ2mZx7LpW4tR8vB1nC6yH0sJ5dE",
});
