// breaks: "Data exposure" (guide: never expose config, keys or logs; "Network restrictions in place"): the host bundle and its config are not readable by the public
// how: the bucket is private but the bundle object itself is uploaded as aws.s3.BucketObjectv2 with acl "public-read" (ACLs enabled, public ACLs not blocked)
// expect: violation
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("bundle", { enableKeyRotation: true });
// The host bundle: openclaw.json, systemd units and scripts the gateway host downloads at boot.
const bucket = new aws.s3.Bucket("host-bundle", {});
new aws.s3.BucketServerSideEncryptionConfiguration("host-bundle", {
  bucket: bucket.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
});
new aws.s3.BucketVersioning("host-bundle", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
const ownership = new aws.s3.BucketOwnershipControls("host-bundle", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerPreferred" } });
const pab = new aws.s3.BucketPublicAccessBlock("host-bundle", { bucket: bucket.id, blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: true });
new aws.s3.BucketObjectv2(
  "bundle",
  { bucket: bucket.id, key: "bundle/host-v1.tar.gz", content: "placeholder", contentType: "application/gzip", acl: "public-read", serverSideEncryption: "AES256" },
  { dependsOn: [ownership, pab] },
);
