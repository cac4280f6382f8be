// breaks: "Role-based access control implemented": a role is assumable only by the principals it was made for
// how: an operator role whose trust policy says Principal { AWS: "*" } "so the whole team can assume it" (any AWS account can)
// expect: violation
import * as aws from "@pulumi/aws";

const role = new aws.iam.Role("gateway-operator", {
  maxSessionDuration: 3600,
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicy("gateway-operator", {
  role: role.id,
  policy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["ssm:StartSession"], Resource: ["arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"] }],
  }),
});
