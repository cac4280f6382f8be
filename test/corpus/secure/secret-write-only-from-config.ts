// secure: the Anthropic key comes from `pulumi config set --secret` and goes to Secrets Manager as a write-only value (secretStringWo: never in state), with a 30-day rotation
// mirrors: insecure/credentials/secrets-manager-version-literal.ts, config-require-plain-anthropic-key.ts
// expect: pass
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const cfg = new pulumi.Config();
const anthropicKey = cfg.requireSecret("anthropicApiKey");

const key = new aws.kms.Key("secrets", { enableKeyRotation: true, description: "openclaw provider keys" });
const secret = new aws.secretsmanager.Secret("anthropic-api-key", { name: "openclaw/prod/anthropic-api-key", kmsKeyId: key.arn });
new aws.secretsmanager.SecretVersion("anthropic-api-key", { secretId: secret.id, secretStringWo: anthropicKey, secretStringWoVersion: 1 });
new aws.secretsmanager.SecretRotation("anthropic-api-key", {
  secretId: secret.id,
  rotationLambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:openclaw-provider-key-rotation",
  rotationRules: { automaticallyAfterDays: 30 },
});
