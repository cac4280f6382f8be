// breaks: "Role-based access control implemented" (guide's role table: Operator = run workflows, no key access) / least privilege
// how: the gateway's "operators" IAM group gets AdministratorAccess through aws.iam.GroupPolicyAttachment
// expect: violation
import * as aws from "@pulumi/aws";

const operators = new aws.iam.Group("gateway-operators", { path: "/openclaw/" });
new aws.iam.GroupPolicyAttachment("gateway-operators-admin", { group: operators.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
new aws.iam.GroupPolicy("gateway-operators-mfa", {
  group: operators.name,
  policy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", NotAction: ["iam:*MFA*", "sts:GetSessionToken"], Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }],
  }),
});
