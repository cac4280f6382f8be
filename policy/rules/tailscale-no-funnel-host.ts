// Protects: the gateway from the internet. Whatever the OpenClaw config says, a host can publish any
// local port with Tailscale Funnel: the CLI (global flags such as --socket before the subcommand,
// `serve --funnel`, the old `serve funnel 443 on`), or a serve config with AllowFunnel (the tailscale
// container's TS_SERVE_CONFIG, `serve set-raw`, the LocalAPI). A serve config the plan cannot read is blind.
// Checklist: "Network restrictions in place"; best practice 3 (network isolation; Tailscale Serve, never Funnel).
// Fix: publish with `tailscale serve` (tailnet only); no AllowFunnel entry set to true; ship the serve config with the program.
import { funnelOnHost } from "../lib/tailscaleHost";
import type { ResourceRule } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { HOST_PAYLOAD_TYPES, SSM_SCRIPT_TYPES, hostPayload } from "../lib/userData";

export const tailscaleNoFunnelHost: ResourceRule = {
  kind: "resource",
  name: "tailscale-no-funnel-host",
  description:
    "Nothing a host runs turns Tailscale Funnel on: no `tailscale [global flags] funnel <port>`, `tailscale serve --funnel` or `serve funnel <port> on`, no serve config (file, container environment, LocalAPI body) with AllowFunnel true; a serve config loaded from where the plan cannot read it (TS_SERVE_CONFIG, `serve set-raw`, the LocalAPI) cannot be judged.",
  protects: "the gateway from being published to the internet through Tailscale Funnel",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: "Publish the gateway with `tailscale serve` (tailnet only); drop `funnel` commands and AllowFunnel entries; ship any serve config in the program (write_files) so it can be judged.",
  resourceTypes: [...HOST_PAYLOAD_TYPES, ...SSM_SCRIPT_TYPES],
  validateResource(type, props) {
    const found = funnelOnHost(hostPayload(type, props));
    if (found.funnels.length > 0) return found.funnels;
    if (found.blind.length > 0) throw new CannotJudge(found.blind.join("; "));
    return [];
  },
};
