// AWS managed policies whose grant decides a judgement: administration, IAM, every secret, every
// bucket, every instance command. The documents are AWS's own statements for those grants (benign
// statements next to them left out); the offline plan answers iam.getPolicy with them and rules may
// read them by ARN. A managed policy not listed here has a document only AWS knows.

export const AWS_MANAGED_POLICY_PREFIX = "arn:aws:iam::aws:policy/";

type Statement = { Effect: "Allow" | "Deny"; Action?: string | string[]; NotAction?: string | string[]; Resource: string | string[] };

const allow = (action: string | string[]): Statement => ({ Effect: "Allow", Action: action, Resource: "*" });

/** Managed policy name (the ARN's path after policy/) -> the statements that make it dangerous. */
export const DANGEROUS_MANAGED_POLICIES: Readonly<Record<string, readonly Statement[]>> = {
  AdministratorAccess: [allow("*")],
  PowerUserAccess: [
    { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
    allow(["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions", "account:GetAccountInformation"]),
  ],
  IAMFullAccess: [allow(["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:ListRoots", "organizations:ListPolicies"])],
  SecretsManagerReadWrite: [allow(["secretsmanager:*", "kms:DescribeKey", "kms:ListAliases", "kms:ListKeys", "tag:GetResources"])],
  AmazonS3FullAccess: [allow(["s3:*", "s3-object-lambda:*"])],
  AmazonEC2FullAccess: [allow("ec2:*"), allow("elasticloadbalancing:*"), allow("cloudwatch:*"), allow("autoscaling:*")],
  AmazonSSMFullAccess: [allow(["cloudwatch:PutMetricData", "ds:CreateComputer", "ds:DescribeDirectories", "ec2:DescribeInstanceStatus", "logs:*", "ssm:*", "ec2messages:*"])],
  AWSKeyManagementServicePowerUser: [
    allow(["kms:CreateAlias", "kms:CreateKey", "kms:DeleteAlias", "kms:Describe*", "kms:GenerateRandom", "kms:Get*", "kms:List*", "kms:TagResource", "kms:UntagResource", "iam:ListGroups", "iam:ListRoles", "iam:ListUsers"]),
  ],
};

/** The managed policy's name for an ARN (`arn:aws:iam::aws:policy/AdministratorAccess` -> AdministratorAccess), else undefined. */
export function managedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:service-role\/)?(.+)$/.exec(arn);
  return m?.[1];
}

/** The policy document JSON of a dangerous managed policy, as iam.getPolicy would return it; else undefined. */
export function managedPolicyDocument(name: string): string | undefined {
  const statements = DANGEROUS_MANAGED_POLICIES[name];
  return statements ? JSON.stringify({ Version: "2012-10-17", Statement: statements }) : undefined;
}
