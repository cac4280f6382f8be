// The guides' role table as IAM documents. Pure functions of ARNs, so moto's IAM enforcement and the
// tests judge the exact JSON the roles get.
//
// | role     | in AWS                                                                  |
// |----------|-------------------------------------------------------------------------|
// | Admin    | full configuration and key management of the kit's services; MFA        |
// | Operator | SSM sessions (as a non-root user) and instance start/stop/reboot; MFA;  |
// |          | explicitly denied secret values, KMS decrypt and unmasking logs         |
// | Viewer   | read-only logs, alarms, metrics and the dashboard; denied unmasking     |
// | Guest    | nothing: no role exists; tailnet access to the gateway only when granted |

type Statement = Record<string, unknown>;
const doc = (Statement: Statement[]) => ({ Version: "2012-10-17", Statement });

/** Longest credential life for a console/CLI session of any role. */
export const MAX_SESSION_SECONDS = 3600;

export interface AccessContext {
  partition: string;
  accountId: string;
  region: string;
  /** The cell's gateway host. */
  instanceArn: string;
  /** The cell's Session Manager document (idle timeout, encrypted transcripts, run-as user). */
  sessionDocumentArn: string;
  /** The cell's log groups (readable by Operator and Viewer). */
  logGroupArns: string[];
  dashboardArn: string;
  /** ARN pattern of the stack's secrets (clawkeep/<stack>/...): the only secrets Admin manages. */
  stackSecretsArn: string;
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

/** The AWS services the kit deploys; Admin manages these and nothing else (secrets: only the stack's). */
export const KIT_SERVICES = ["cloudtrail", "cloudwatch", "ec2", "events", "iam", "kms", "lambda", "logs", "s3", "sns", "ssm", "tag"] as const;

// Defence in depth: even a session minted before MFA was enforced on the trust cannot act.
const WITH_MFA = { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } };

export function adminPolicy(ctx: Pick<AccessContext, "stackSecretsArn">) {
  return doc([
    { Sid: "ManageTheKitsServices", Effect: "Allow", Action: KIT_SERVICES.map((s) => `${s}:*`), Resource: "*", ...WITH_MFA },
    { Sid: "ManageTheStacksSecrets", Effect: "Allow", Action: "secretsmanager:*", Resource: ctx.stackSecretsArn, ...WITH_MFA },
    { Sid: "ListSecrets", Effect: "Allow", Action: ["secretsmanager:ListSecrets", "secretsmanager:GetRandomPassword"], Resource: "*", ...WITH_MFA },
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
  const { partition, region, accountId } = ctx;
  return doc([
    ...readLogsAndAlarms(ctx),
    {
      Sid: "SessionsOnTheCellHostThroughItsDocument",
      Effect: "Allow",
      Action: "ssm:StartSession",
      Resource: [ctx.instanceArn, ctx.sessionDocumentArn, `arn:${partition}:ssm:${region}::document/AWS-StartPortForwardingSession`],
      // Without the check, a caller could pick a document that skips the kit's preferences.
      Condition: { BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" } },
    },
    {
      Sid: "OwnSessionsOnly",
      Effect: "Allow",
      Action: ["ssm:TerminateSession", "ssm:ResumeSession"],
      Resource: `arn:${partition}:ssm:${region}:${accountId}:session/\${aws:userid}-*`,
    },
    { Sid: "SeeTheHost", Effect: "Allow", Action: ["ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus"], Resource: "*" },
    { Sid: "RestartTheHost", Effect: "Allow", Action: ["ec2:RebootInstances", "ec2:StartInstances", "ec2:StopInstances"], Resource: ctx.instanceArn },
    // Explicit: no later Allow (a managed policy attached by mistake) can hand these back.
    { Sid: "NeverSecretValuesOrDecrypt", Effect: "Deny", Action: ["secretsmanager:GetSecretValue", "kms:Decrypt"], Resource: "*" },
  ]);
}
