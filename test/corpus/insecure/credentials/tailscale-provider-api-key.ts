// breaks: "Never embed API keys directly in configuration files or code" (openclaw security practices, Securing Your API Keys)
// how: an explicit tailscale.Provider is configured with a tskey-api-... API key literal
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const apiKey = "tskey-api-" + "k4w6JtosItncrZCNTRL-0OlZKIWLqUuposETREBJJILEq8OxO1oZE";

const tailnet = new tailscale.Provider("tailnet", { apiKey, tailnet: "example.com" });

// A hardened join key for the gateway host: tagged, single use, one hour.
export const joinKeyId = new tailscale.TailnetKey(
  "gateway-join",
  { tags: ["tag:openclaw"], reusable: false, ephemeral: false, preauthorized: true, expiry: 3600, description: "openclaw gateway first boot" },
  { provider: tailnet },
).id;
