// Where the sandbox's pieces meet: unit names, ports and the proxy URL the gateway is given. No
// imports, so the gateway unit, the bridges and the proxy config can all share it.

/** squid's listener, in the host's network namespace; only the egress bridge connects to it. */
export const PROXY_HOST = "127.0.0.1";
export const PROXY_PORT = 3129;
/** The only TCP port the proxy opens tunnels to. */
export const TLS_PORT = 443;
/** The egress listener inside the gateway's namespace: its HTTPS_PROXY. */
export const GATEWAY_PROXY_PORT = 3128;
export const GATEWAY_PROXY_URL = `http://127.0.0.1:${GATEWAY_PROXY_PORT}`;

export const EGRESS_SOCKET = "clawkeep-egress.socket";
export const EGRESS_SERVICE = "clawkeep-egress.service";
export const INGRESS_SOCKET = "clawkeep-ingress.socket";
export const INGRESS_SERVICE = "clawkeep-ingress.service";
export const PROXY_SERVICE = "squid.service";
