// The host files that install tailscale, join the tailnet at boot and publish the gateway with
// Tailscale Serve, and the first-boot steps that run them.
import type { TailscaleOptions } from "../../stacks/tailscale";
import { ROOT_OWNER, unitFile, type HostFile } from "../base/hostFile";
import {
  INSTALL_TAILSCALE,
  TAILSCALE_ENV,
  TAILSCALE_JOIN,
  TAILSCALE_JOIN_UNIT,
  TAILSCALE_LEAVE,
  TAILSCALE_LEAVE_UNIT,
  renderTailscaleEnv,
  renderTailscaleLeaveUnit,
  renderTailscaleJoinUnit,
  renderTailscaleScripts,
  type TailscaleHostFacts,
} from "./hostScripts";

/** Every Tailscale file first boot writes; none for a cell that does not join a tailnet. */
export function tailscaleHostFiles(options: TailscaleOptions, facts: TailscaleHostFacts): HostFile[] {
  if (!options.enabled) return [];
  const scripts = renderTailscaleScripts();
  return [
    { path: TAILSCALE_ENV, content: renderTailscaleEnv(options, facts), mode: "0600", owner: ROOT_OWNER },
    { path: INSTALL_TAILSCALE, content: scripts.install, mode: "0750", owner: ROOT_OWNER },
    { path: TAILSCALE_JOIN, content: scripts.join, mode: "0750", owner: ROOT_OWNER },
    unitFile(TAILSCALE_JOIN_UNIT, renderTailscaleJoinUnit()),
    { path: TAILSCALE_LEAVE, content: scripts.leave, mode: "0750", owner: ROOT_OWNER },
    unitFile(TAILSCALE_LEAVE_UNIT, renderTailscaleLeaveUnit()),
  ];
}

/** First-boot steps, after the gateway is enabled: install the pinned package, then join and serve. */
export function tailscaleRuncmd(options: TailscaleOptions): string[][] {
  if (!options.enabled) return [];
  return [[INSTALL_TAILSCALE], ["systemctl", "enable", "--now", TAILSCALE_JOIN_UNIT, TAILSCALE_LEAVE_UNIT]];
}
