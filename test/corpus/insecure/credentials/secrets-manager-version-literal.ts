// breaks: "Never embed API keys directly in configuration files or code" (openclaw security practices, Securing Your API Keys); a literal in code is in the repository and the state
// how: a SecretVersion's secretString is an sk-ant-... literal written in the program (the store is right, the source is not)
// expect: violation
import * as aws from "@pulumi/aws";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const anthropicKey = "sk-ant-api03-" + "3f5YeD8bKj2Gx_4Ndm55qBm6J4czgm4pkWvEfs0wgwfi9eA0O7dRGeF5T5MHw8tTg4keGy_usZmxh9k7VoqdMUQoHEikMAA";

const key = new aws.kms.Key("secrets", { enableKeyRotation: true });
const secret = new aws.secretsmanager.Secret("anthropic-api-key", { name: "openclaw/prod/anthropic-api-key", kmsKeyId: key.arn });
new aws.secretsmanager.SecretVersion("anthropic-api-key", { secretId: secret.id, secretString: anthropicKey });
new aws.secretsmanager.SecretRotation("anthropic-api-key", {
  secretId: secret.id,
  rotationLambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:openclaw-provider-key-rotation",
  rotationRules: { automaticallyAfterDays: 30 },
});
