import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dataKeyPolicy, logsKeyPolicy } from "./keyPolicies";

export interface CellKeysArgs {
  accountId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** The cell's instance role (its fixed ARN: the role is created after the key). */
  hostRoleArn?: pulumi.Input<string>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Keys a `pulumi destroy` leaves in place (stacks/teardown.ts keptKeys): a key outlives every kept byte it encrypts. */
  keep?: { dataKey: boolean; logsKey: boolean };
}

/**
 * The cell's customer-managed KMS keys, both rotating yearly: one for data (EBS, secrets), one for
 * logs and the alarm topic. Separate keys so that log readers never hold a grant on secrets.
 */
export class CellKeys extends pulumi.ComponentResource {
  public readonly dataKey: aws.kms.Key;
  public readonly logsKey: aws.kms.Key;

  constructor(name: string, args: CellKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:keys:CellKeys", name, {}, opts);
    const ctx = pulumi.all([args.accountId, args.region, args.hostRoleArn]).apply(([accountId, region, hostRoleArn]) => ({ accountId, region, hostRoleArn }));
    const common = { enableKeyRotation: true, rotationPeriodInDays: 365, deletionWindowInDays: 30, tags: args.tags };

    this.dataKey = new aws.kms.Key(
      `${name}-data`,
      { ...common, description: `clawkeep ${name}: EBS volumes and Secrets Manager secrets`, policy: ctx.apply(dataKeyPolicy) },
      { parent: this, retainOnDelete: args.keep?.dataKey ?? true },
    );
    this.logsKey = new aws.kms.Key(
      `${name}-logs`,
      { ...common, description: `clawkeep ${name}: CloudWatch log groups and the alarm topic`, policy: ctx.apply(logsKeyPolicy) },
      { parent: this, retainOnDelete: args.keep?.logsKey ?? true },
    );
    this.registerOutputs({ dataKeyArn: this.dataKey.arn, logsKeyArn: this.logsKey.arn });
  }
}
