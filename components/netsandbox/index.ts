// The gateway's network sandbox as host files: the egress proxy's config and drop-in, and the two
// socket-activated bridges that are the gateway namespace's only links. The gateway unit itself
// (PrivateNetwork=yes, proxy environment) is rendered in components/host/systemdUnits.ts.
import type { StackModel } from "../../stacks/schema";
import type { HostFile } from "../host/userData";
import { EGRESS_SERVICE, EGRESS_SOCKET, INGRESS_SERVICE, INGRESS_SOCKET } from "./addresses";
import { renderEgressService, renderEgressSocket, renderIngressService, renderIngressSocket } from "./bridgeUnits";
import { SQUID_CONF_PATH, SQUID_DROPIN_PATH, renderSquidConf, renderSquidDropIn } from "./egressProxy";

export * from "./addresses";
export * from "./bridgeUnits";
export * from "./egressProxy";

/** Debian packages the sandbox needs (systemd-socket-proxyd ships with systemd itself). */
export const NETSANDBOX_PACKAGES = ["squid"] as const;

/** Socket units first boot enables; each starts its bridge on the first connection. */
export const NETSANDBOX_SOCKETS = [EGRESS_SOCKET, INGRESS_SOCKET] as const;

const UNIT_DIR = "/etc/systemd/system";
const ROOT = "root:root";

/** Every file of the sandbox as it lands on the host. */
export function netsandboxHostFiles(model: StackModel): HostFile[] {
  const unit = (name: string, content: string): HostFile => ({ path: `${UNIT_DIR}/${name}`, content, mode: "0644", owner: ROOT });
  return [
    { path: SQUID_CONF_PATH, content: renderSquidConf(model), mode: "0644", owner: ROOT },
    { path: SQUID_DROPIN_PATH, content: renderSquidDropIn(model), mode: "0644", owner: ROOT },
    unit(EGRESS_SOCKET, renderEgressSocket(model)),
    unit(EGRESS_SERVICE, renderEgressService(model)),
    unit(INGRESS_SOCKET, renderIngressSocket(model)),
    unit(INGRESS_SERVICE, renderIngressService(model)),
  ];
}
