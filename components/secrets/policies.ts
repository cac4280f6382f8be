// IAM documents for the kit's credentials. Pure, so the tests (and the policy pack) judge the same
// documents the components attach.

type Statement = Record<string, unknown>;
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** Actions that change a secret or its access; only the rotation function and the managers may. */
export const SECRET_WRITE_ACTIONS = [
  "secretsmanager:PutSecretValue",
  "secretsmanager:UpdateSecret",
  "secretsmanager:UpdateSecretVersionStage",
  "secretsmanager:RotateSecret",
  "secretsmanager:CancelRotateSecret",
  "secretsmanager:DeleteSecret",
  "secretsmanager:RestoreSecret",
  "secretsmanager:PutResourcePolicy",
  "secretsmanager:DeleteResourcePolicy",
  "secretsmanager:TagResource",
  "secretsmanager:UntagResource",
];

export interface SecretAccess {
  /** Roles that read the value: the host (not for admin keys) and the rotation function. */
  readers: string[];
  /** Roles that rotate: put values and move labels. */
  rotators: string[];
  /** Roles that manage the secret. The deploying role is one: the AWS provider reads a version back on create. */
  managers: string[];
}

/**
 * The secret's resource policy: deny reading the value to every principal but the readers and
 * managers, and deny changing it to all but the rotators and managers. A deny in a resource policy
 * wins over any identity policy, so an over-broad role elsewhere in the account cannot read it.
 */
export function secretResourcePolicy(access: SecretAccess): PolicyDocument {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OnlyReadersAndManagersReadTheValue",
        Effect: "Deny",
        Principal: "*",
        Action: "secretsmanager:GetSecretValue",
        Resource: "*",
        Condition: { ArnNotLike: { "aws:PrincipalArn": uniq([...access.readers, ...access.managers]) } },
      },
      {
        Sid: "OnlyRotatorsAndManagersChangeIt",
        Effect: "Deny",
        Principal: "*",
        Action: SECRET_WRITE_ACTIONS,
        Resource: "*",
        Condition: { ArnNotLike: { "aws:PrincipalArn": uniq([...access.rotators, ...access.managers]) } },
      },
    ],
  };
}

export interface RotationRoleContext {
  secretArn: string;
  dataKeyArn: string;
  logGroupArn: string;
  region: string;
  accountId: string;
  /** gateway-token: the host it runs pickup-token on. */
  instanceId?: string;
  /** openai: the admin key's own secret. */
  adminKeySecretArn?: string;
}

/** The rotation function may touch its own secret, its key (through Secrets Manager) and its logs. */
export function rotationRolePolicy(ctx: RotationRoleContext): PolicyDocument {
  const statements: Statement[] = [
    {
      Sid: "RotateOwnSecret",
      Effect: "Allow",
      Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
      Resource: ctx.secretArn,
    },
    // GetRandomPassword acts on no resource; AWS documents Resource "*" for it.
    { Sid: "RandomValues", Effect: "Allow", Action: "secretsmanager:GetRandomPassword", Resource: "*" },
    {
      Sid: "DataKeyThroughSecretsManager",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: ctx.dataKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${ctx.region}.amazonaws.com` } },
    },
    { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${ctx.logGroupArn}:*` },
  ];
  if (ctx.instanceId) {
    statements.push({
      Sid: "RunPickupOnTheGatewayHost",
      Effect: "Allow",
      Action: "ssm:SendCommand",
      Resource: [`arn:aws:ssm:${ctx.region}::document/AWS-RunShellScript`, `arn:aws:ec2:${ctx.region}:${ctx.accountId}:instance/${ctx.instanceId}`],
    });
    // GetCommandInvocation has no resource-level permissions.
    statements.push({ Sid: "ReadPickupResult", Effect: "Allow", Action: "ssm:GetCommandInvocation", Resource: "*" });
  }
  if (ctx.adminKeySecretArn) {
    statements.push({ Sid: "ReadOpenAiAdminKey", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ctx.adminKeySecretArn });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Turn a caller ARN into the principal ARNs policies match: an assumed-role session -> its role. */
export function principalArnPatterns(callerArn: string): string[] {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (!m) return [callerArn];
  // A role may carry a path, which the session ARN drops: the role with no path, or with any path.
  const base = `arn:${m[1]}:iam::${m[2]}:role/`;
  return [`${base}${m[3]}`, `${base}*/${m[3]}`];
}
