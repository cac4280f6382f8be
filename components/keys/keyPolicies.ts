// Key policies for the cell's customer-managed KMS keys. The account root keeps administration
// (AWS's default, so the key can never become unmanageable); services get only what they use,
// bound to this account by condition.

export interface KeyPolicyContext {
  accountId: string;
  region: string;
  partition?: string;
  /** The cell's instance role: the data key serves it only through Secrets Manager and S3. */
  hostRoleArn?: string;
}

import { cloudTrailKeyStatements } from "../audit/policies";

type Statement = Record<string, unknown>;

function rootAdmin({ accountId, partition = "aws" }: KeyPolicyContext): Statement {
  return {
    Sid: "AccountAdministers",
    Effect: "Allow",
    Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
    Action: "kms:*",
    Resource: "*",
  };
}

/**
 * Data key: EBS root volumes and Secrets Manager secrets; IAM policies grant use per principal. The
 * instance role may use it only as Secrets Manager or S3 asks on its behalf, whose own policies bind the
 * role to its host: whatever its identity policy says later, copied credentials cannot decrypt directly.
 */
export function dataKeyPolicy(ctx: KeyPolicyContext): string {
  const statements: Statement[] = [rootAdmin(ctx)];
  if (ctx.hostRoleArn) {
    statements.push({
      Sid: "HostRoleOnlyThroughSecretsManagerOrS3",
      Effect: "Deny",
      Principal: "*",
      Action: "kms:*",
      Resource: "*",
      Condition: {
        ArnEquals: { "aws:PrincipalArn": ctx.hostRoleArn },
        StringNotEquals: { "kms:ViaService": [`secretsmanager.${ctx.region}.amazonaws.com`, `s3.${ctx.region}.amazonaws.com`] },
      },
    });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Logs key: CloudWatch Logs encrypts the cell's log groups, SNS/CloudWatch alarms use the topic. */
export function logsKeyPolicy(ctx: KeyPolicyContext): string {
  const { accountId, region, partition = "aws" } = ctx;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      rootAdmin(ctx),
      {
        Sid: "CloudWatchLogsEncryptsThisAccountsGroups",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:*` } },
      },
      {
        Sid: "AlarmsPublishToTheEncryptedTopic",
        Effect: "Allow",
        Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
      // CloudTrail encrypts the cell's trail with this key (components/audit).
      ...cloudTrailKeyStatements({ partition, accountId, region }),
    ],
  });
}
