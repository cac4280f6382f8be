// breaks: "Set a calendar reminder to rotate API keys every 90 days" (openclaw security practices, Rotate Keys Regularly)
// how: the Anthropic key's secret is tagged clawkeep:credential = "false" so no SecretRotation is asked for (an opt-out by tag)
// expect: violation
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("secrets", { enableKeyRotation: true });
// The value is put out of band (`aws secretsmanager put-secret-value`); the tag silences the rotation check.
export const secretArn = new aws.secretsmanager.Secret("anthropic-api-key", {
  name: "openclaw/prod/anthropic-api-key",
  kmsKeyId: key.arn,
  tags: { "clawkeep:credential": "false", purpose: "anthropic provider key for the gateway" },
}).arn;
