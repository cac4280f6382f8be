import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackModel } from "../../stacks/schema";
import { dataProtectionPolicy } from "./dataProtection";
import { auditLogGroupNames, metricNamespace, type AuditLogGroupNames } from "./names";
import { hostAuditPolicy, trailBucketPolicy } from "./policies";
import type { AuditSettings } from "../../stacks/audit";

export interface AuditLoggingArgs {
  model: StackModel;
  stack: string;
  settings: AuditSettings;
  /** The cell's rotating logs key: log groups, the trail and its bucket. */
  logsKeyArn: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** The host's instance role: it gets write access to its log groups and its metric namespace. */
  hostRoleName: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/** The groups the host writes: its agent's files and Session Manager's transcripts. */
const HOST_WRITES: ReadonlyArray<keyof AuditLogGroupNames> = ["gateway", "egressProxy", "hostAuth", "hostAudit", "sessions"];

/** Operational logs keep the stack's retention; security events keep at least the security retention. */
const SECURITY_GROUPS: ReadonlyArray<keyof AuditLogGroupNames> = ["hostAuth", "hostAudit", "sessions", "changes"];

/**
 * Where a cell's evidence lives: one KMS-encrypted log group per source with a data-protection
 * policy masking credentials and personal data, and a CloudTrail trail (all regions, management
 * events, log file validation, KMS) into a private, TLS-only, versioned bucket with a lifecycle.
 */
export class AuditLogging extends pulumi.ComponentResource {
  public readonly names: AuditLogGroupNames;
  public readonly logGroups: Record<keyof AuditLogGroupNames, aws.cloudwatch.LogGroup>;
  public readonly trail: aws.cloudtrail.Trail;
  public readonly trailBucket: aws.s3.Bucket;

  constructor(name: string, args: AuditLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:audit:AuditLogging", name, {}, opts);
    const { model, settings } = args;
    const self = { parent: this };
    this.names = auditLogGroupNames(args.stack, model.cellName);

    const groups = {} as Record<keyof AuditLogGroupNames, aws.cloudwatch.LogGroup>;
    for (const key of Object.keys(this.names) as Array<keyof AuditLogGroupNames>) {
      const groupName = this.names[key];
      const retention = SECURITY_GROUPS.includes(key) ? Math.max(settings.securityLogRetentionDays, model.logRetentionDays) : model.logRetentionDays;
      const group = new aws.cloudwatch.LogGroup(`${name}-${key}`, { name: groupName, retentionInDays: retention, kmsKeyId: args.logsKeyArn, tags: args.tags }, self);
      new aws.cloudwatch.LogDataProtectionPolicy(
        `${name}-${key}-masking`,
        { logGroupName: group.name, policyDocument: dataProtectionPolicy(`clawkeep-${args.stack}-${model.cellName}-${key}`) },
        { parent: group },
      );
      groups[key] = group;
    }
    this.logGroups = groups;
    new aws.iam.RolePolicy(
      `${name}-host-ships-logs`,
      {
        role: args.hostRoleName,
        policy: pulumi
          .all(HOST_WRITES.map((k) => groups[k].arn))
          .apply((arns) => JSON.stringify(hostAuditPolicy(arns, metricNamespace(args.stack, model.cellName)))),
      },
      self,
    );

    const trailName = `clawkeep-${args.stack}-${model.cellName}`;
    // Audit evidence outlives `pulumi destroy` unless teardown.keepAuditTrail is false: kept, the bucket with its
    // lifecycle (so its objects still expire), policy and encryption stays; said on each, not left to inheritance.
    const keep = model.teardown.keepAuditTrail;
    this.trailBucket = new aws.s3.Bucket(`${name}-trail`, { forceDestroy: !keep, tags: args.tags }, { ...self, retainOnDelete: keep });
    const bucket = { parent: this.trailBucket, retainOnDelete: keep };
    const ownership = new aws.s3.BucketOwnershipControls(`${name}-trail-owner`, { bucket: this.trailBucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, bucket);
    const publicBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-trail-private`,
      { bucket: this.trailBucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      bucket,
    );
    // Versioning keeps an overwritten or deleted log file recoverable; validation digests catch edits.
    new aws.s3.BucketVersioning(`${name}-trail-versions`, { bucket: this.trailBucket.id, versioningConfiguration: { status: "Enabled" } }, bucket);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-trail-sse`,
      { bucket: this.trailBucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.logsKeyArn }, bucketKeyEnabled: true }] },
      bucket,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-trail-lifecycle`,
      {
        bucket: this.trailBucket.id,
        rules: [
          {
            id: "trail-retention",
            status: "Enabled",
            filter: { prefix: "" },
            transitions: [{ days: 90, storageClass: "GLACIER_IR" }],
            expiration: { days: settings.trailRetentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      bucket,
    );
    const ctx = pulumi.all([args.accountId, args.region]).apply(([accountId, region]) => ({ partition: "aws", accountId, region }));
    const policy = new aws.s3.BucketPolicy(
      `${name}-trail-policy`,
      { bucket: this.trailBucket.id, policy: pulumi.all([ctx, this.trailBucket.arn]).apply(([c, arn]) => JSON.stringify(trailBucketPolicy(c, arn, trailName))) },
      { ...bucket, dependsOn: [publicBlock, ownership] },
    );

    this.trail = new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        name: trailName,
        s3BucketName: this.trailBucket.id,
        enableLogging: true,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        kmsKeyId: args.logsKeyArn,
        eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }],
        tags: args.tags,
      },
      { parent: this, dependsOn: [policy] },
    );

    this.registerOutputs({ trailArn: this.trail.arn, trailBucket: this.trailBucket.id });
  }
}
