// Protects: the tailnet from a node key that never expires. tailscale.DeviceKey with
// keyExpiryDisabled: true keeps a device's key valid forever: a copied node key (a disk image, a
// backup of /var/lib/tailscale) joins as that device with no re-authentication, ever.
// Checklist: "Keys rotated within last 90 days".
// Fix: leave key expiry on (keyExpiryDisabled: false), and re-join the device with a fresh one-shot key.
import type { ResourceRule } from "../lib/types";

export const tailscaleNodeKeyExpiry: ResourceRule = {
  kind: "resource",
  name: "tailscale-node-key-expiry",
  description: "No tailscale.DeviceKey disables a device's node-key expiry.",
  protects: "the tailnet from a copied node key that works forever",
  checklistItems: ["keys-rotated-90-days", "network-isolation"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Set keyExpiryDisabled: false (or drop the DeviceKey resource) so the node key expires and the device re-authenticates.",
  resourceTypes: ["tailscale:index/deviceKey:DeviceKey"],
  validateResource(_type, props) {
    return props.keyExpiryDisabled === true ? [`device ${typeof props.deviceId === "string" ? props.deviceId : "(its id)"} never has its node key expire (keyExpiryDisabled: true)`] : [];
  },
};
