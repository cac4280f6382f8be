// breaks: "Role-based access control implemented" / "Use service accounts with limited scope": only this repository's workflow may act on the gateway
// how: GitHub Actions OIDC role whose trust condition is StringLike token.actions.githubusercontent.com:sub "repo:*" (any repository of any owner)
// expect: violation
import * as aws from "@pulumi/aws";

const github = new aws.iam.OpenIdConnectProvider("github", { url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] });
const role = new aws.iam.Role("gateway-deployer", {
  assumeRolePolicy: github.arn.apply((arn) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Federated: arn }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } } }],
    }),
  ),
});
// What the workflow does: push the gateway's token to the host through the kit's SSM document.
new aws.iam.RolePolicy("gateway-deployer", {
  role: role.id,
  policy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:clawkeep/prod/gw/gateway-token-*" },
      { Effect: "Allow", Action: "ssm:SendCommand", Resource: ["arn:aws:ssm:us-east-1:123456789012:document/clawkeep-prod-gw-reload", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"] },
    ],
  }),
});
