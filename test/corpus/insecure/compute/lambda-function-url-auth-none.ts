// breaks: "Network restrictions in place" / "Role-based access control implemented": nothing that talks to the agent is callable anonymously from the internet
// how: a webhook relay Lambda that forwards messages to the agent, given an aws.lambda.FunctionUrl with authorizationType "NONE"
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
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async (e) => ({ statusCode: 202, body: '' });") }),
});
new aws.lambda.FunctionUrl("relay", { functionName: relay.name, authorizationType: "NONE" });
