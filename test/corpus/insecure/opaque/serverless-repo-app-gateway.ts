// breaks: "Network restrictions in place" / every resource that can expose the gateway is judged
// how: an application from the Serverless Application Repository (its own template) is deployed with aws.serverlessrepository.CloudFormationStack
// expect: violation
import * as aws from "@pulumi/aws";

new aws.serverlessrepository.CloudFormationStack("gw-proxy", {
  applicationId: "arn:aws:serverlessrepo:us-east-1:111122223333:applications/public-http-proxy",
  semanticVersion: "1.2.0",
  capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
  parameters: { TargetHost: "10.42.1.10", TargetPort: "18789" },
});
