// breaks: "Never embed API keys directly in configuration files or code" (openclaw security practices, Securing Your API Keys)
// how: an S3 BucketObjectv2 (content) holds the gateway's .env with ANTHROPIC_API_KEY=sk-ant-...; the host downloads it at boot
// expect: violation
import * as aws from "@pulumi/aws";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const anthropicKey = "sk-ant-api03-" + "3f5YeD8bKj2Gx_4Ndm55qBm6J4czgm4pkWvEfs0wgwfi9eA0O7dRGeF5T5MHw8tTg4keGy_usZmxh9k7VoqdMUQoHEikMAA";

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
  content: `ANTHROPIC_API_KEY=${anthropicKey}\nOPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json\n`,
  serverSideEncryption: "aws:kms",
});
