// Protects: the tailnet from a stolen join key. A tagged, single-use key with a bounded lifetime
// joins one device, as a tagged (not a person's) node, and is worthless afterwards.
// Checklist: "Keys rotated within last 90 days"; best practice 3 (identity-based access).
// An OAuth client that may write auth keys or devices is the same credential without the bounds: its
// secret never expires and mints any number of keys for its tags.
// Fix: tailscale.TailnetKey({ tags: ["tag:<gateway>"], reusable: false, expiry: <= 90 days, preferably 1 hour }),
// or workload identity federation (tailscale.FederatedIdentity) instead of an OAuth client.
import { OAUTH_CLIENT, TAILNET_KEY } from "../lib/tailscale";
import type { ResourceRule } from "../lib/types";
import { asStrings } from "../lib/values";

/** OAuth scopes that let the client's secret mint auth keys or enrol devices. */
const JOINING_SCOPES = /^(all|auth_?keys|devices(:core)?)$/i;

/** Tailscale's default key expiry: 90 days. */
export const DEFAULT_KEY_EXPIRY_SECONDS = 90 * 86400;

export const tailscaleAuthKeyHardened: ResourceRule = {
  kind: "resource",
  name: "tailscale-auth-key-hardened",
  description: "Tailscale auth keys are tagged, single-use (reusable false) and expire within maxExpiryDays; no OAuth client may mint auth keys or enrol devices (its secret never expires).",
  protects: "the tailnet from a leaked or reused join key",
  checklistItems: ["keys-rotated-90-days", "network-isolation"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    'Set tags: ["tag:<gateway>"], reusable: false and expiry (seconds) of at most 90 days (an hour is enough for a first boot); join with workload identity federation (tailscale.FederatedIdentity) rather than an OAuth client that mints keys.',
  configSchema: {
    maxExpiryDays: { type: "integer", default: 90, minimum: 1, maximum: 90, description: "Longest allowed auth key lifetime, in days." },
  },
  resourceTypes: [TAILNET_KEY, OAUTH_CLIENT],
  validateResource(type, props, config) {
    if (type === OAUTH_CLIENT) {
      const joining = asStrings(props.scopes).filter((s) => JOINING_SCOPES.test(s));
      const tags = asStrings(props.tags);
      return joining.length > 0 ? [`the OAuth client's secret never expires and its scopes ${joining.join(", ")} let it mint any number of keys${tags.length > 0 ? ` for ${tags.join(", ")}` : ""}`] : [];
    }
    const problems: string[] = [];
    if (asStrings(props.tags).length === 0) problems.push("the key has no tags, so the device joins as the key creator's personal node");
    if (props.reusable === true) problems.push("the key is reusable (any number of devices can join with it)");
    const expiry = typeof props.expiry === "number" ? props.expiry : DEFAULT_KEY_EXPIRY_SECONDS;
    if (expiry > config.maxExpiryDays * 86400) problems.push(`the key expires after ${Math.round(expiry / 86400)} days; at most ${config.maxExpiryDays} allowed`);
    return problems;
  },
};
