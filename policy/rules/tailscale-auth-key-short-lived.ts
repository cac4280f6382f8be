// Protects: the window in which a leaked join key works. A key is needed only for the first boot;
// past a day it is pure exposure. Advisory: the mandatory cap is tailscale-auth-key-hardened's.
// Checklist: "Keys rotated within last 90 days".
// Fix: expiry of a few hours (e.g. 3600) on the tailscale.TailnetKey.
import { TAILNET_KEY } from "../lib/tailscale";
import type { ResourceRule } from "../lib/types";
import { DEFAULT_KEY_EXPIRY_SECONDS } from "./tailscale-auth-key-hardened";

export const tailscaleAuthKeyShortLived: ResourceRule = {
  kind: "resource",
  name: "tailscale-auth-key-short-lived",
  description: "Tailscale auth keys expire within maxExpiryHours (default one day).",
  protects: "the tailnet from a join key that outlives its one use",
  checklistItems: ["keys-rotated-90-days"],
  severity: "low",
  enforcementLevel: "advisory",
  remediation: "Set expiry to a few hours (e.g. 3600 seconds); the host uses the key once, at first boot.",
  configSchema: {
    maxExpiryHours: { type: "integer", default: 24, minimum: 1, maximum: 2160, description: "Longest auth key lifetime before the advisory fires, in hours." },
  },
  resourceTypes: [TAILNET_KEY],
  validateResource(_type, props, config) {
    const expiry = typeof props.expiry === "number" ? props.expiry : DEFAULT_KEY_EXPIRY_SECONDS;
    return expiry > config.maxExpiryHours * 3600
      ? [`the key expires after ${+(expiry / 3600).toFixed(1)} hours${typeof props.expiry === "number" ? "" : " (Tailscale's default)"}; ${config.maxExpiryHours} or fewer is advised`]
      : [];
  },
};
