// breaks: "Never embed API keys directly in configuration files or code" (openclaw security practices, Securing Your API Keys)
// how: an S3 BucketObjectv2 whose source is a pulumi.asset.StringAsset holding OPENAI_API_KEY=sk-proj-...
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const openaiKey = "sk-proj-" + "cWqizPXJtYUgGfvLmv71zxLjXHP-pG0CA-nPAXeUxK6MIDD5UUwUJN-ek4NFjyPccuhNIeE1xzT3BlbkFJ3r39jRixmIGGtQLJqF-e0sMbSXrZ_yWTJekCRO2amUW0-iPPIeH_cewI_KaW0asWzaLxFyCtr5";

const bucket = new aws.s3.Bucket("gateway-config", { forceDestroy: false });
new aws.s3.BucketPublicAccessBlock("gateway-config", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
new aws.s3.BucketServerSideEncryptionConfiguration("gateway-config", {
  bucket: bucket.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
});

new aws.s3.BucketObjectv2("gateway-env", {
  bucket: bucket.id,
  key: "openclaw/gateway.env",
  source: new pulumi.asset.StringAsset(`OPENAI_API_KEY=${openaiKey}\n`),
  serverSideEncryption: "aws:kms",
});
