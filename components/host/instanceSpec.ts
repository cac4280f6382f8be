// Pure pieces of the host's EC2 and IAM settings, shared by the component and its tests.

/** Debian's official AWS account, which publishes the Debian cloud team's AMIs. */
export const DEBIAN_AMI_OWNER = "136693071363";
export const DEBIAN_AMI_NAME = "debian-12-amd64-*";

/** IMDSv2 only; a hop limit of 1 keeps the metadata service out of reach of anything one hop away. */
export function metadataOptions() {
  return {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 1,
    instanceMetadataTags: "disabled",
  } as const;
}

export function instanceRoleTrust() {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/**
 * What the SSM agent needs for Session Manager and Run Command of the kit's documents, in place of
 * AmazonSSMManagedInstanceCore (which also reads every SSM parameter of the account, and serves State
 * Manager, Inventory and Patch Manager, none of which the kit uses). None of these actions can name a
 * resource but UpdateInstanceInformation; only root's agent holds the credentials (the metadata guard).
 */
export const SSM_AGENT_ACTIONS = [
  "ssm:UpdateInstanceInformation",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
] as const;

export function ssmAgentPolicy() {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "SsmAgentRegistersAndTakesCommands", Effect: "Allow", Action: [...SSM_AGENT_ACTIONS], Resource: "*" }],
  };
}

export interface HostReadContext {
  secretArns: string[];
  dataKeyArn: string;
  region: string;
  bundleObjectArn: string;
}

/**
 * The instance may read exactly its own secrets and its own host bundle, and decrypt with the data
 * key only when Secrets Manager or S3 asks on its behalf (kms:ViaService): the key grants nothing alone.
 */
export function hostReadPolicy(ctx: HostReadContext) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: ctx.secretArns },
      { Sid: "ReadOwnHostBundle", Effect: "Allow", Action: "s3:GetObject", Resource: ctx.bundleObjectArn },
      {
        Sid: "DecryptOnlyThroughSecretsManagerOrS3",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: ctx.dataKeyArn,
        Condition: { StringEquals: { "kms:ViaService": [`secretsmanager.${ctx.region}.amazonaws.com`, `s3.${ctx.region}.amazonaws.com`] } },
      },
    ],
  };
}
