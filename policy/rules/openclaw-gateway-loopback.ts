// Protects: the gateway's control plane. Bound to loopback it is reachable only through Tailscale
// Serve or an SSH/SSM tunnel; bound to lan/tailnet/auto/custom it faces every network the host is on
// (thousands of exposed gateways have been found on Shodan). Judged on the effect: gateway.bind in
// every config the resource delivers (after `openclaw config set`), and --bind on every
// `openclaw gateway` launch (units, scripts, containers), which overrides the config.
// Checklist: "Network restrictions in place"; best practice 3, network isolation.
// Fix: gateway.bind "loopback" (or unset, OpenClaw's default) and no --bind flag but loopback.
import { OPENCLAW_TYPES, bindProblems, openclawSetup, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawGatewayLoopback: ResourceRule = {
  kind: "resource",
  name: "openclaw-gateway-loopback",
  description:
    'The OpenClaw gateway listens on loopback only: gateway.bind "loopback" or unset in every config, and no `openclaw gateway --bind` launch or `openclaw config set gateway.bind` to anything else.',
  protects: "the gateway port from every network the host is attached to",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Set gateway.bind to "loopback", drop --bind from the unit or script that starts the gateway, and reach it through Tailscale Serve or an SSM port forward.',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(type, props) {
    return bindProblems(openclawSetup(type, props));
  },
};
