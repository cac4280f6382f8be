// The gateway's network sandbox as host files: the egress proxy's config, drop-in, scripts and TLS
// oneshot, and the two socket-activated bridges that are the gateway namespace's only links. The
// gateway unit itself (PrivateNetwork=yes, proxy environment) is rendered in components/host/systemdUnits.ts.
import type { StackModel } from "../../stacks/schema";
import { ROOT_OWNER, unitFile, type HostFile } from "../base/hostFile";
import { EGRESS_SERVICE, EGRESS_SOCKET, INGRESS_SERVICE, INGRESS_SOCKET } from "./addresses";
import { renderEgressService, renderEgressSocket, renderIngressService, renderIngressSocket } from "./bridgeUnits";
import { EGRESS_ACCESS_LOG, SQUID_CONF_PATH, SQUID_DROPIN_PATH, SQUID_TMPFILES_PATH, renderSquidConf, renderSquidDropIn, renderSquidTmpfiles, selfcheckFields } from "./egressProxy";
import { EGRESS_TLS_SCRIPT, EGRESS_TLS_UNIT, renderEgressScripts, renderEgressTlsUnit } from "./egressScripts";

/**
 * Debian packages the sandbox needs (systemd-socket-proxyd ships with systemd itself): squid built with
 * TLS (Debian's plain squid cannot read a ClientHello), openssl for its key, curl for its self-check.
 */
export const NETSANDBOX_PACKAGES = ["squid-openssl", "openssl", "curl"] as const;

/** Socket units first boot enables; each starts its bridge on the first connection. */
export const NETSANDBOX_SOCKETS = [EGRESS_SOCKET, INGRESS_SOCKET] as const;

/** Every file of the sandbox as it lands on the host. */
export function netsandboxHostFiles(model: StackModel): HostFile[] {
  // World-executable: squid's user runs the helper and the self-check; only the TLS script is root's alone.
  const scripts = Object.entries(renderEgressScripts(selfcheckFields(), EGRESS_ACCESS_LOG)).map(([path, content]) => ({ path, content, mode: path === EGRESS_TLS_SCRIPT ? "0750" : "0755", owner: ROOT_OWNER }));
  return [
    { path: SQUID_CONF_PATH, content: renderSquidConf(model), mode: "0644", owner: ROOT_OWNER },
    { path: SQUID_DROPIN_PATH, content: renderSquidDropIn(model), mode: "0644", owner: ROOT_OWNER },
    { path: SQUID_TMPFILES_PATH, content: renderSquidTmpfiles(), mode: "0644", owner: ROOT_OWNER },
    ...scripts,
    unitFile(EGRESS_TLS_UNIT, renderEgressTlsUnit()),
    unitFile(EGRESS_SOCKET, renderEgressSocket(model)),
    unitFile(EGRESS_SERVICE, renderEgressService(model)),
    unitFile(INGRESS_SOCKET, renderIngressSocket(model)),
    unitFile(INGRESS_SERVICE, renderIngressService(model)),
  ];
}
