// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist)
// how: an SSM Parameter of type "String" (not SecureString) holds the Anthropic key sk-ant-...
// expect: violation
import * as aws from "@pulumi/aws";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const anthropicKey = "sk-ant-api03-" + "3f5YeD8bKj2Gx_4Ndm55qBm6J4czgm4pkWvEfs0wgwfi9eA0O7dRGeF5T5MHw8tTg4keGy_usZmxh9k7VoqdMUQoHEikMAA";

// The host reads it at boot with `aws ssm get-parameter --name /openclaw/prod/anthropic-api-key`.
new aws.ssm.Parameter("anthropic-api-key", {
  name: "/openclaw/prod/anthropic-api-key",
  type: "String",
  value: anthropicKey,
  description: "Anthropic key for the OpenClaw gateway",
});
