// breaks: "Network restrictions in place" / "Role-based access control implemented": nothing that feeds the agent can be invoked by anyone
// how: aws.lambda.Permission with principal "*" and no sourceArn/sourceAccount on the agent's webhook relay function
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const key = new aws.kms.Key("relay", { enableKeyRotation: true });
new aws.cloudwatch.LogGroup("relay", { name: "/aws/lambda/agent-relay", retentionInDays: 365, kmsKeyId: key.arn });
const role = new aws.iam.Role("relay", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
});
const relay = new aws.lambda.Function("relay", {
  name: "agent-relay",
  role: role.arn,
  runtime: "nodejs22.x",
  handler: "index.handler",
  kmsKeyArn: key.arn,
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ statusCode: 202 });") }),
});
new aws.lambda.Permission("relay-anyone", { action: "lambda:InvokeFunction", function: relay.name, principal: "*" });
