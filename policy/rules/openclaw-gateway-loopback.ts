// Protects: the gateway's control plane. Bound to loopback it is reachable only through Tailscale
// Serve or an SSH/SSM tunnel; bound to lan/tailnet it faces every network the host is on
// (thousands of exposed gateways have been found on Shodan).
// Checklist: "Network restrictions in place"; best practice 3, network isolation.
// Fix: gateway.bind "loopback" in openclaw.json (Tailscale Serve proxies to it).
import { OPENCLAW_TYPES, obj, readableConfigs, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawGatewayLoopback: ResourceRule = {
  kind: "resource",
  name: "openclaw-gateway-loopback",
  description: 'The OpenClaw gateway binds to loopback only (gateway.bind "loopback" or unset, OpenClaw\'s default).',
  protects: "the gateway port from every network the host is attached to",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Set gateway.bind to "loopback" and reach the gateway through Tailscale Serve or an SSM port forward.',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(_type, props) {
    return readableConfigs(props).flatMap(({ path, config }) => {
      const bind = obj(config.gateway).bind;
      return bind === undefined || bind === "loopback" ? [] : [`${path}: gateway.bind is ${JSON.stringify(bind)}, not "loopback"`];
    });
  },
};
