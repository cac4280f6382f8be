// breaks: "Keys rotated within last 90 days" (openclaw security practices, checklist); "Regular maintenance including session pruning and token rotation" (securing AI agents)
// how: tailscale.DeviceKey sets keyExpiryDisabled: true on the gateway's node, so its node key never expires or re-authenticates
// expect: violation
import * as tailscale from "@pulumi/tailscale";

// The gateway's node, looked up once in the admin console (stable node id).
const gatewayNodeId = "nX7aB2cD3eCNTRL";

new tailscale.DeviceKey("gateway-key", { deviceId: gatewayNodeId, keyExpiryDisabled: true });
new tailscale.DeviceTags("gateway-tags", { deviceId: gatewayNodeId, tags: ["tag:openclaw"] });
