// The host's security-group rules, as data. No inbound rule from outside the VPC, ever:
// administration is SSM Session Manager (outbound from the host) and later Tailscale.
import type { StackModel } from "../../stacks/schema";

export interface SgRule {
  description: string;
  protocol: "tcp" | "udp";
  fromPort: number;
  toPort: number;
  cidrBlocks: string[];
}

/** Tailscale's WireGuard port and STUN, so the node can reach peers directly instead of via DERP. */
export const TAILSCALE_WIREGUARD_PORT = 41641;
export const STUN_PORT = 3478;

export function hostEgressRules(_model: StackModel): SgRule[] {
  return [
    // HTTPS only: model APIs (through the host's egress proxy), AWS APIs (SSM, Secrets Manager,
    // CloudWatch), Debian security updates over https, Tailscale control and DERP.
    { description: "HTTPS to model APIs, AWS APIs, Debian updates, Tailscale", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
    { description: "Tailscale WireGuard (direct peer connections)", protocol: "udp", fromPort: TAILSCALE_WIREGUARD_PORT, toPort: TAILSCALE_WIREGUARD_PORT, cidrBlocks: ["0.0.0.0/0"] },
    { description: "STUN for Tailscale NAT traversal", protocol: "udp", fromPort: STUN_PORT, toPort: STUN_PORT, cidrBlocks: ["0.0.0.0/0"] },
  ];
}

/** Inbound: only Tailscale's WireGuard port, only from CIDRs inside the VPC that the stack lists. */
export function hostIngressRules(model: StackModel): SgRule[] {
  if (model.network.ingressCidrs.length === 0) return [];
  return [
    {
      description: "Tailscale WireGuard from VPC-internal peers",
      protocol: "udp",
      fromPort: TAILSCALE_WIREGUARD_PORT,
      toPort: TAILSCALE_WIREGUARD_PORT,
      cidrBlocks: model.network.ingressCidrs,
    },
  ];
}

/** Interface endpoints the host uses when it has no public egress to AWS APIs. */
export const INTERFACE_ENDPOINT_SERVICES = ["ssm", "ssmmessages", "secretsmanager", "logs", "monitoring", "kms"] as const;
/** Every cell has this one: the secrets accept the instance role only through the cell's own VPC. */
export const ALWAYS_INTERFACE_ENDPOINTS = ["secretsmanager"] as const;

/** The cell's interface endpoints: Secrets Manager always, the rest with interfaceEndpoints. */
export function cellInterfaceEndpoints(model: StackModel): string[] {
  const all = model.network.interfaceEndpoints ? [...INTERFACE_ENDPOINT_SERVICES] : [];
  return [...new Set([...ALWAYS_INTERFACE_ENDPOINTS, ...all])];
}

/** Subnet plan: a /24 for the public side (NAT or host), a /24 for the private host subnet. */
export function subnetCidrs(vpcCidr: string): { public: string; private: string } {
  const [a, b] = vpcCidr.split("/")[0].split(".");
  const bits = Number(vpcCidr.split("/")[1]);
  if (bits > 23) {
    // A /24 VPC has room for two /25s only.
    const [c] = vpcCidr.split("/")[0].split(".").slice(2);
    return { public: `${a}.${b}.${c}.0/25`, private: `${a}.${b}.${c}.128/25` };
  }
  const c = Number(vpcCidr.split("/")[0].split(".")[2]);
  return { public: `${a}.${b}.${c}.0/24`, private: `${a}.${b}.${c + 1}.0/24` };
}
