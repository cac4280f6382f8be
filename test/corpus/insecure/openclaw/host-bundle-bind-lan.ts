// breaks: "Network isolation keeping agents in separate VLANs with controlled access" (securing AI agents, best practice 3); "Network restrictions in place" (checklist)
// how: openclaw.json (gateway.bind "lan") ships in a gzip'd JSON host bundle in S3 (clawkeep's own bundle format), fetched at boot
// expect: violation
import * as aws from "@pulumi/aws";
import { gzipSync } from "node:zlib";

const config = {
  gateway: {
    mode: "local", port: 18789, bind: "lan",
    auth: {
      mode: "token", token: { source: "file", provider: "gateway-token", id: "value" },
      rateLimit: { maxAttempts: 5, windowMs: 900000, lockoutMs: 900000, exemptLoopback: false },
    },
    tailscale: { mode: "off" }, terminal: { enabled: false },
  },
  secrets: {
    providers: {
      "gateway-token": { source: "file", path: "/run/credentials/openclaw-gateway.service/gateway-token", mode: "singleValue" },
    },
  },
  discovery: { mdns: { mode: "off" } }, browser: { enabled: false },
  tools: {
    allow: ["ask_user", "progress_card"], deny: ["gateway", "openclaw", "plugins", "terminal", "nodes"],
    fs: { workspaceOnly: true }, exec: { mode: "deny" }, elevated: { enabled: false },
  },
  session: { dmScope: "per-channel-peer", reset: { mode: "idle", idleMinutes: 30 } },
  logging: { level: "info", audit: { enabled: true } },
};
const files = [{ path: "/etc/openclaw/openclaw.json", mode: "0640", content: Buffer.from(JSON.stringify(config, null, 2)).toString("base64") }];

const bucket = new aws.s3.Bucket("host-bundles");
new aws.s3.BucketPublicAccessBlock("host-bundles", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
export const bundleKey = new aws.s3.BucketObjectv2("gateway-bundle", {
  bucket: bucket.id,
  key: "bundles/gateway.json.gz",
  contentBase64: gzipSync(JSON.stringify(files)).toString("base64"),
  serverSideEncryption: "aws:kms",
  tags: { "clawkeep:trustLevel": "0" },
}).key;
