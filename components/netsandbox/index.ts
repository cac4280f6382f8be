// The gateway's network sandbox: addresses, the egress proxy and the bridges, as host files.
export * from "./addresses";
export * from "./bridgeUnits";
export * from "./egressProxy";
export * from "./hostFiles";
export * from "./egressScripts";
