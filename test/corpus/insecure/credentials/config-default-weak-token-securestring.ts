// breaks: "Generate a cryptographically secure token: openssl rand -hex 32" (securing AI agents, best practice 2: hardened authentication with gateway tokens)
// how: the gateway token falls back to the literal "openclaw123" when stack config has none; stored as a SecureString
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const cfg = new pulumi.Config();
// Hurried default "until we set the real one": every stack without gatewayToken gets this token.
const gatewayToken = cfg.getSecret("gatewayToken") ?? pulumi.secret("openclaw123");

const key = new aws.kms.Key("params", { enableKeyRotation: true });
new aws.ssm.Parameter("gateway-token", {
  name: "/openclaw/prod/gateway-token",
  type: "SecureString",
  keyId: key.arn,
  value: gatewayToken,
});
