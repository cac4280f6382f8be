// breaks: "Data exposure" (guide: never expose config, keys or logs; "Network restrictions in place"): the host bundle and its config are not readable by the public
// how: an aws.s3.BucketPolicy granting s3:GetObject to Principal "*" ("the host fetches over plain HTTPS"), blockPublicPolicy turned off to let it through
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
const pab = new aws.s3.BucketPublicAccessBlock("host-bundle", { bucket: bucket.id, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false });
new aws.s3.BucketPolicy(
  "host-bundle",
  {
    bucket: bucket.id,
    policy: bucket.arn.apply((arn) =>
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "HostDownload", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${arn}/*` }] }),
    ),
  },
  { dependsOn: [pab] },
);
