// breaks: "Data exposure" (guide: never expose config, keys or logs; "Network restrictions in place"): the host bundle and its config are not readable by the public
// how: an old example copied in: the deprecated acl: "public-read" argument on aws.s3.Bucket itself (with public ACLs unblocked)
// expect: violation
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("bundle", { enableKeyRotation: true });
const bucket = new aws.s3.Bucket("host-bundle", { acl: "public-read" });
new aws.s3.BucketOwnershipControls("host-bundle", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerPreferred" } });
new aws.s3.BucketPublicAccessBlock("host-bundle", { bucket: bucket.id, blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: true });
new aws.s3.BucketServerSideEncryptionConfiguration("host-bundle", {
  bucket: bucket.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
});
new aws.s3.BucketVersioning("host-bundle", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
