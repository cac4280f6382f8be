// Run once per AWS account: `cd bootstrap && pulumi up -c clawkeep-bootstrap:repository=owner/name`.
// Creates GitHub's OIDC provider and two roles: preview (read-only, any branch or pull request of
// the repository) and deploy (main branch, its production environments, kit services only). Set their ARNs as the
// repository variables AWS_PREVIEW_ROLE_ARN and AWS_DEPLOY_ROLE_ARN.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_OIDC_HOST, deployPolicy, githubTrust } from "./ciRoles";

const config = new pulumi.Config("clawkeep-bootstrap");
const repository = config.require("repository");
if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) {
  throw new pulumi.RunError(`clawkeep-bootstrap:repository: got ${JSON.stringify(repository)}; allowed: owner/name of a GitHub repository`);
}
const region = aws.config.region ?? "us-east-1";
const accountId = aws.getCallerIdentityOutput().accountId;

const provider = new aws.iam.OpenIdConnectProvider("github", {
  url: `https://${GITHUB_OIDC_HOST}`,
  clientIdLists: ["sts.amazonaws.com"],
});

const ctx = pulumi.all([accountId, provider.arn]).apply(([a, arn]) => ({ accountId: a, oidcProviderArn: arn, repository, region }));

const preview = new aws.iam.Role("clawkeep-preview", {
  description: "clawkeep CI: pulumi preview on pull requests (read-only)",
  assumeRolePolicy: ctx.apply((c) => JSON.stringify(githubTrust(c, ["pull_request", "ref:refs/heads/*"]))),
  maxSessionDuration: 3600,
});
new aws.iam.RolePolicyAttachment("clawkeep-preview-read", { role: preview.name, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" });

const deploy = new aws.iam.Role("clawkeep-deploy", {
  description: "clawkeep CI: pulumi up on main",
  assumeRolePolicy: ctx.apply((c) => JSON.stringify(githubTrust(c, ["ref:refs/heads/main", "environment:production", "environment:production-host-change"]))),
  maxSessionDuration: 3600,
});
new aws.iam.RolePolicy("clawkeep-deploy-kit", { role: deploy.id, policy: ctx.apply((c) => JSON.stringify(deployPolicy(c))) });

export const previewRoleArn = preview.arn;
export const deployRoleArn = deploy.arn;
