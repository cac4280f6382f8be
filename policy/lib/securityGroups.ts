// Security groups as AWS evaluates them: every rule of a group, whatever resource wrote it (inline
// ingress/egress of a SecurityGroup or DefaultSecurityGroup, ec2.SecurityGroupRule, vpc.SecurityGroup-
// IngressRule/EgressRule), its sources as address ranges (CIDRs and the entries of managed prefix lists,
// inline or as ManagedPrefixListEntry resources), and the VPC default group a host inherits when it
// names none (AWS's rules unless the program adopts it with DefaultSecurityGroup). "The internet" is
// every public address of a family together, or any one range wider than any holder owns (stacks/cidr.ts).
import { holdsPublicAddresses, parseIpRange, publicAddressesLeftOut, widerThanAnyOwner, type IpRange } from "../../stacks/cidr";
import { UNKNOWN, type Known } from "./references";
import { at, items, known, label, type StackIndex } from "./stackIndex";
import type { StackResource } from "./types";
import { asArray, isRecord } from "./values";

export const SG_TYPES = {
  group: "aws:ec2/securityGroup:SecurityGroup",
  defaultGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  rule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  prefixList: "aws:ec2/managedPrefixList:ManagedPrefixList",
  prefixListEntry: "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry",
  vpc: "aws:ec2/vpc:Vpc",
} as const;

export const SG_RULE_TYPES = [SG_TYPES.group, SG_TYPES.defaultGroup, SG_TYPES.rule, SG_TYPES.ingress, SG_TYPES.egress] as const;

export interface SgRule {
  /** The resource that wrote the rule (violations are reported on it), and where in it. */
  resource?: StackResource;
  where: string;
  direction: "ingress" | "egress";
  /** "-1" for all protocols; "tcp", "udp", "icmp", ... otherwise. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  prefixLists: Array<Known<unknown>>;
}

const ALL_PROTOCOLS = ["-1", "all"];
const PROTOCOL_NUMBERS: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : typeof v === "string" && v !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined;
}

const strings = (v: unknown): string[] => asArray(known(v)).filter((x): x is string => typeof x === "string");

function fromBlock(resource: StackResource | undefined, where: string, direction: SgRule["direction"], b: unknown): SgRule {
  const raw = String(known(at(b, "protocol")) ?? known(at(b, "ipProtocol")) ?? "").toLowerCase();
  const lists = [...items(at(b, "prefixListIds")), ...items(at(b, "prefixListId"))];
  return {
    resource,
    where,
    direction,
    protocol: PROTOCOL_NUMBERS[raw] ?? raw,
    fromPort: num(known(at(b, "fromPort"))),
    toPort: num(known(at(b, "toPort"))),
    cidrs: [...strings(at(b, "cidrBlocks")), ...strings(at(b, "ipv6CidrBlocks")), ...strings(at(b, "cidrIpv4")), ...strings(at(b, "cidrIpv6"))],
    prefixLists: lists,
  };
}

/** The rules one resource writes, and the group they belong to (for standalone rules). */
export function sgRules(r: StackResource): { rules: SgRule[]; groupRef?: Known<unknown> } {
  switch (r.type) {
    case SG_TYPES.group:
    case SG_TYPES.defaultGroup:
      return {
        rules: (["ingress", "egress"] as const).flatMap((dir) => asArray(known(at(r.props, dir))).flatMap((b, i) => (isRecord(b) ? [fromBlock(r, `${dir}[${i}]`, dir, b)] : []))),
      };
    case SG_TYPES.rule: {
      const type = known(at(r.props, "type"));
      return { rules: type === "ingress" || type === "egress" ? [fromBlock(r, "rule", type, r.props)] : [], groupRef: at(r.props, "securityGroupId") };
    }
    case SG_TYPES.ingress:
      return { rules: [fromBlock(r, "rule", "ingress", r.props)], groupRef: at(r.props, "securityGroupId") };
    case SG_TYPES.egress:
      return { rules: [fromBlock(r, "rule", "egress", r.props)], groupRef: at(r.props, "securityGroupId") };
    default:
      return { rules: [] };
  }
}

export interface SgGroup {
  key: string;
  label: string;
  /** The SecurityGroup or DefaultSecurityGroup, when the program holds it. */
  resource?: StackResource;
  rules: SgRule[];
  /** False for a group the program does not define: other rules may exist that the pack cannot see. */
  complete: boolean;
}

/** AWS's rules for a VPC's default group: everything in from its members, everything out (IPv6 too when the VPC has it). */
function awsDefaultRules(ipv6: boolean): SgRule[] {
  return [
    { where: "AWS's default rule", direction: "ingress", protocol: "-1", cidrs: [], prefixLists: [] },
    { where: "AWS's default rule", direction: "egress", protocol: "-1", cidrs: ipv6 ? ["0.0.0.0/0", "::/0"] : ["0.0.0.0/0"], prefixLists: [] },
  ];
}

export const familyName = (f: 4 | 6) => (f === 4 ? "IPv4" : "IPv6");

export function allProtocols(r: SgRule): boolean {
  return ALL_PROTOCOLS.includes(r.protocol);
}

/** tcp/udp over every port is "all traffic" in practice. */
export function allPorts(r: SgRule): boolean {
  return allProtocols(r) || ((r.fromPort ?? 0) <= 0 && (r.toPort ?? 65535) >= 65535);
}

export function describePorts(r: SgRule): string {
  if (allProtocols(r)) return "all protocols";
  if (r.fromPort === undefined) return r.protocol;
  return r.fromPort === r.toPort ? `${r.protocol}/${r.fromPort}` : `${r.protocol}/${r.fromPort}-${r.toPort ?? r.fromPort}`;
}

/** A rule's sources (ingress) or destinations (egress) as ranges, and what of them the program does not show. */
export interface Sources {
  ranges: IpRange[];
  unknown: string[];
}

/** Every group of the stack with all its rules, and the VPC default groups hosts inherit. */
export class SecurityGroups {
  readonly groups: SgGroup[] = [];
  private readonly byHandle = new Map<string, SgGroup>();
  private readonly defaultByVpc = new Map<string, SgGroup>();
  private readonly prefixEntries = new Map<StackResource, string[]>();

  constructor(private readonly index: StackIndex) {
    for (const g of index.of(SG_TYPES.group)) {
      const group: SgGroup = { key: g.urn, label: label(g), resource: g, rules: sgRules(g).rules, complete: true };
      this.add(group, [known(at(g.props, "id")), known(at(g.props, "arn"))]);
    }
    for (const d of index.of(SG_TYPES.defaultGroup)) {
      const vpcId = known(at(d.props, "vpcId"));
      const vpc = typeof vpcId === "string" ? index.find([SG_TYPES.vpc], ["id"], vpcId)[0] : undefined;
      const group: SgGroup = { key: `default:${String(vpcId)}`, label: `the default security group of ${vpc ? label(vpc) : `VPC ${String(vpcId)}`} (${label(d)})`, resource: d, rules: sgRules(d).rules, complete: true };
      if (typeof vpcId === "string") this.defaultByVpc.set(vpcId, group);
      this.add(group, [known(at(d.props, "id")), known(at(d.props, "arn")), vpc ? known(at(vpc.props, "defaultSecurityGroupId")) : undefined]);
    }
    for (const r of index.of(SG_TYPES.rule, SG_TYPES.ingress, SG_TYPES.egress)) {
      const { rules, groupRef } = sgRules(r);
      let group = this.resolve(r, groupRef);
      if (!group) {
        const id = groupRef === UNKNOWN ? "(not known yet)" : String(groupRef);
        group = this.byHandle.get(`external:${id}`) ?? { key: `external:${id}`, label: `security group ${id} (not defined in the program)`, rules: [], complete: false };
        if (!this.groups.includes(group)) this.add(group, [`external:${id}`]);
      }
      group.rules.push(...rules);
    }
    for (const e of index.of(SG_TYPES.prefixListEntry)) {
      const cidr = known(at(e.props, "cidr"));
      if (typeof cidr !== "string") continue;
      for (const list of index.resolve(e, at(e.props, "prefixListId"), [SG_TYPES.prefixList], ["id", "arn"])) {
        this.prefixEntries.set(list, [...(this.prefixEntries.get(list) ?? []), cidr]);
      }
    }
  }

  private add(group: SgGroup, handles: unknown[]): void {
    this.groups.push(group);
    for (const h of handles) if (typeof h === "string" && h !== "") this.byHandle.set(h, group);
  }

  /** The group a reference (an SG id, or under preview the group `from` depends on) names. */
  resolve(from: StackResource, ref: Known<unknown>, byName = false): SgGroup | undefined {
    if (ref === UNKNOWN) {
      const dep = this.index.resolve(from, ref, [SG_TYPES.group, SG_TYPES.defaultGroup])[0];
      return dep ? this.groups.find((g) => g.resource === dep) : undefined;
    }
    if (typeof ref !== "string") return undefined;
    const hit = this.byHandle.get(ref);
    if (hit) return hit;
    if (byName) {
      const named = this.index.find([SG_TYPES.group], ["name"], ref)[0];
      if (named) return this.groups.find((g) => g.resource === named);
    }
    // A VPC's default group the program does not adopt: AWS's rules.
    const vpc = this.index.find([SG_TYPES.vpc], ["defaultSecurityGroupId"], ref)[0];
    return vpc ? this.defaultGroup(vpc) : undefined;
  }

  /**
   * The default group of a VPC: the program's DefaultSecurityGroup for it (the rules it states replace
   * AWS's), else AWS's rules. `vpc` is the program's Vpc, or the id of one it does not define.
   */
  defaultGroup(vpc: StackResource | string): SgGroup {
    const vpcId = typeof vpc === "string" ? vpc : known(at(vpc.props, "id"));
    const adopted = typeof vpcId === "string" ? this.defaultByVpc.get(vpcId) : undefined;
    if (adopted) return adopted;
    const ipv6 = typeof vpc !== "string" && (known(at(vpc.props, "assignGeneratedIpv6CidrBlock")) === true || typeof known(at(vpc.props, "ipv6CidrBlock")) === "string");
    const name = typeof vpc === "string" ? (vpc.startsWith("the ") ? vpc : `VPC ${vpc}`) : label(vpc);
    return { key: `default:${String(vpcId)}`, label: `the default security group of ${name}, with AWS's rules (the program does not adopt it)`, rules: awsDefaultRules(ipv6), complete: true };
  }

  /** The cluster security group EKS creates for managed nodes: all traffic among its members and out to anywhere. */
  eksClusterGroup(): SgGroup {
    return { key: "eks-cluster", label: "the cluster security group EKS creates (all traffic out)", rules: awsDefaultRules(false), complete: true };
  }

  /** A rule's addresses: its CIDRs and its prefix lists' entries; lists the program does not define are unknown. */
  sources(rule: SgRule): Sources {
    const ranges: IpRange[] = [];
    const unknown: string[] = [];
    for (const c of rule.cidrs) {
      const r = parsed(c);
      if (r) ranges.push(r);
    }
    for (const ref of rule.prefixLists) {
      const list = rule.resource ? this.index.resolve(rule.resource, ref, [SG_TYPES.prefixList], ["id", "arn"])[0] : undefined;
      if (!list) {
        unknown.push(`the entries of prefix list ${ref === UNKNOWN ? "(not known yet)" : String(ref)}, which the program does not define`);
        continue;
      }
      const inline = asArray(known(at(list.props, "entries"))).map((e) => known(at(e, "cidr")));
      for (const c of [...inline, ...(this.prefixEntries.get(list) ?? [])]) {
        const r = typeof c === "string" ? parsed(c) : undefined;
        if (r) ranges.push(r);
      }
    }
    return { ranges, unknown };
  }
}

// The same few CIDRs recur across every rule of a stack: parse each once.
const parsedCidrs = new Map<string, IpRange | undefined>();
function parsed(cidr: string): IpRange | undefined {
  if (!parsedCidrs.has(cidr)) {
    if (parsedCidrs.size > 10_000) parsedCidrs.clear();
    parsedCidrs.set(cidr, parseIpRange(cidr));
  }
  return parsedCidrs.get(cidr);
}

const cache = new WeakMap<StackIndex, SecurityGroups>();

export function securityGroups(index: StackIndex): SecurityGroups {
  let sg = cache.get(index);
  if (!sg) {
    sg = new SecurityGroups(index);
    cache.set(index, sg);
  }
  return sg;
}

/** Is the whole internet (of one family) among these ranges: all public addresses together, or one range wider than any owner's? */
export function reachesInternet(ranges: readonly IpRange[]): { family: 4 | 6; how: string } | undefined {
  for (const family of [4, 6] as const) {
    const mine = ranges.filter((r) => r.family === family && holdsPublicAddresses(r));
    if (mine.length === 0) continue;
    const all = mine.find((r) => r.bits === 0);
    if (all) return { family, how: all.cidr };
    const wide = mine.find(widerThanAnyOwner);
    if (wide) return { family, how: `${wide.cidr} (wider than any one holder's addresses)` };
    if (publicAddressesLeftOut(mine, family).length === 0) {
      const shown = mine.filter(holdsPublicAddresses).map((r) => r.cidr);
      return { family, how: `${shown.slice(0, 4).join(" + ")}${shown.length > 4 ? ` and ${shown.length - 4} more` : ""} (together every public ${familyName(family)} address)` };
    }
  }
  return undefined;
}

export function holdsPublic(ranges: readonly IpRange[]): boolean {
  return ranges.some(holdsPublicAddresses);
}

export interface Opening {
  /** e.g. "tcp/18789", "all protocols", "tcp on every port". */
  what: string;
  family: 4 | 6;
  how: string;
  /** The rules that let it through: a smallest set that still does. */
  rules: SgRule[];
}

/**
 * The rules to blame: each that opens the way on its own, else a smallest set that does together
 * (drop rules one by one while `stillOpen` holds without them).
 */
function needed(rules: SgRule[], stillOpen: (without: ReadonlySet<SgRule>) => boolean): SgRule[] {
  const alone = rules.filter((r) => stillOpen(new Set(rules.filter((x) => x !== r))));
  if (alone.length > 0) return alone;
  const dropped = new Set<SgRule>();
  for (const r of rules) {
    dropped.add(r);
    if (!stillOpen(dropped)) dropped.delete(r);
  }
  return rules.filter((r) => !dropped.has(r));
}

const EVERYTHING = [parseIpRange("0.0.0.0/0") as IpRange, parseIpRange("::/0") as IpRange];

/** A rule covers (protocol, port)? */
function covers(r: SgRule, protocol: string, port: number): boolean {
  if (allProtocols(r)) return true;
  if (r.protocol !== protocol) return false;
  return (r.fromPort ?? 0) <= port && port <= (r.toPort ?? 65535);
}

/**
 * Where the internet gets in (ingress) through these rules: at each rule's first port, the union of
 * every rule covering that port. `unknownAs` decides what an unseen prefix list holds: nothing, or
 * everything (to tell a pass from a blind spot).
 */
export function ingressOpenings(sg: SecurityGroups, rules: readonly SgRule[], unknownAs: "nothing" | "everything"): { openings: Opening[]; unknown: string[] } {
  const mine = rules.filter((r) => r.direction === "ingress").map((r) => ({ r, s: sg.sources(r) }));
  const rangesOf = (x: { s: Sources }) => (x.s.unknown.length > 0 && unknownAs === "everything" ? [...x.s.ranges, ...EVERYTHING] : x.s.ranges);
  const openings: Opening[] = [];
  const seen = new Set<string>();
  for (const { r } of mine) {
    const protocol = allProtocols(r) ? "-1" : r.protocol;
    const port = r.fromPort ?? 0;
    const covering = mine.filter((x) => (protocol === "-1" ? allProtocols(x.r) : covers(x.r, protocol, port)));
    const hit = reachesInternet(covering.flatMap(rangesOf));
    if (!hit) continue;
    const candidates = covering.filter((x) => holdsPublic(rangesOf(x))).map((x) => x.r);
    const through = needed(candidates, (without) => reachesInternet(covering.filter((x) => !without.has(x.r)).flatMap(rangesOf)) !== undefined);
    const what = protocol === "-1" ? "all protocols" : describePorts(r);
    const key = `${what}|${through.map((t) => `${t.resource?.urn}:${t.where}`).join(",")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    openings.push({ what, family: hit.family, how: hit.how, rules: through });
  }
  return { openings, unknown: [...new Set(mine.flatMap((x) => x.s.unknown))] };
}

/**
 * Does egress reach the internet on every port of tcp or udp (or on all protocols)? The port space is
 * cut at every rule's bounds; each piece must be open to the internet through the rules covering it.
 */
export function unrestrictedEgress(sg: SecurityGroups, rules: readonly SgRule[], unknownAs: "nothing" | "everything"): { opening?: Opening; unknown: string[] } {
  const mine = rules.filter((r) => r.direction === "egress").map((r) => ({ r, s: sg.sources(r) }));
  const rangesOf = (x: { s: Sources }) => (x.s.unknown.length > 0 && unknownAs === "everything" ? [...x.s.ranges, ...EVERYTHING] : x.s.ranges);
  const unknown = [...new Set(mine.flatMap((x) => x.s.unknown))];
  // Open on every port of `protocol` through `set`? Returns how (for the first piece), or undefined.
  const openThrough = (set: typeof mine, protocol: string): { family: 4 | 6; how: string } | undefined => {
    const cuts = new Set<number>([0, 65536]);
    for (const { r } of set) {
      if (allProtocols(r)) continue;
      cuts.add(Math.max(0, r.fromPort ?? 0));
      cuts.add(Math.min(65536, (r.toPort ?? 65535) + 1));
    }
    const bounds = [...cuts].sort((a, b) => a - b);
    let first: { family: 4 | 6; how: string } | undefined;
    for (let i = 0; i + 1 < bounds.length; i++) {
      const hit = reachesInternet(set.filter((x) => covers(x.r, protocol, bounds[i])).flatMap(rangesOf));
      if (!hit) return undefined;
      first ??= hit;
    }
    return first;
  };
  for (const protocol of ["tcp", "udp"]) {
    const relevant = mine.filter((x) => allProtocols(x.r) || x.r.protocol === protocol);
    const hit = openThrough(relevant, protocol);
    if (!hit) continue;
    const candidates = relevant.filter((x) => holdsPublic(rangesOf(x))).map((x) => x.r);
    const through = needed(candidates, (without) => openThrough(relevant.filter((x) => !without.has(x.r)), protocol) !== undefined);
    const all = through.every(allProtocols);
    return { opening: { what: all ? "all protocols" : `${protocol} on every port`, family: hit.family, how: hit.how, rules: through }, unknown };
  }
  return { unknown };
}

