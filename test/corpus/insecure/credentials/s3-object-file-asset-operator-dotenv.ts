// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist)
// how: an S3 BucketObjectv2 uploads the operator's local ~/.openclaw/.env (FileAsset): provider keys in clear in S3, content unseen offline
// expect: cannot-judge
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as os from "node:os";
import * as path from "node:path";

const bucket = new aws.s3.Bucket("gateway-config", { forceDestroy: false });
new aws.s3.BucketPublicAccessBlock("gateway-config", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
new aws.s3.BucketServerSideEncryptionConfiguration("gateway-config", {
  bucket: bucket.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
});

// Hurried: ship the laptop's working .env (API keys, gateway token) to the host through S3.
new aws.s3.BucketObjectv2("gateway-env", {
  bucket: bucket.id,
  key: "openclaw/.env",
  source: new pulumi.asset.FileAsset(path.join(os.homedir(), ".openclaw", ".env")),
  serverSideEncryption: "aws:kms",
});
