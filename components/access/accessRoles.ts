import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MAX_SESSION_SECONDS, adminPolicy, operatorPolicy, trustPolicy, viewerPolicy, type AccessContext } from "./rolePolicies";
import { SESSION_USER, portDocumentName, portForwardDocument, sessionDocumentName, sessionPreferences } from "./sessionPreferences";
import { cellRoleName, cellRolePath } from "../base/names";

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
  /** The cell's Command document that starts, stops or restarts the gateway. */
  gatewayDocumentArn: pulumi.Input<string>;
  gatewayPort: number;
  sessionLogGroupName: pulumi.Input<string>;
  /** Every log group of the cell (Operator and Viewer read them). */
  logGroupArns: pulumi.Input<string>[];
  dashboardName: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/**
 * The guides' roles for one cell: Admin (MFA; the cell's host, keys and logs, never an escalation),
 * Operator (MFA; sessions and gateway restarts through the kit's documents, never secret values or
 * decrypt), Viewer (read-only). Guest gets no role at all. Also the Session documents every Operator
 * session must use: the shell as the session user, and a port forward to the gateway's port only.
 */
export class AccessRoles extends pulumi.ComponentResource {
  public readonly admin: aws.iam.Role;
  public readonly operator: aws.iam.Role;
  public readonly viewer: aws.iam.Role;
  public readonly sessionDocument: aws.ssm.Document;
  public readonly portDocument: aws.ssm.Document;

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

    this.portDocument = new aws.ssm.Document(
      `${name}-gateway-port`,
      {
        name: portDocumentName(args.stack, args.cellName),
        documentType: "Session",
        documentFormat: "JSON",
        content: JSON.stringify(portForwardDocument(args.gatewayPort)),
        tags: args.tags,
      },
      self,
    );

    const documentArn = (d: aws.ssm.Document) => pulumi.interpolate`arn:aws:ssm:${args.region}:${args.accountId}:document/${d.name}`;
    const ctx: pulumi.Output<AccessContext> = pulumi
      .all([args.accountId, args.region, args.instanceId, documentArn(this.sessionDocument), documentArn(this.portDocument), args.gatewayDocumentArn, pulumi.all(args.logGroupArns), args.dashboardName])
      .apply(([accountId, region, instanceId, sessionDocumentArn, portDocumentArn, gatewayDocumentArn, logGroupArns, dashboard]) => ({
        partition: "aws",
        accountId,
        region,
        stack: args.stack,
        cellName: args.cellName,
        instanceArn: `arn:aws:ec2:${region}:${accountId}:instance/${instanceId}`,
        sessionDocumentArn,
        portDocumentArn,
        gatewayDocumentArn,
        logGroupArns,
        dashboardArn: `arn:aws:cloudwatch::${accountId}:dashboard/${dashboard}`,
      }));
    const principals = (list: string[]) => pulumi.output(args.accountId).apply((acct) => (list.length > 0 ? list : [`arn:aws:iam::${acct}:root`]));

    const role = (key: string, trusted: string[], requireMfa: boolean, policy: pulumi.Output<unknown>, runAs?: string) => {
      const r = new aws.iam.Role(
        `${name}-${key}`,
        {
          // Fixed names under the cell's path: the secrets name the Admin before it exists, the Admin reads its cell's roles by path.
          name: cellRoleName(args.stack, args.cellName, key),
          path: cellRolePath(args.stack, args.cellName),
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

    this.registerOutputs({ adminRoleArn: this.admin.arn, operatorRoleArn: this.operator.arn, viewerRoleArn: this.viewer.arn, sessionDocument: this.sessionDocument.name, portDocument: this.portDocument.name });
  }
}
