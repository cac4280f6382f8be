// breaks: "Role-based access control implemented" / "Principle of Least Privilege": every identity of the deployment (not only the host) has only what it needs
// how: the gateway token's rotation Lambda kept failing with AccessDenied, so its execution role got AdministratorAccess by RolePolicyAttachment (no instance profile anywhere)
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const token = new aws.secretsmanager.Secret("gateway-token", { kmsKeyId: key.arn });
const role = new aws.iam.Role("rotator", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicyAttachment("rotator-admin", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
new aws.cloudwatch.LogGroup("rotator", { name: "/aws/lambda/gateway-token-rotator", retentionInDays: 365, kmsKeyId: key.arn });
const rotator = new aws.lambda.Function("rotator", {
  name: "gateway-token-rotator",
  role: role.arn,
  runtime: "nodejs22.x",
  handler: "index.handler",
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => {};") }),
});
const invoke = new aws.lambda.Permission("rotator", { action: "lambda:InvokeFunction", function: rotator.name, principal: "secretsmanager.amazonaws.com", sourceAccount: "123456789012" });
new aws.secretsmanager.SecretRotation("gateway-token", { secretId: token.id, rotationLambdaArn: rotator.arn, rotationRules: { automaticallyAfterDays: 30 } }, { dependsOn: [invoke] });
