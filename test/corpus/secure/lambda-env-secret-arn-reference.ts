// secure: a Lambda health probe whose environment holds only the ARN of the gateway-token secret; it reads the token at run time with a role scoped to that one secret
// mirrors: insecure/credentials/lambda-env-weak-gateway-token.ts
// expect: pass
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const tokenArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/prod/gateway-token-Ab12Cd";
const role = new aws.iam.Role("health-probe", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicyAttachment("health-probe-vpc", { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" });
new aws.iam.RolePolicy("health-probe-token", {
  role: role.id,
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: tokenArn }] }),
});

new aws.lambda.Function("health-probe", {
  role: role.arn,
  runtime: "nodejs22.x",
  handler: "index.handler",
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ ok: true });") }),
  vpcConfig: { subnetIds: ["subnet-0a1b2c3d4e5f60718"], securityGroupIds: ["sg-0a1b2c3d4e5f60718"] },
  environment: { variables: { GATEWAY_URL: "http://10.42.1.10:18789", GATEWAY_TOKEN_SECRET_ARN: tokenArn } },
});
