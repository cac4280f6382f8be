import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MAX_SESSION_SECONDS, adminPolicy, operatorPolicy, trustPolicy, viewerPolicy, type AccessContext } from "./rolePolicies";
import { SESSION_USER, sessionDocumentName, sessionPreferences } from "./sessionPreferences";

/** Who may assume each role (account root, user or role ARNs); from the stack's config. */
export interface TrustedPrincipals {
  admin: string[];
  operator: string[];
  viewer: string[];
}

export interface AccessRolesArgs {
  stack: string;
  cellName: string;
  /** Empty lists fall back to the account root: anyone in the account an IAM policy lets assume it. */
  trusted: TrustedPrincipals;
  accountId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  instanceId: pulumi.Input<string>;
  sessionLogGroupName: pulumi.Input<string>;
  /** Every log group of the cell (Operator and Viewer read them). */
  logGroupArns: pulumi.Input<string>[];
  dashboardName: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/**
 * The guides' roles for one cell: Admin (MFA), Operator (MFA; sessions and restarts, never secret
 * values or decrypt), Viewer (read-only). Guest gets no role at all. Also the Session Manager
 * document that every Operator session must use.
 */
export class AccessRoles extends pulumi.ComponentResource {
  public readonly admin: aws.iam.Role;
  public readonly operator: aws.iam.Role;
  public readonly viewer: aws.iam.Role;
  public readonly sessionDocument: aws.ssm.Document;

  constructor(name: string, args: AccessRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:access:AccessRoles", name, {}, opts);
    const self = { parent: this };

    this.sessionDocument = new aws.ssm.Document(
      `${name}-session-prefs`,
      {
        name: sessionDocumentName(args.stack, args.cellName),
        documentType: "Session",
        documentFormat: "JSON",
        content: pulumi.output(args.sessionLogGroupName).apply((group) => JSON.stringify(sessionPreferences(group))),
        tags: args.tags,
      },
      self,
    );

    const ctx: pulumi.Output<AccessContext> = pulumi
      .all([args.accountId, args.region, args.instanceId, this.sessionDocument.arn, pulumi.all(args.logGroupArns), args.dashboardName])
      .apply(([accountId, region, instanceId, sessionDocumentArn, logGroupArns, dashboard]) => ({
        partition: "aws",
        accountId,
        region,
        instanceArn: `arn:aws:ec2:${region}:${accountId}:instance/${instanceId}`,
        sessionDocumentArn,
        logGroupArns,
        dashboardArn: `arn:aws:cloudwatch::${accountId}:dashboard/${dashboard}`,
        stackSecretsArn: `arn:aws:secretsmanager:${region}:${accountId}:secret:clawkeep/${args.stack}/*`,
      }));
    const principals = (list: string[]) => pulumi.output(args.accountId).apply((acct) => (list.length > 0 ? list : [`arn:aws:iam::${acct}:root`]));

    const role = (key: string, trusted: string[], requireMfa: boolean, policy: pulumi.Output<unknown>, runAs?: string) => {
      const r = new aws.iam.Role(
        `${name}-${key}`,
        {
          description: `clawkeep ${args.stack}/${args.cellName} ${key}`,
          assumeRolePolicy: principals(trusted).apply((p) => JSON.stringify(trustPolicy(p, requireMfa))),
          maxSessionDuration: MAX_SESSION_SECONDS,
          // Session Manager runs this role's shells as the tagged OS user (never root, never ssm-user with sudo).
          tags: { ...args.tags, ...(runAs ? { SSMSessionRunAs: runAs } : {}) },
        },
        self,
      );
      new aws.iam.RolePolicy(`${name}-${key}-policy`, { role: r.id, policy: policy.apply((p) => JSON.stringify(p)) }, { parent: r });
      return r;
    };
    this.admin = role("admin", args.trusted.admin, true, ctx.apply(adminPolicy));
    this.operator = role("operator", args.trusted.operator, true, ctx.apply(operatorPolicy), SESSION_USER);
    this.viewer = role("viewer", args.trusted.viewer, false, ctx.apply(viewerPolicy));

    this.registerOutputs({ adminRoleArn: this.admin.arn, operatorRoleArn: this.operator.arn, viewerRoleArn: this.viewer.arn, sessionDocument: this.sessionDocument.name });
  }
}
