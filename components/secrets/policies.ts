// IAM documents for the kit's credentials. Pure, so the tests (and the policy pack) judge the same
// documents the components attach.

type Statement = Record<string, unknown>;
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** Key management: a new value, a rotation, a label move. The cell's Admin may; it never reads the value. */
export const KEY_MANAGEMENT_ACTIONS = [
  "secretsmanager:PutSecretValue",
  "secretsmanager:UpdateSecretVersionStage",
  "secretsmanager:RotateSecret",
  "secretsmanager:CancelRotateSecret",
];

/** Every action that changes a secret or its access; beyond key management only the rotation function and the managers may. */
export const SECRET_WRITE_ACTIONS = [
  ...KEY_MANAGEMENT_ACTIONS,
  "secretsmanager:UpdateSecret",
  "secretsmanager:DeleteSecret",
  "secretsmanager:RestoreSecret",
  "secretsmanager:PutResourcePolicy",
  "secretsmanager:DeleteResourcePolicy",
  "secretsmanager:TagResource",
  "secretsmanager:UntagResource",
];

/** What the instance role does with a secret: read it (fetch-token, pickup-token, tailscale-join). */
export const HOST_SECRET_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"];

/**
 * Where the instance role's credentials count: the cell's instance (a property of EC2 role credentials,
 * wherever they are sent from), through the cell VPC's own endpoint (a property of the network path),
 * from the instance's own address in it. Copied credentials used anywhere else are refused.
 */
export interface HostBinding {
  roleArn: string;
  instanceArn: string;
  vpcId: string;
  /** The instance's primary private IPv4 (kept across stop/start). */
  privateIp: string;
}

/**
 * Deny statements binding one role to its host, for any resource policy (secrets, the host bundle).
 * Each condition is a literal: a negated operator on a missing key is true, so credentials that lack a
 * key (not EC2 role credentials; not through the cell's endpoint) are refused too.
 */
export function hostBindingStatements(host: HostBinding, actions: string[], resource: string | string[] = "*"): Statement[] {
  const deny = (Sid: string, Condition: Record<string, unknown>): Statement => ({
    Sid,
    Effect: "Deny",
    Principal: "*",
    Action: actions,
    Resource: resource,
    Condition: { ArnEquals: { "aws:PrincipalArn": host.roleArn }, ...Condition },
  });
  return [
    deny("HostRoleOnlyOnItsInstance", { StringNotEquals: { "ec2:SourceInstanceARN": host.instanceArn } }),
    deny("HostRoleOnlyThroughItsVpc", { StringNotEquals: { "aws:SourceVpc": host.vpcId } }),
    deny("HostRoleOnlyFromItsAddress", { NotIpAddress: { "aws:VpcSourceIp": `${host.privateIp}/32` } }),
  ];
}

export interface SecretAccess {
  /** Roles that read the value: the host (not for admin keys) and the rotation function. */
  readers: string[];
  /** Roles that rotate: put values and move labels. */
  rotators: string[];
  /** Roles that manage the secret. The deploying role is one: the AWS provider reads a version back on create. */
  managers: string[];
  /** Roles that manage the key (new value, rotate, move labels) but never read it or change its policy: the cell's Admin. */
  keyManagers?: string[];
  /** The only function RotateSecret may name (another function would receive the values). */
  rotationFunctionArn?: string;
  /** The instance role, bound to its host. */
  host?: HostBinding;
}

/**
 * The secret's resource policy: deny reading the value to every principal but the readers and
 * managers, and deny changing it to all but the rotators and managers (key management also to the key
 * managers). A deny in a resource policy wins over any identity policy, so an over-broad role elsewhere
 * in the account cannot read it.
 */
export function secretResourcePolicy(access: SecretAccess): PolicyDocument {
  const uniq = (xs: string[]) => [...new Set(xs)];
  const keyManagers = access.keyManagers ?? [];
  const others = SECRET_WRITE_ACTIONS.filter((a) => !KEY_MANAGEMENT_ACTIONS.includes(a));
  const statements: Array<Statement | undefined> = [
    {
      Sid: "OnlyReadersAndManagersReadTheValue",
      Effect: "Deny",
      Principal: "*",
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalArn": uniq([...access.readers, ...access.managers]) } },
    },
    keyManagers.length > 0
      ? {
          Sid: "OnlyRotatorsManagersAndKeyManagersManageTheKey",
          Effect: "Deny",
          Principal: "*",
          Action: KEY_MANAGEMENT_ACTIONS,
          Resource: "*",
          Condition: { ArnNotLike: { "aws:PrincipalArn": uniq([...access.rotators, ...access.managers, ...keyManagers]) } },
        }
      : undefined,
    {
      Sid: "OnlyRotatorsAndManagersChangeIt",
      Effect: "Deny",
      Principal: "*",
      Action: keyManagers.length > 0 ? others : SECRET_WRITE_ACTIONS,
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalArn": uniq([...access.rotators, ...access.managers]) } },
    },
  ];
  if (access.rotationFunctionArn) {
    statements.push({
      Sid: "RotateOnlyWithItsOwnFunction",
      Effect: "Deny",
      Principal: "*",
      Action: "secretsmanager:RotateSecret",
      Resource: "*",
      // Only when a function is named: a plain "rotate now" keeps the configured one.
      Condition: { Null: { "secretsmanager:RotationLambdaARN": "false" }, ArnNotEquals: { "secretsmanager:RotationLambdaARN": access.rotationFunctionArn } },
    });
  }
  if (access.host) statements.push(...hostBindingStatements(access.host, HOST_SECRET_ACTIONS));
  return { Version: "2012-10-17", Statement: statements.filter((s): s is Statement => s !== undefined) };
}

export interface RotationRoleContext {
  secretArn: string;
  dataKeyArn: string;
  logGroupArn: string;
  region: string;
  accountId: string;
  /** The rotation function itself: its calls only count from inside it (lambda:SourceFunctionArn). */
  functionArn: string;
  /** gateway-token: the host it runs the pickup document on, and that document. */
  instanceId?: string;
  pickupDocumentArn?: string;
  /** openai: the admin key's own secret. */
  adminKeySecretArn?: string;
}

/**
 * The rotation function may touch its own secret, its key (through Secrets Manager) and its logs. What
 * its code calls counts only from inside the function: credentials copied out of it are refused.
 */
export function rotationRolePolicy(ctx: RotationRoleContext): PolicyDocument {
  const fromItsFunction = { ArnEquals: { "lambda:SourceFunctionArn": ctx.functionArn } };
  const statements: Statement[] = [
    {
      Sid: "RotateOwnSecret",
      Effect: "Allow",
      Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
      Resource: ctx.secretArn,
      Condition: fromItsFunction,
    },
    // GetRandomPassword acts on no resource; AWS documents Resource "*" for it.
    { Sid: "RandomValues", Effect: "Allow", Action: "secretsmanager:GetRandomPassword", Resource: "*", Condition: fromItsFunction },
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
    if (!ctx.pickupDocumentArn) throw new Error("rotationRolePolicy: a host rotation needs the cell's pickup document");
    statements.push({
      Sid: "RunThePickupDocumentOnTheGatewayHost",
      Effect: "Allow",
      Action: "ssm:SendCommand",
      Resource: [ctx.pickupDocumentArn, `arn:aws:ec2:${ctx.region}:${ctx.accountId}:instance/${ctx.instanceId}`],
      Condition: fromItsFunction,
    });
    // GetCommandInvocation has no resource types (it cannot name the instance); from inside the function only.
    statements.push({ Sid: "ReadPickupResult", Effect: "Allow", Action: "ssm:GetCommandInvocation", Resource: "*", Condition: fromItsFunction });
  }
  if (ctx.adminKeySecretArn) {
    statements.push({ Sid: "ReadOpenAiAdminKey", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ctx.adminKeySecretArn, Condition: fromItsFunction });
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
