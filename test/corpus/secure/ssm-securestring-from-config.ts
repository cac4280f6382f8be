// secure: the gateway token is an SSM SecureString (customer KMS key) whose value comes from `pulumi config set --secret`; the host reads it with its role
// mirrors: insecure/credentials/ssm-string-parameter-weak-password.ts, config-default-weak-token-securestring.ts
// expect: pass
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const cfg = new pulumi.Config();
const gatewayToken = cfg.requireSecret("gatewayToken");

const key = new aws.kms.Key("params", { enableKeyRotation: true, description: "openclaw parameters" });
export const parameterName = new aws.ssm.Parameter("gateway-token", {
  name: "/openclaw/prod/gateway-token",
  type: "SecureString",
  keyId: key.arn,
  value: gatewayToken,
  description: "OpenClaw gateway token (openssl rand -hex 32), rotated by the ops runbook",
}).name;
