// breaks: "API keys stored in ... secrets manager": the store is closed to everyone but the gateway host
// how: SecretPolicy Principal "*" "narrowed" by StringLike aws:PrincipalArn "arn:aws:iam::*:role/*": a restricting key whose value matches every role of every account
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
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
new aws.secretsmanager.SecretPolicy("gateway-token", {
  secretArn: token.arn,
  policy: doc([
    { Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } } },
  ]),
});
