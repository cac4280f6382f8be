// The gateway's network namespace has loopback only (PrivateNetwork=yes). Two socket-activated
// systemd-socket-proxyd bridges are its only links to the host, both at the TCP level, neither routed:
//   egress:  a listener INSIDE the namespace (127.0.0.1:3128) -> squid on the host's loopback;
//   ingress: a listener on the host's loopback (the gateway port) -> the gateway inside the namespace,
//            which is where `tailscale serve` and the host's own health checks connect.
// No veth, no ip_forward, no NAT: there is no route out of the namespace to bypass the proxy with.
import type { StackModel } from "../../stacks/schema";
import { GATEWAY_UNIT, PATHS, SERVICE_GROUP, SERVICE_USER } from "../base/layout";
import { EGRESS_SERVICE, EGRESS_SOCKET, GATEWAY_PROXY_PORT, INGRESS_SERVICE, INGRESS_SOCKET, PROXY_HOST, PROXY_PORT, PROXY_SERVICE } from "./addresses";
import { KERNEL_PROTECTIONS } from "../base/sandboxDirectives";

export const SOCKET_PROXYD = "/usr/lib/systemd/systemd-socket-proxyd";
/** An idle bridge exits; the socket stays and starts it again on the next connection. */
const IDLE_EXIT = "5min";

const why = (text: string): string => `# ${text}`;
const unit = (sections: Array<[string, string[]]>): string => `${sections.map(([name, lines]) => [`[${name}]`, ...lines].join("\n")).join("\n\n")}\n`;

/** The confinement both bridges share: a byte pump needs no file, device, privilege or other protocol. */
function bridgeSandbox(): string[] {
  return [
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateMounts=yes",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    ...KERNEL_PROTECTIONS,
    "MemoryDenyWriteExecute=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "RestrictNamespaces=yes",
    "RemoveIPC=yes",
    "UMask=0077",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged @resources",
    "SystemCallErrorNumber=EPERM",
    "IPAddressAllow=localhost",
    "IPAddressDeny=any",
    why("Left off on purpose (each is a line in systemd-analyze security's report):"),
    why("RestrictAddressFamilies= keeps AF_INET/AF_INET6 (the two TCP ends) and AF_UNIX (the journal); IPAddressDeny="),
    why("  allows localhost, where both ends are."),
    why("RootDirectory= not set: it runs from the host's read-only /usr (ProtectSystem=strict)."),
    why("DeviceAllow= char-rtc r comes with ProtectClock=; no other device is reachable."),
  ];
}

/** The listener inside the gateway's namespace: the gateway's HTTPS_PROXY. */
export function renderEgressSocket(model: StackModel): string {
  return unit([
    [
      "Unit",
      [
        `Description=clawkeep: the egress listener inside the gateway's network namespace (cell ${model.cellName})`,
        why("PrivateNetwork= on a socket unit binds its listener in the network namespace it joins (the gateway's,"),
        why("  which this socket usually creates: it starts first, and the gateway names it back)."),
        `JoinsNamespaceOf=${GATEWAY_UNIT}`,
      ],
    ],
    [
      "Socket",
      [
        `ListenStream=127.0.0.1:${GATEWAY_PROXY_PORT}`,
        "PrivateNetwork=yes",
        why("systemd 252 keeps one runtime for the units that join: whoever starts first makes /tmp, /var/tmp and the IPC"),
        why("  namespace too, and a gateway joining a runtime without them would silently run without its PrivateTmp="),
        why("  and PrivateIPC=. A socket runs no process, so these are the gateway's, kept across its restarts."),
        "PrivateTmp=yes",
        "PrivateIPC=yes",
        "NoDelay=yes",
        `Service=${EGRESS_SERVICE}`,
      ],
    ],
    ["Install", ["WantedBy=sockets.target"]],
  ]);
}

/** Runs in the host's namespace and pumps each accepted connection to squid. */
export function renderEgressService(model: StackModel): string {
  return unit([
    [
      "Unit",
      [
        `Description=clawkeep: egress bridge from the gateway's namespace to the egress proxy (cell ${model.cellName})`,
        `Requires=${EGRESS_SOCKET}`,
        `After=${EGRESS_SOCKET} ${PROXY_SERVICE}`,
        why("Bound to squid: it starts only once squid's start (and its self-check) succeeded, and stops when squid"),
        why("  stops or fails, so no connection ever reaches a squid that is still starting or failed its check."),
        `BindsTo=${PROXY_SERVICE}`,
      ],
    ],
    [
      "Service",
      [
        `ExecStart=${SOCKET_PROXYD} --exit-idle-time=${IDLE_EXIT} ${PROXY_HOST}:${PROXY_PORT}`,
        why("It shares nothing with the gateway: its own user, and the host's namespace, where only squid is its peer."),
        "DynamicUser=yes",
        "PrivateTmp=yes",
        "PrivateUsers=yes",
        "PrivateIPC=yes",
        ...bridgeSandbox(),
        why("PrivateNetwork= not set: its far end, squid, listens in the host's namespace."),
      ],
    ],
  ]);
}

/** The gateway port on the host's loopback, for `tailscale serve` and the host's health checks. */
export function renderIngressSocket(model: StackModel): string {
  return unit([
    ["Unit", [`Description=clawkeep: the gateway's port on the host's loopback (cell ${model.cellName})`]],
    ["Socket", [`ListenStream=127.0.0.1:${model.gateway.port}`, "NoDelay=yes", `Service=${INGRESS_SERVICE}`]],
    ["Install", ["WantedBy=sockets.target"]],
  ]);
}

/** Runs inside the gateway's namespace and pumps each connection to the gateway's loopback listener. */
export function renderIngressService(model: StackModel): string {
  return unit([
    [
      "Unit",
      [
        `Description=clawkeep: ingress bridge from the host's loopback into the gateway's namespace (cell ${model.cellName})`,
        `Requires=${INGRESS_SOCKET}`,
        `After=${INGRESS_SOCKET} ${GATEWAY_UNIT}`,
        why("The namespace is filed under whichever of the two started first; naming both finds it either way."),
        `JoinsNamespaceOf=${GATEWAY_UNIT} ${EGRESS_SOCKET}`,
      ],
    ],
    [
      "Service",
      [
        `ExecStart=${SOCKET_PROXYD} --exit-idle-time=${IDLE_EXIT} 127.0.0.1:${model.gateway.port}`,
        "PrivateNetwork=yes",
        why("The gateway's own user: inside its namespace the bridge adds no new identity. Not DynamicUser="),
        why("  (that implies PrivateTmp=, which JoinsNamespaceOf= would share with the gateway's /tmp)."),
        `User=${SERVICE_USER}`,
        `Group=${SERVICE_GROUP}`,
        "PrivateUsers=yes",
        why("Same user, but none of the gateway's files: state, logs, config, credentials."),
        `InaccessiblePaths=-${PATHS.stateDir} -${PATHS.logDir} -${PATHS.configDir} -/run/credentials -${PATHS.runSecretsDir}`,
        ...bridgeSandbox(),
        why("PrivateTmp= not set: JoinsNamespaceOf= would give it the gateway's /tmp; it writes no file at all."),
      ],
    ],
  ]);
}
