// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist); a non-secret stack config value is stored in clear in Pulumi.<stack>.yaml
// how: the key is read with config.require("anthropicApiKey") (plain stack config, not requireSecret); its value is not in the program
// expect: cannot-judge
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const cfg = new pulumi.Config();
// Set with `pulumi config set anthropicApiKey sk-ant-...` (no --secret): stored in clear in Pulumi.prod.yaml.
const anthropicKey = cfg.require("anthropicApiKey");

const key = new aws.kms.Key("secrets", { enableKeyRotation: true });
const secret = new aws.secretsmanager.Secret("anthropic-api-key", { name: "openclaw/prod/anthropic-api-key", kmsKeyId: key.arn });
new aws.secretsmanager.SecretVersion("anthropic-api-key", { secretId: secret.id, secretString: anthropicKey });
new aws.secretsmanager.SecretRotation("anthropic-api-key", {
  secretId: secret.id,
  rotationLambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:openclaw-provider-key-rotation",
  rotationRules: { automaticallyAfterDays: 30 },
});
