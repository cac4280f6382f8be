// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist)
// how: an S3 BucketObjectv2 (content) holds OPENCLAW_GATEWAY_TOKEN=<64 hex>, a random token under a secret-sounding name
// expect: violation
import * as aws from "@pulumi/aws";

const bucket = new aws.s3.Bucket("gateway-config", { forceDestroy: false });
new aws.s3.BucketPublicAccessBlock("gateway-config", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
new aws.s3.BucketServerSideEncryptionConfiguration("gateway-config", {
  bucket: bucket.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
});

// The host runs `aws s3 cp s3://<bucket>/openclaw/gateway.env /etc/openclaw/gateway.env` at boot.
new aws.s3.BucketObjectv2("gateway-env", {
  bucket: bucket.id,
  key: "openclaw/gateway.env",
  content: "OPENCLAW_GATEWAY_TOKEN=53994636405b7629aced7dfdd411975b075338c6389baf1800fcdb21b6cd63f8\n",
  serverSideEncryption: "aws:kms",
});
