// breaks: "Generate a cryptographically secure token: openssl rand -hex 32" (securing AI agents, best practice 2: hardened authentication with gateway tokens)
// how: a Lambda environment variable OPENCLAW_GATEWAY_TOKEN holds the human-chosen token "openclaw123"
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const role = new aws.iam.Role("health-probe", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicyAttachment("health-probe-vpc", { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" });

// Calls the gateway's authenticated status endpoint from inside the VPC every five minutes.
new aws.lambda.Function("health-probe", {
  role: role.arn,
  runtime: "nodejs22.x",
  handler: "index.handler",
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ ok: true });") }),
  vpcConfig: { subnetIds: ["subnet-0a1b2c3d4e5f60718"], securityGroupIds: ["sg-0a1b2c3d4e5f60718"] },
  environment: { variables: { GATEWAY_URL: "http://10.42.1.10:18789", OPENCLAW_GATEWAY_TOKEN: "openclaw123" } },
});
