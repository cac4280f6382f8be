// The guides' role table as IAM documents, scoped to one cell. Pure functions of ARNs, so the IAM
// evaluator (test/iam-boundary.test.ts) and the tests judge the exact JSON the roles get.
//
// | role     | in AWS                                                                                  |
// |----------|-----------------------------------------------------------------------------------------|
// | Admin    | the cell's host, keys (manage, never read), documents, logs (unmasked) and roles (read); |
// |          | MFA; never IAM changes, trail changes, key policies, secret values: it cannot escalate. |
// |          | The cell's infrastructure itself changes through `pulumi up` (the deploy role).         |
// | Operator | sessions through the kit's documents (as the non-root session user), gateway          |
// |          | start/stop/restart through the kit's gateway document, logs and dashboard; MFA;         |
// |          | explicitly denied secret values, KMS decrypt and unmasking logs                          |
// | Viewer   | read-only logs, alarms, metrics and the dashboard; denied unmasking                     |
// | Guest    | nothing: no role exists; tailnet access to the gateway only when granted                |

type Statement = Record<string, unknown>;
const doc = (Statement: Statement[]) => ({ Version: "2012-10-17", Statement });

/** Longest credential life for a console/CLI session of any role. */
export const MAX_SESSION_SECONDS = 3600;

export interface AccessContext {
  partition: string;
  accountId: string;
  region: string;
  stack: string;
  cellName: string;
  /** The cell's gateway host. */
  instanceArn: string;
  /** The cell's Session Manager document (idle timeout, encrypted transcripts, run-as user). */
  sessionDocumentArn: string;
  /** The cell's port-forwarding Session document: the gateway's port only. */
  portDocumentArn: string;
  /** The cell's Command document that starts, stops or restarts the gateway. */
  gatewayDocumentArn: string;
  /** The cell's log groups (readable by Operator and Viewer). */
  logGroupArns: string[];
  dashboardArn: string;
}

/** Who may assume a role; MFA (and a fresh one) when required. */
export function trustPolicy(principals: string[], requireMfa: boolean) {
  if (principals.length === 0) throw new Error("a role needs at least one trusted principal");
  for (const p of principals) {
    if (p === "*" || !/^arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+)$/.test(p)) throw new Error(`trusted principal ${JSON.stringify(p)} is not an account root, user or role ARN`);
  }
  const mfa = requireMfa ? { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": String(MAX_SESSION_SECONDS) } } } : {};
  return doc([{ Sid: "TrustedPrincipals", Effect: "Allow", Principal: { AWS: principals }, Action: "sts:AssumeRole", ...mfa }]);
}

// Defence in depth: even a session minted before MFA was enforced on the trust cannot act.
const WITH_MFA = { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } };
const mfaAnd = (condition: Record<string, Record<string, string>>) => ({ Condition: { ...condition, Bool: { "aws:MultiFactorAuthPresent": "true" } } });

/**
 * What no role of a cell's people may ever do, whatever else it is granted: change IAM (grant itself
 * more), blind or stop the audit trail, change a key's policy or decrypt, read a secret value or change a
 * secret's policy, swap the code the host or the functions run (user data, instance profile, function
 * code, the kit's documents), or drop the evidence in the logs.
 */
export const ESCALATION_ACTIONS = [
  "iam:Add*",
  "iam:Attach*",
  "iam:Create*",
  "iam:Delete*",
  "iam:Detach*",
  "iam:PassRole",
  "iam:Put*",
  "iam:Remove*",
  "iam:Set*",
  "iam:Tag*",
  "iam:Untag*",
  "iam:Update*",
  "iam:Upload*",
  "sts:AssumeRole",
  "organizations:*",
  "cloudtrail:DeleteTrail",
  "cloudtrail:Put*",
  "cloudtrail:StopLogging",
  "cloudtrail:UpdateTrail",
  "kms:CreateGrant",
  "kms:Decrypt",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:PutKeyPolicy",
  "kms:ReEncrypt*",
  "kms:ScheduleKeyDeletion",
  "secretsmanager:DeleteResourcePolicy",
  "secretsmanager:GetSecretValue",
  "secretsmanager:PutResourcePolicy",
  "ec2:AssociateIamInstanceProfile",
  "ec2:ModifyInstanceAttribute",
  "ec2:ReplaceIamInstanceProfileAssociation",
  "lambda:AddPermission",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "ssm:CreateDocument",
  "ssm:DeleteDocument",
  "ssm:ModifyDocumentPermission",
  "ssm:UpdateDocument",
  "ssm:UpdateDocumentDefaultVersion",
  "logs:DeleteDataProtectionPolicy",
  "logs:DeleteLogGroup",
  "logs:DeleteLogStream",
  "logs:PutDataProtectionPolicy",
  "logs:PutRetentionPolicy",
] as const;

const cellArns = (ctx: Pick<AccessContext, "partition" | "region" | "accountId" | "stack" | "cellName">) => {
  const { partition, region, accountId, stack, cellName } = ctx;
  return {
    instances: `arn:${partition}:ec2:${region}:${accountId}:instance/*`,
    documents: `arn:${partition}:ssm:${region}:${accountId}:document/clawkeep-${stack}-${cellName}-*`,
    secrets: [`arn:${partition}:secretsmanager:${region}:${accountId}:secret:clawkeep/${stack}/${cellName}/*`, `arn:${partition}:secretsmanager:${region}:${accountId}:secret:clawkeep-admin/${stack}/${cellName}/*`],
    keys: `arn:${partition}:kms:${region}:${accountId}:key/*`,
    roles: `arn:${partition}:iam::${accountId}:role/clawkeep/${stack}/${cellName}/*`,
    sessions: `arn:${partition}:ssm:${region}:${accountId}:session/\${aws:userid}-*`,
  };
};

export function adminPolicy(ctx: AccessContext) {
  const arns = cellArns(ctx);
  const taggedCell = { StringEquals: { "aws:ResourceTag/clawkeep:stack": ctx.stack, "aws:ResourceTag/clawkeep:cell": ctx.cellName } };
  return doc([
    {
      Sid: "SeeTheCell",
      Effect: "Allow",
      // Reads that name no resource (or only list): nothing here changes anything or returns a secret.
      Action: [
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceStatus",
        "ssm:DescribeInstanceInformation",
        "ssm:DescribeSessions",
        "ssm:GetConnectionStatus",
        "ssm:ListCommands",
        "ssm:ListCommandInvocations",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:GetMetricData",
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics",
        "cloudwatch:ListDashboards",
        "logs:DescribeLogGroups",
        "logs:GetQueryResults",
        "logs:StopQuery",
        "logs:DescribeQueries",
        "cloudtrail:LookupEvents",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "secretsmanager:ListSecrets",
        "kms:ListAliases",
      ],
      Resource: "*",
      ...WITH_MFA,
    },
    { Sid: "ReadTheDashboard", Effect: "Allow", Action: "cloudwatch:GetDashboard", Resource: ctx.dashboardArn, ...WITH_MFA },
    { Sid: "OperateTheCellsHost", Effect: "Allow", Action: ["ec2:RebootInstances", "ec2:StartInstances", "ec2:StopInstances"], Resource: arns.instances, ...mfaAnd(taggedCell) },
    {
      Sid: "SessionsAndCommandsOnTheCellsHost",
      Effect: "Allow",
      Action: ["ssm:StartSession", "ssm:SendCommand"],
      Resource: arns.instances,
      ...mfaAnd({ StringEquals: { "ssm:resourceTag/clawkeep:stack": ctx.stack, "ssm:resourceTag/clawkeep:cell": ctx.cellName } }),
    },
    // The kit's documents only: never a shell document (AWS-RunShellScript, AWS-StartInteractiveCommand, ...).
    { Sid: "OnlyTheCellsDocuments", Effect: "Allow", Action: ["ssm:StartSession", "ssm:SendCommand", "ssm:GetDocument", "ssm:DescribeDocument"], Resource: arns.documents, ...WITH_MFA },
    { Sid: "OwnSessionsAndCommands", Effect: "Allow", Action: ["ssm:TerminateSession", "ssm:ResumeSession"], Resource: arns.sessions, ...WITH_MFA },
    {
      Sid: "ManageTheCellsKeysNeverReadThem",
      Effect: "Allow",
      Action: ["secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds", "secretsmanager:GetResourcePolicy", "secretsmanager:PutSecretValue", "secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret", "secretsmanager:UpdateSecretVersionStage"],
      Resource: arns.secrets,
      ...WITH_MFA,
    },
    {
      Sid: "RotateTheCellsKmsKeys",
      Effect: "Allow",
      Action: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:EnableKeyRotation", "kms:RotateKeyOnDemand"],
      Resource: arns.keys,
      ...mfaAnd(taggedCell),
    },
    {
      Sid: "ReadAndUnmaskTheCellsLogs",
      Effect: "Allow",
      Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetLogGroupFields", "logs:Unmask"],
      Resource: streams(ctx.logGroupArns),
      ...WITH_MFA,
    },
    { Sid: "ReadTheCellsRoles", Effect: "Allow", Action: ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"], Resource: arns.roles, ...WITH_MFA },
    // Explicit, on everything: no later Allow (a managed policy attached by mistake) can hand these back.
    { Sid: "NeverEscalateOrBlind", Effect: "Deny", Action: [...ESCALATION_ACTIONS], Resource: "*" },
  ]);
}

const streams = (arns: string[]) => arns.flatMap((a) => [a, `${a}:*`]);

function readLogsAndAlarms(ctx: AccessContext): Statement[] {
  return [
    {
      Sid: "ReadCellLogs",
      Effect: "Allow",
      Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetLogGroupFields"],
      Resource: streams(ctx.logGroupArns),
    },
    {
      Sid: "ListAndQuery",
      Effect: "Allow",
      Action: ["logs:DescribeLogGroups", "logs:GetQueryResults", "logs:StopQuery", "logs:DescribeQueries"],
      Resource: "*",
    },
    {
      Sid: "ReadAlarmsAndMetrics",
      Effect: "Allow",
      Action: ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "cloudwatch:ListDashboards"],
      Resource: "*",
    },
    { Sid: "ReadDashboard", Effect: "Allow", Action: "cloudwatch:GetDashboard", Resource: ctx.dashboardArn },
    // Masked credentials and personal data stay masked for everyone but Admin.
    { Sid: "NeverUnmask", Effect: "Deny", Action: "logs:Unmask", Resource: "*" },
  ];
}

export function viewerPolicy(ctx: AccessContext) {
  return doc(readLogsAndAlarms(ctx));
}

export function operatorPolicy(ctx: AccessContext) {
  const arns = cellArns(ctx);
  return doc([
    ...readLogsAndAlarms(ctx),
    {
      Sid: "SessionsOnTheCellHostThroughItsDocuments",
      Effect: "Allow",
      Action: "ssm:StartSession",
      Resource: [ctx.instanceArn, ctx.sessionDocumentArn, ctx.portDocumentArn],
      // Without the check, a caller could pick a document that skips the kit's preferences.
      Condition: { BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" } },
    },
    // "Restart the gateway": the kit's gateway document (start, stop, restart), on the cell's host only.
    { Sid: "StartStopRestartTheGateway", Effect: "Allow", Action: "ssm:SendCommand", Resource: [ctx.instanceArn, ctx.gatewayDocumentArn] },
    { Sid: "OwnSessionsOnly", Effect: "Allow", Action: ["ssm:TerminateSession", "ssm:ResumeSession"], Resource: arns.sessions },
    { Sid: "SeeTheHost", Effect: "Allow", Action: ["ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus", "ssm:ListCommands"], Resource: "*" },
    { Sid: "RestartTheHost", Effect: "Allow", Action: ["ec2:RebootInstances", "ec2:StartInstances", "ec2:StopInstances"], Resource: ctx.instanceArn },
    // Explicit: no later Allow (a managed policy attached by mistake) can hand these back.
    { Sid: "NeverSecretValuesOrDecrypt", Effect: "Deny", Action: ["secretsmanager:GetSecretValue", "kms:Decrypt"], Resource: "*" },
    { Sid: "NeverEscalateOrBlind", Effect: "Deny", Action: [...ESCALATION_ACTIONS], Resource: "*" },
  ]);
}
