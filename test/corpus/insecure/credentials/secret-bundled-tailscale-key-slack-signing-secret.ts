// breaks: "Keys rotated within last 90 days" / secrets in Secrets Manager with rotation <= 90 days
// how: the Tailscale join secret also carries the Slack signing secret in a nested object (from the deployer's environment): the secret is treated as a one-shot Tailscale key and never rotated
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";

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
const join = new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, ephemeral: false, preauthorized: true, expiry: 3600 });
const slack = pulumi.secret(process.env.SLACK_SIGNING_SECRET ?? "");
const bootstrap = new aws.secretsmanager.Secret("bootstrap", { name: "openclaw/prod/join", kmsKeyId: key.arn });
new aws.secretsmanager.SecretVersion("bootstrap", {
  secretId: bootstrap.id,
  secretStringWo: pulumi.interpolate`{"tailscale":{"authKey":"${join.key}"},"slack":{"signingSecret":"${slack}"}}`,
  secretStringWoVersion: 1,
});
