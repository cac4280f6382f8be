// IAM, bucket and key-policy documents of the audit resources, as pure functions of ARNs, so tests
// and moto judge the exact JSON the components attach.

type Statement = Record<string, unknown>;
const doc = (Statement: Statement[]) => ({ Version: "2012-10-17", Statement });

export interface AuditContext {
  partition: string;
  accountId: string;
  region: string;
}

/** CloudTrail's deterministic ARN, so the bucket policy can name it before the trail exists. */
export function trailArn(ctx: AuditContext, trailName: string): string {
  return `arn:${ctx.partition}:cloudtrail:${ctx.region}:${ctx.accountId}:trail/${trailName}`;
}

/**
 * Only this trail may write, only with the bucket owner in control, and nobody may use plain HTTP.
 * aws:SourceArn pins the writer to this trail (confused-deputy guard).
 */
export function trailBucketPolicy(ctx: AuditContext, bucketArn: string, trailName: string) {
  const source = { StringEquals: { "aws:SourceArn": trailArn(ctx, trailName) } };
  return doc([
    { Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: bucketArn, Condition: source },
    {
      Sid: "CloudTrailWrite",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/AWSLogs/${ctx.accountId}/*`,
      Condition: { StringEquals: { ...source.StringEquals, "s3:x-amz-acl": "bucket-owner-full-control" } },
    },
    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
  ]);
}

/**
 * Statements the cell's logs key needs so CloudTrail can encrypt the trail with it. keyPolicies.ts
 * (the keys' owner) splices these in; without them CreateTrail fails with InsufficientEncryptionPolicy.
 */
export function cloudTrailKeyStatements(ctx: AuditContext): Statement[] {
  const trails = `arn:${ctx.partition}:cloudtrail:*:${ctx.accountId}:trail/*`;
  return [
    {
      Sid: "CloudTrailEncryptsThisAccountsTrails",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: { StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": trails }, StringEquals: { "aws:SourceAccount": ctx.accountId } },
    },
    {
      Sid: "CloudTrailDescribesTheKey",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:DescribeKey",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    },
  ];
}

const streamArns = (groupArns: string[]) => groupArns.flatMap((a) => [a, `${a}:*`]);

/**
 * What the host adds to its role for auditing: write (never read) to its own log groups, metrics
 * into its own namespace only, and the one account-wide call Session Manager makes before it
 * streams (it checks that the session group is encrypted).
 */
export function hostAuditPolicy(groupArns: string[], namespace: string) {
  return doc([
    { Sid: "ShipToOwnLogGroups", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: streamArns(groupArns) },
    { Sid: "SessionManagerChecksGroupEncryption", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
    { Sid: "OwnMetricsOnly", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": namespace } } },
  ]);
}

/** The out-of-hours detector: one metric namespace, its own log group, nothing else. */
export function detectorPolicy(logGroupArn: string, namespace: string) {
  return doc([
    { Sid: "CountChanges", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": namespace } } },
    { Sid: "OwnLog", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: streamArns([logGroupArn]) },
  ]);
}

/** The AWS services whose write calls count as changes to the kit's resources. */
export const WATCHED_EVENT_SOURCES = [
  "cloudtrail.amazonaws.com",
  "ec2.amazonaws.com",
  "events.amazonaws.com",
  "iam.amazonaws.com",
  "kms.amazonaws.com",
  "lambda.amazonaws.com",
  "logs.amazonaws.com",
  "monitoring.amazonaws.com",
  "s3.amazonaws.com",
  "secretsmanager.amazonaws.com",
  "sns.amazonaws.com",
  "ssm.amazonaws.com",
] as const;

/** EventBridge pattern: write management calls of the watched services, as CloudTrail records them. */
export function changeEventPattern() {
  return { "detail-type": ["AWS API Call via CloudTrail"], detail: { eventSource: [...WATCHED_EVENT_SOURCES], readOnly: [false] } };
}
