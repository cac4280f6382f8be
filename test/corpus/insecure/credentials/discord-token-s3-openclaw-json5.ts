// breaks: "Never embed API keys directly in configuration files or code": channel credentials live in Secrets Manager
// how: the OpenClaw config ships as an S3 object (JSON5 with comments) carrying a Discord bot token and a Matrix access token, for the host to download at boot
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
const bucket = new aws.s3.BucketV2("gw-config", { forceDestroy: false });
new aws.s3.BucketServerSideEncryptionConfigurationV2("gw-config", { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn } }] });
new aws.s3.BucketPublicAccessBlock("gw-config", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
const token = ["MTIzNDU2Nzg5MDEyMzQ1Njc4", "GaBcDe", "xxxxxxxxYz0123456789AbCdEfGhIjKl"].join(".");
new aws.s3.BucketObjectv2("openclaw-json", {
  bucket: bucket.id,
  key: "openclaw/openclaw.json",
  kmsKeyId: key.arn,
  serverSideEncryption: "aws:kms",
  content: `{
  // channels the agent answers on
  gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token: { source: "file", provider: "gw", id: "value" } } },
  channels: {
    discord: { enabled: true, token: "${token}" },
    matrix: { enabled: true, homeserver: "https://matrix.example.com", accessToken: "syt_b3BlbmNsYXc_AbCdEfGhIjKlMnOpQrSt_0a1B2c" },
  },
}`,
});
