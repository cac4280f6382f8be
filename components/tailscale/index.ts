// Tailscale access for a gateway cell: the TailscaleAccess component (join credentials, optional
// tailnet policy), the policy renderer, and the host files that install tailscale, join the tailnet
// at boot and publish the gateway with Tailscale Serve.
export * from "./hostFiles";
export * from "./hostScripts";
export * from "./policy";
export * from "./tailscaleAccess";
