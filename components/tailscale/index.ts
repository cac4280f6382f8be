// Tailscale access for a gateway cell: the TailscaleAccess component (join credentials, optional
// tailnet policy), the policy renderer and its schema, and the host files that install tailscale,
// join the tailnet at boot and publish the gateway with Tailscale Serve.
import type { HostFile } from "../host/userData";
import {
  INSTALL_TAILSCALE,
  TAILSCALE_ENV,
  TAILSCALE_JOIN,
  TAILSCALE_JOIN_UNIT,
  renderTailscaleEnv,
  renderTailscaleJoinUnit,
  renderTailscaleScripts,
  type TailscaleHostFacts,
} from "./hostScripts";
import type { TailscaleOptions } from "./options";

export * from "./hostScripts";
export * from "./options";
export * from "./policy";
export * from "./tailscaleAccess";

const ROOT = "root:root";

/** Every Tailscale file first boot writes; none for a cell that does not join a tailnet. */
export function tailscaleHostFiles(options: TailscaleOptions, facts: TailscaleHostFacts): HostFile[] {
  if (!options.enabled) return [];
  const scripts = renderTailscaleScripts();
  return [
    { path: TAILSCALE_ENV, content: renderTailscaleEnv(options, facts), mode: "0600", owner: ROOT },
    { path: INSTALL_TAILSCALE, content: scripts.install, mode: "0750", owner: ROOT },
    { path: TAILSCALE_JOIN, content: scripts.join, mode: "0750", owner: ROOT },
    { path: `/etc/systemd/system/${TAILSCALE_JOIN_UNIT}`, content: renderTailscaleJoinUnit(), mode: "0644", owner: ROOT },
  ];
}

/** First-boot steps, after the gateway is enabled: install the pinned package, then join and serve. */
export function tailscaleRuncmd(options: TailscaleOptions): string[][] {
  if (!options.enabled) return [];
  return [[INSTALL_TAILSCALE], ["systemctl", "enable", "--now", TAILSCALE_JOIN_UNIT]];
}
