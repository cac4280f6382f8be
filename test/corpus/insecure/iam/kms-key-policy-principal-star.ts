// breaks: "API keys stored in ... secrets manager" / least privilege: the key that encrypts the gateway secrets is usable only by the account and the host
// how: the secrets' customer managed key gets a key policy with Principal {AWS: "*"} and kms:* (copied to "fix" an AccessDenied); the secret itself is fine
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const key = new aws.kms.Key("gw", {
  enableKeyRotation: true,
  policy: doc([{ Sid: "EnableAll", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }]),
});
const token = new aws.secretsmanager.Secret("gateway-token", { kmsKeyId: key.arn });
const rotatorRole = new aws.iam.Role("rotator", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]) });
new aws.iam.RolePolicy("rotator", {
  role: rotatorRole.id,
  policy: token.arn.apply((arn) => doc([{ Effect: "Allow", Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"], Resource: arn }])),
});
const rotator = new aws.lambda.Function("rotator", {
  role: rotatorRole.arn,
  runtime: "nodejs22.x",
  handler: "index.handler",
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => {};") }),
});
const invoke = new aws.lambda.Permission("rotator", { action: "lambda:InvokeFunction", function: rotator.name, principal: "secretsmanager.amazonaws.com", sourceAccount: "123456789012" });
new aws.secretsmanager.SecretRotation("gateway-token", { secretId: token.id, rotationLambdaArn: rotator.arn, rotationRules: { automaticallyAfterDays: 30 } }, { dependsOn: [invoke] });
