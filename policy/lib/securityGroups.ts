// Security-group rules in all four shapes Pulumi programs write them: inline ingress/egress blocks
// of a SecurityGroup (or DefaultSecurityGroup), ec2.SecurityGroupRule, and vpc.SecurityGroupIngressRule
// / SecurityGroupEgressRule. Each is reduced to one shape so the rules judge them alike.
import { asArray, asStrings, isRecord } from "./values";

export const SG_TYPES = {
  group: "aws:ec2/securityGroup:SecurityGroup",
  defaultGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  rule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
} as const;

export interface SgRule {
  where: string;
  direction: "ingress" | "egress";
  /** "-1" for all protocols. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
}

const ALL_PROTOCOLS = ["-1", "all"];

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : typeof v === "string" && v !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined;
}

function fromBlock(where: string, direction: SgRule["direction"], b: Record<string, unknown>): SgRule {
  return {
    where,
    direction,
    protocol: String(b.protocol ?? b.ipProtocol ?? "").toLowerCase(),
    fromPort: num(b.fromPort),
    toPort: num(b.toPort),
    cidrs: [...asStrings(b.cidrBlocks), ...asStrings(b.ipv6CidrBlocks), ...asStrings(b.cidrIpv4), ...asStrings(b.cidrIpv6)],
  };
}

export function sgRules(type: string, props: Record<string, unknown>): SgRule[] {
  switch (type) {
    case SG_TYPES.group:
    case SG_TYPES.defaultGroup:
      return (["ingress", "egress"] as const).flatMap((dir) =>
        asArray(props[dir]).flatMap((b, i) => (isRecord(b) ? [fromBlock(`${dir}[${i}]`, dir, b)] : [])),
      );
    case SG_TYPES.rule:
      return props.type === "ingress" || props.type === "egress" ? [fromBlock("rule", props.type, props)] : [];
    case SG_TYPES.ingress:
      return [fromBlock("rule", "ingress", props)];
    case SG_TYPES.egress:
      return [fromBlock("rule", "egress", props)];
    default:
      return [];
  }
}

/** 0.0.0.0/0, ::/0 or any other /0: the whole internet. */
export function anywhere(cidrs: readonly string[]): string[] {
  return cidrs.filter((c) => /\/0$/.test(c.trim()));
}

export function allProtocols(r: SgRule): boolean {
  return ALL_PROTOCOLS.includes(r.protocol);
}

/** tcp/udp over every port is "all traffic" in practice. */
export function allPorts(r: SgRule): boolean {
  return (r.fromPort ?? 0) <= 0 && (r.toPort ?? 65535) >= 65535;
}

export function describePorts(r: SgRule): string {
  if (allProtocols(r)) return "all protocols";
  if (r.fromPort === undefined) return r.protocol;
  return r.fromPort === r.toPort ? `${r.protocol}/${r.fromPort}` : `${r.protocol}/${r.fromPort}-${r.toPort ?? r.fromPort}`;
}
