// breaks: "Network segmentation" and "Tailscale for secure identity-based access" (securing AI agents, best practice 3); "Role-based access control implemented" (checklist)
// how: the gateway's join key has no tags: the host joins as the key creator's personal device, with that person's access
// expect: violation
import * as aws from "@pulumi/aws";
import * as tailscale from "@pulumi/tailscale";

const joinKey = new tailscale.TailnetKey("gateway-join", { reusable: false, ephemeral: false, preauthorized: true, expiry: 3600, description: "openclaw gateway" });

// The host fetches the key once at first boot from Secrets Manager (instance role), then it is spent.
const secret = new aws.secretsmanager.Secret("gateway-join-key", {
  name: "openclaw/prod/tailscale-join-key",
  tags: { "clawkeep:credential": "one-shot", "clawkeep:expires-after-seconds": "3600" },
});
new aws.secretsmanager.SecretVersion("gateway-join-key", { secretId: secret.id, secretString: joinKey.key });
