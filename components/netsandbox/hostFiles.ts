// The gateway's network sandbox as host files: the egress proxy's config and drop-in, and the two
// socket-activated bridges that are the gateway namespace's only links. The gateway unit itself
// (PrivateNetwork=yes, proxy environment) is rendered in components/host/systemdUnits.ts.
import type { StackModel } from "../../stacks/schema";
import { ROOT_OWNER, unitFile, type HostFile } from "../base/hostFile";
import { EGRESS_SERVICE, EGRESS_SOCKET, INGRESS_SERVICE, INGRESS_SOCKET } from "./addresses";
import { renderEgressService, renderEgressSocket, renderIngressService, renderIngressSocket } from "./bridgeUnits";
import { SQUID_CONF_PATH, SQUID_DROPIN_PATH, renderSquidConf, renderSquidDropIn } from "./egressProxy";

/** Debian packages the sandbox needs (systemd-socket-proxyd ships with systemd itself). */
export const NETSANDBOX_PACKAGES = ["squid"] as const;

/** Socket units first boot enables; each starts its bridge on the first connection. */
export const NETSANDBOX_SOCKETS = [EGRESS_SOCKET, INGRESS_SOCKET] as const;

/** Every file of the sandbox as it lands on the host. */
export function netsandboxHostFiles(model: StackModel): HostFile[] {
  return [
    { path: SQUID_CONF_PATH, content: renderSquidConf(model), mode: "0644", owner: ROOT_OWNER },
    { path: SQUID_DROPIN_PATH, content: renderSquidDropIn(model), mode: "0644", owner: ROOT_OWNER },
    unitFile(EGRESS_SOCKET, renderEgressSocket(model)),
    unitFile(EGRESS_SERVICE, renderEgressService(model)),
    unitFile(INGRESS_SOCKET, renderIngressSocket(model)),
    unitFile(INGRESS_SERVICE, renderIngressService(model)),
  ];
}
