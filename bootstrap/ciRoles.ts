// Trust and permission documents of the CI roles, pure so the tests judge exactly what is attached.

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface CiRoleContext {
  accountId: string;
  oidcProviderArn: string;
  /** owner/name of the repository whose workflows may assume the roles. */
  repository: string;
  region: string;
}

/** Who may assume a role: only this repository's workflows, for the given subject patterns. */
export function githubTrust(ctx: CiRoleContext, subjects: string[]) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: ctx.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: subjects.map((s) => `repo:${ctx.repository}:${s}`) },
        },
      },
    ],
  };
}

/** Services a clawkeep stack is made of; the deploy role can touch nothing else, in one region only. */
export const DEPLOYED_SERVICES = ["ec2", "kms", "secretsmanager", "lambda", "logs", "cloudwatch", "events", "sns", "ssm", "cloudtrail", "s3", "backup", "backup-storage"];

export function deployPolicy(ctx: CiRoleContext) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "KitServicesInTheStackRegion",
        Effect: "Allow",
        Action: DEPLOYED_SERVICES.map((s) => `${s}:*`),
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestedRegion": ctx.region } },
      },
      {
        Sid: "KitRolesOnly",
        Effect: "Allow",
        Action: [
          "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy",
          "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
          "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
          "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile", "iam:TagInstanceProfile",
          "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:PassRole",
        ],
        Resource: [`arn:aws:iam::${ctx.accountId}:role/*`, `arn:aws:iam::${ctx.accountId}:instance-profile/*`],
      },
      {
        Sid: "NeverAdministrator",
        Effect: "Deny",
        Action: ["iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"],
        Resource: "*",
        Condition: { ArnLike: { "iam:PolicyARN": ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/IAMFullAccess"] } },
      },
      { Sid: "WhoAmI", Effect: "Allow", Action: ["sts:GetCallerIdentity", "iam:GetPolicy", "iam:GetPolicyVersion"], Resource: "*" },
    ],
  };
}
