// breaks: "Rotate keys regularly ... If a key is ever exposed ... rotate it immediately" (openclaw security practices); "Use scoped keys where possible"
// how: the gateway's join key is reusable: true (any number of devices can join with it while it lives)
// expect: violation
import * as aws from "@pulumi/aws";
import * as tailscale from "@pulumi/tailscale";

const joinKey = new tailscale.TailnetKey("gateway-join", {
  tags: ["tag:openclaw"], reusable: true, ephemeral: false, preauthorized: true, expiry: 3600,
  description: "openclaw gateway",
});

// The host fetches the key once at first boot from Secrets Manager (instance role), then it is spent.
const secret = new aws.secretsmanager.Secret("gateway-join-key", {
  name: "openclaw/prod/tailscale-join-key",
  tags: { "clawkeep:credential": "one-shot", "clawkeep:expires-after-seconds": "3600" },
});
new aws.secretsmanager.SecretVersion("gateway-join-key", { secretId: secret.id, secretString: joinKey.key });
