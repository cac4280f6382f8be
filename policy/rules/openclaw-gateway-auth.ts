// Protects: the gateway from unauthenticated callers, loopback included (any local process or a
// web page can reach localhost). A shared token or password is the minimum; none and
// trusted-proxy hand authentication to something else.
// Checklist: best practice 2, gateway token authentication; mistake 1, trusting loopback connections.
// Fix: gateway.auth.mode "token" with the token from a SecretRef/env var fed from Secrets Manager.
import { OPENCLAW_TYPES, obj, readableConfigs, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

const ACCEPTED = ["token", "password"];

export const openclawGatewayAuth: ResourceRule = {
  kind: "resource",
  name: "openclaw-gateway-auth",
  description: 'The OpenClaw gateway requires token or password authentication (gateway.auth.mode "token" or "password").',
  protects: "the gateway's full operator control plane from unauthenticated callers",
  checklistItems: ["gateway-token-auth", "no-loopback-trust"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Set gateway.auth.mode to "token" and gateway.auth.token to a SecretRef ({source: "env", id: "OPENCLAW_GATEWAY_TOKEN"}) filled from Secrets Manager at start.',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(_type, props) {
    return readableConfigs(props).flatMap(({ path, config }) => {
      const mode = obj(obj(config.gateway).auth).mode;
      return typeof mode === "string" && ACCEPTED.includes(mode)
        ? []
        : [`${path}: gateway.auth.mode is ${mode === undefined ? "unset" : JSON.stringify(mode)}; set "token" (or "password") explicitly`];
    });
  },
};
