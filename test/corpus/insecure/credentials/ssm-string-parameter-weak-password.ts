// breaks: "Generate a cryptographically secure token: openssl rand -hex 32" (securing AI agents, best practice 2: hardened authentication with gateway tokens)
// how: the gateway password "changeme" sits in a plain SSM "String" parameter the host reads at boot
// expect: violation
import * as aws from "@pulumi/aws";

// The host reads it at boot with `aws ssm get-parameter --name /openclaw/prod/gateway/password`.
new aws.ssm.Parameter("gateway-password", {
  name: "/openclaw/prod/gateway/password",
  type: "String",
  value: "changeme",
  description: "OpenClaw gateway password (gateway.auth.mode password)",
  tier: "Standard",
});
