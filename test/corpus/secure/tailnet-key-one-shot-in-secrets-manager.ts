// secure: a tagged, single-use, one-hour Tailscale join key goes straight into Secrets Manager (tagged one-shot with its expiry); the host reads it once at first boot, so it never sits in user data
// mirrors: insecure/credentials/tailnet-key-output-in-user-data.ts, insecure/tailscale/tailnet-key-reusable.ts
// expect: pass
import * as aws from "@pulumi/aws";
import * as tailscale from "@pulumi/tailscale";

const joinKey = new tailscale.TailnetKey("gateway-join", {
  tags: ["tag:openclaw"], reusable: false, ephemeral: false, preauthorized: true, expiry: 3600, description: "openclaw gateway first boot",
});
const key = new aws.kms.Key("secrets", { enableKeyRotation: true, description: "openclaw join key" });
const secret = new aws.secretsmanager.Secret("gateway-join-key", {
  name: "openclaw/prod/tailscale-join-key",
  kmsKeyId: key.arn,
  tags: { "clawkeep:credential": "one-shot", "clawkeep:expires-after-seconds": "3600" },
});
new aws.secretsmanager.SecretVersion("gateway-join-key", { secretId: secret.id, secretString: joinKey.key });
