// breaks: "Never embed API keys directly in configuration files or code" / "Store keys in ... AWS Secrets Manager" (put there from a secret input, never from the program's source)
// how: the provider key is written into Secrets Manager with secretStringWo (write-only, so not in the state) but as a string literal in the program: the key sits in the repository and every clone of it
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

const { key } = foundation();
const secret = new aws.secretsmanager.Secret("anthropic", { name: "openclaw/prod/anthropic-api-key", kmsKeyId: key.arn });
// "write-only keeps it out of the state, so it is fine to paste it here"
new aws.secretsmanager.SecretVersion("anthropic", {
  secretId: secret.id,
  secretStringWo: "sk-ant-api03-Qm7vX2pLk9Rt4Wz8Yb1Nc6Jd3Hf5Gs0Ae2Uo7Ip9Ly4Tr1Ew8Qa6Zs3Xd5Cv2Bn0Mk7Lj4Hg-AbCdEfAA",
  secretStringWoVersion: 1,
});
new aws.secretsmanager.SecretRotation("anthropic", {
  secretId: secret.id,
  rotationLambdaArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:openclaw-rotate`,
  rotationRules: { automaticallyAfterDays: 30 },
});
