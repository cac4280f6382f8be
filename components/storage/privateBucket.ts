import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateBucketArgs {
  /** Fixed name where a host or script must know it in advance; auto-named otherwise. */
  bucketName?: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  /** Extra statements for the bucket policy (the TLS-only deny is always there). */
  extraStatements?: pulumi.Input<Record<string, unknown>[]>;
  /** Empty the bucket at `pulumi destroy` (only for contents the program rebuilds); false keeps destroy from deleting it. */
  forceDestroy?: boolean;
  /** Days after which noncurrent object versions are deleted. */
  noncurrentVersionDays?: number;
  /** The policy waits for attachPolicy(): its statements name resources made after the bucket (the host reading it). */
  policyLater?: boolean;
  tags?: Record<string, string>;
}

/** The bucket policy statement every kit bucket carries: no request without TLS. */
export function tlsOnlyStatement(bucketArn: string): Record<string, unknown> {
  return {
    Sid: "DenyWithoutTls",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * An S3 bucket nobody outside the account can reach: every public-access block on, ACLs disabled
 * (bucket owner enforced), SSE-KMS with a customer key by default, TLS-only, versioned.
 */
export class PrivateBucket extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  private readonly block: aws.s3.BucketPublicAccessBlock;
  private readonly bucketName: string;

  constructor(name: string, args: PrivateBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:storage:PrivateBucket", name, {}, opts);
    const child = { parent: this };
    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: args.forceDestroy ?? false, tags: args.tags }, child);
    const bucketChild = { parent: this.bucket };
    const block = new aws.s3.BucketPublicAccessBlock(
      `${name}-no-public`,
      { bucket: this.bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      bucketChild,
    );
    new aws.s3.BucketOwnershipControls(`${name}-owner`, { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, bucketChild);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      { bucket: this.bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }] },
      bucketChild,
    );
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } }, bucketChild);
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: this.bucket.id,
        rules: [{ id: "expire-noncurrent", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 90 } }],
      },
      bucketChild,
    );
    this.block = block;
    this.bucketName = name;
    if (!args.policyLater) this.attachPolicy(args.extraStatements ?? []);
    this.registerOutputs({ bucketName: this.bucket.bucket, bucketArn: this.bucket.arn });
  }

  /** The bucket's one policy: TLS only, plus `extra` (given here when it names resources made after the bucket). */
  attachPolicy(extra: pulumi.Input<Record<string, unknown>[]>): aws.s3.BucketPolicy {
    return new aws.s3.BucketPolicy(
      `${this.bucketName}-policy`,
      {
        bucket: this.bucket.id,
        policy: pulumi
          .all([this.bucket.arn, extra])
          .apply(([arn, statements]) => JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(arn), ...statements] })),
      },
      // The public-access block first: a policy written before it could be judged public.
      { parent: this.bucket, dependsOn: [this.block] },
    );
  }
}
