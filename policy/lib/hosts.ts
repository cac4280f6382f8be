// The network side of every host a program starts: which security groups it really gets (its own,
// else its template's, else its VPC's default group), which subnets it lands in, and whether it gets
// a public address (its own setting, else its template's network interface, else the subnet's
// mapPublicIpOnLaunch; no subnet at all means a default subnet, which maps one), plus elastic IPs.
import { COMPUTE, beanstalkSettings, decide, launches, resolveTemplate, type Launch, type Layer } from "./launches";
import { UNKNOWN, type Known } from "./references";
import { securityGroups, SG_TYPES, type SgGroup } from "./securityGroups";
import { at, flag, items, known, label, type StackIndex } from "./stackIndex";
import type { StackResource } from "./types";
import { CannotJudge } from "./unknown";
import { asArray, isRecord } from "./values";

export const NET = {
  subnet: "aws:ec2/subnet:Subnet",
  defaultSubnet: "aws:ec2/defaultSubnet:DefaultSubnet",
  vpc: SG_TYPES.vpc,
  defaultVpc: "aws:ec2/defaultVpc:DefaultVpc",
  flowLog: "aws:ec2/flowLog:FlowLog",
  eip: "aws:ec2/eip:Eip",
  eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
  networkInterface: "aws:ec2/networkInterface:NetworkInterface",
  networkInterfaceAttachment: "aws:ec2/networkInterfaceAttachment:NetworkInterfaceAttachment",
  ecsService: "aws:ecs/service:Service",
  ecsTaskSet: "aws:ecs/taskSet:TaskSet",
  routeTable: "aws:ec2/routeTable:RouteTable",
  defaultRouteTable: "aws:ec2/defaultRouteTable:DefaultRouteTable",
  route: "aws:ec2/route:Route",
  routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  mainRouteTableAssociation: "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
  internetGateway: "aws:ec2/internetGateway:InternetGateway",
} as const;

/** A verdict with the reason a message can quote. */
export interface Because<T> {
  value: T;
  because: string;
}

export interface NetHost {
  at: StackResource;
  what: string;
  /** The groups the host's network interface gets (CannotJudge when only the account knows). */
  groups(): Because<SgGroup[]>;
  /** Whether it gets a public IPv4 address by launching (elastic IPs aside). */
  publicAddress(): Because<boolean>;
  /** Whether it gets an IPv6 address (every AWS IPv6 address is global) in a subnet that routes IPv6 to an internet gateway. */
  publicIpv6(): Because<boolean>;
  /** The VPCs and subnets it lands in, as far as the program says (for flow logs). */
  placement(): { vpcs: Array<StackResource | string>; subnets: StackResource[] };
}

const SUBNETS = [NET.subnet, NET.defaultSubnet];

function subnetOf(index: StackIndex, from: StackResource, ref: Known<unknown>): StackResource | undefined {
  return index.resolve(from, ref, SUBNETS, ["id", "arn"])[0];
}

const refName = (ref: Known<unknown>) => (ref === UNKNOWN ? "(not known yet)" : String(ref));

/** Does a subnet give launched hosts a public IPv4? AWS's default subnets do; subnets a program creates do not unless asked. */
const DEFAULT_SUBNET = "it names no subnet, so AWS launches it in a default subnet of the default VPC, which maps a public IPv4";

function subnetMapsPublic(index: StackIndex, from: StackResource, ref: Known<unknown>): Because<boolean> {
  const s = subnetOf(index, from, ref);
  // Not known yet and from no resource of the program: AWS picks it, a default subnet.
  if (!s && ref === UNKNOWN) return { value: true, because: DEFAULT_SUBNET };
  if (!s) throw new CannotJudge(`whether subnet ${refName(ref)} maps a public IPv4 on launch (the program does not define it)`, label(from));
  const v = flag(known(at(s.props, "mapPublicIpOnLaunch")));
  const mapped = v ?? s.type === NET.defaultSubnet;
  return { value: mapped, because: mapped ? `${label(s)} maps a public IPv4 on launch` : `${label(s)} maps no public IPv4` };
}

function vpcOfSubnet(index: StackIndex, s: StackResource): StackResource | string | undefined {
  const id = at(s.props, "vpcId");
  const vpc = index.resolve(s, id, [NET.vpc, NET.defaultVpc], ["id"])[0];
  return vpc ?? (typeof id === "string" ? id : undefined);
}


/** Group references a layer names (ids or names), in any of the fields launch resources use. */
function layerGroupRefs(layer: Layer): Array<{ ref: Known<unknown>; byName: boolean }> {
  const p = layer.props;
  const list = (key: string, byName = false) => items(at(p, key)).map((ref) => ({ ref, byName }));
  switch (layer.kind) {
    case "instance":
    case "spot-spec":
      return [...list("vpcSecurityGroupIds"), ...list("securityGroups", true)];
    case "template":
      return [
        ...list("vpcSecurityGroupIds"),
        ...list("securityGroupNames", true),
        ...asArray(known(at(p, "networkInterfaces"))).flatMap((ni) => items(at(ni, "securityGroups")).map((ref) => ({ ref, byName: false }))),
      ];
    case "configuration":
      return list("securityGroups");
  }
}

/** The network interface a template gives device 0 (or its first). */
function primaryInterface(layer: Layer): Record<string, unknown> | undefined {
  const nis = asArray(known(at(layer.props, "networkInterfaces"))).filter(isRecord);
  return nis.find((n) => Number(known(at(n, "deviceIndex")) ?? 0) === 0) ?? nis[0];
}

/** The subnet a layer names, if any. */
function layerSubnet(layer: Layer): Known<unknown> {
  if (layer.kind === "template") return at(primaryInterface(layer), "subnetId");
  if (layer.kind === "configuration") return undefined;
  return at(layer.props, "subnetId");
}

function groupsFrom(index: StackIndex, at0: StackResource, refs: Array<{ ref: Known<unknown>; byName: boolean }>): SgGroup[] {
  const sg = securityGroups(index);
  return refs.map(({ ref, byName }) => {
    const g = sg.resolve(at0, ref, byName);
    if (!g) throw new CannotJudge(`the rules of security group ${refName(ref)} (the program does not define it)`, label(at0));
    return g;
  });
}

/**
 * The default group of the VPC a host lands in, from its subnets (none: the default VPC). A VPC the
 * program does not define keeps AWS's rules, unless the program adopts the default group of some VPC
 * it does not define: then which VPC the host is in decides, and only the account knows.
 */
function defaultGroupOf(index: StackIndex, from: StackResource, subnetRefs: Known<unknown>[], what: string): Because<SgGroup[]> {
  const sg = securityGroups(index);
  const vpcs = new Set<StackResource | string>();
  const outside: string[] = [];
  for (const ref of subnetRefs) {
    const s = subnetOf(index, from, ref);
    const vpc = s ? vpcOfSubnet(index, s) : undefined;
    if (vpc !== undefined) vpcs.add(vpc);
    else if (!s && ref === UNKNOWN) outside.push("the default VPC");
    else outside.push(s ? `the VPC of ${label(s)}` : `the VPC of subnet ${refName(ref)}`);
  }
  if (subnetRefs.length === 0) outside.push("the default VPC");
  if (outside.length > 0) {
    const adoptedElsewhere = index.of(SG_TYPES.defaultGroup).some((d) => index.resolve(d, at(d.props, "vpcId"), [NET.vpc, NET.defaultVpc], ["id"]).length === 0);
    if (adoptedElsewhere) throw new CannotJudge(`which default security group ${what} gets: it lands in ${outside.join(", ")}, and the program adopts the default group of a VPC it does not define`, label(from));
  }
  const groups = [...[...vpcs].map((v) => sg.defaultGroup(v)), ...outside.map((o) => sg.defaultGroup(o))];
  return { value: groups, because: `it names no security group, so it gets ${groups.map((g) => g.label).join(", ")}` };
}

/** The program's network interfaces an instance attaches (networkInterfaces[].networkInterfaceId). */
function attachedInterfaces(index: StackIndex, launch: Launch): StackResource[] {
  const own = launch.layers[0];
  if (!own || own.kind !== "instance") return [];
  return asArray(known(at(own.props, "networkInterfaces"))).flatMap((ni) => index.resolve(launch.at, at(ni, "networkInterfaceId"), [NET.networkInterface], ["id"]));
}

/** What of `obj` (an instance, spot request, template interface or network interface) asks for an IPv6 address. */
function asksIpv6(obj: unknown): string | undefined {
  const count = (k: string) => Number(known(at(obj, k)) ?? 0);
  for (const k of ["ipv6AddressCount", "ipv6PrefixCount"]) if (count(k) > 0) return `${k} ${count(k)}`;
  for (const k of ["ipv6Addresses", "ipv6AddressList", "ipv6Prefixes"]) if (items(at(obj, k)).length > 0) return k;
  for (const k of ["enablePrimaryIpv6", "primaryIpv6", "ipv6AddressListEnabled"]) if (flag(known(at(obj, k))) === true) return k;
  return undefined;
}

/** A subnet that gives every interface created in it an IPv6 address. */
function subnetAssignsIpv6(s: StackResource): string | undefined {
  if (flag(known(at(s.props, "assignIpv6AddressOnCreation"))) === true) return `${label(s)} assigns IPv6 addresses on creation`;
  if (flag(known(at(s.props, "ipv6Native"))) === true) return `${label(s)} is IPv6-only`;
  return undefined;
}

interface RouteIndex {
  /** Route tables each subnet is explicitly associated with; a string when the table is not the program's. */
  bySubnet: Map<StackResource, Array<StackResource | string>>;
  /** The main route table each VPC is given (MainRouteTableAssociation, DefaultRouteTable). */
  mainByVpc: Map<StackResource, StackResource>;
  /** Standalone routes per table. */
  routesByTable: Map<StackResource, StackResource[]>;
}

const routeCache = new WeakMap<StackIndex, RouteIndex>();
const TABLES = [NET.routeTable, NET.defaultRouteTable];

/** Route tables, associations and routes, indexed once per stack. */
function routeIndex(index: StackIndex): RouteIndex {
  const hit = routeCache.get(index);
  if (hit) return hit;
  const out: RouteIndex = { bySubnet: new Map(), mainByVpc: new Map(), routesByTable: new Map() };
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => m.set(k, [...(m.get(k) ?? []), v]);
  for (const a of index.of(NET.routeTableAssociation)) {
    const tableRef = at(a.props, "routeTableId");
    const tables = index.resolve(a, tableRef, TABLES, ["id"]);
    for (const s of index.resolve(a, at(a.props, "subnetId"), SUBNETS, ["id"])) {
      if (tables.length === 0) push(out.bySubnet, s, refName(tableRef));
      for (const t of tables) push(out.bySubnet, s, t);
    }
  }
  for (const m of index.of(NET.mainRouteTableAssociation)) {
    const t = index.resolve(m, at(m.props, "routeTableId"), TABLES, ["id"])[0];
    for (const v of index.resolve(m, at(m.props, "vpcId"), [NET.vpc, NET.defaultVpc], ["id"])) if (t) out.mainByVpc.set(v, t);
  }
  for (const d of index.of(NET.defaultRouteTable)) {
    for (const v of index.resolve(d, at(d.props, "defaultRouteTableId"), [NET.vpc, NET.defaultVpc], ["defaultRouteTableId", "mainRouteTableId"])) if (!out.mainByVpc.has(v)) out.mainByVpc.set(v, d);
  }
  for (const r of index.of(NET.route)) for (const t of index.resolve(r, at(r.props, "routeTableId"), TABLES, ["id"])) push(out.routesByTable, t, r);
  routeCache.set(index, out);
  return out;
}

/** Does a route target (gatewayId) name an internet gateway (not an egress-only one, which has its own field)? */
function isInternetGateway(index: StackIndex, from: StackResource, ref: Known<unknown>): boolean {
  if (ref === UNKNOWN) return index.resolve(from, UNKNOWN, [NET.internetGateway]).length > 0;
  return typeof ref === "string" && (ref.startsWith("igw-") || index.find([NET.internetGateway], ["id"], ref).length > 0);
}

/** The IPv6 route of `table` to an internet gateway, described; undefined when it has none. */
function ipv6InternetRoute(index: StackIndex, table: StackResource): string | undefined {
  for (const r of asArray(known(at(table.props, "routes")))) {
    const dest = known(at(r, "ipv6CidrBlock"));
    if (typeof dest === "string" && dest !== "" && isInternetGateway(index, table, at(r, "gatewayId"))) return `${label(table)} routes ${dest} to an internet gateway`;
  }
  for (const r of routeIndex(index).routesByTable.get(table) ?? []) {
    const dest = known(at(r.props, "destinationIpv6CidrBlock"));
    if (typeof dest === "string" && dest !== "" && isInternetGateway(index, r, at(r.props, "gatewayId"))) return `${label(r)} sends ${dest} from ${label(table)} to an internet gateway`;
  }
  return undefined;
}

/** Does the subnet route IPv6 to an internet gateway? Its associated table, else its VPC's main table (a new VPC's has local routes only). */
function subnetIpv6Internet(index: StackIndex, s: StackResource, what: string): string | undefined {
  const ri = routeIndex(index);
  const tables = ri.bySubnet.get(s);
  if (tables && tables.length > 0) {
    const outside = tables.find((t): t is string => typeof t === "string");
    if (outside !== undefined) throw new CannotJudge(`the routes of route table ${outside} that ${label(s)} uses (the program does not define it), which decide whether ${what}'s IPv6 address is reachable from the internet`, label(s));
    for (const t of tables as StackResource[]) {
      const r = ipv6InternetRoute(index, t);
      if (r) return r;
    }
    return undefined;
  }
  const vpc = vpcOfSubnet(index, s);
  if (vpc === undefined || typeof vpc === "string") throw new CannotJudge(`the main route table of the VPC of ${label(s)} (the program does not define the VPC), which decides whether ${what}'s IPv6 address is reachable from the internet`, label(s));
  const main = ri.mainByVpc.get(vpc);
  return main ? ipv6InternetRoute(index, main) : undefined;
}

/** The verdict for a host that lands in `subnets`: an IPv6 address (asked by `asked`, or by the subnet) and an internet route for it. */
function ipv6Verdict(index: StackIndex, holder: StackResource, subnetRefs: Known<unknown>[], asked: string | undefined, what: string): Because<boolean> {
  for (const ref of subnetRefs) {
    const s = subnetOf(index, holder, ref);
    if (!s) {
      if (asked) throw new CannotJudge(`whether subnet ${refName(ref)} routes IPv6 to an internet gateway (the program does not define it), and ${what} asks for an IPv6 address (${asked})`, label(holder));
      continue;
    }
    const why = asked ?? subnetAssignsIpv6(s);
    if (!why) continue;
    const route = subnetIpv6Internet(index, s, what);
    if (route) return { value: true, because: `${why}, and ${route}` };
  }
  return { value: false, because: "no IPv6 address with a route to an internet gateway" };
}

/** Where a host's groups come from when its launch names none (a service's own, e.g. EKS's cluster group). */
type FallbackGroups = () => Because<SgGroup[]> | undefined;

function launchHost(index: StackIndex, launch: Launch, subnetsOverride?: { refs: Known<unknown>[]; from: string }, fallback?: FallbackGroups): NetHost {
  const enis = attachedInterfaces(index, launch);
  // The subnets it lands in, and the resource that names them (under preview its dependencies say which).
  const subnetRefs = (): { refs: Known<unknown>[]; holder: StackResource } | undefined => {
    if (subnetsOverride && subnetsOverride.refs.length > 0) return { refs: subnetsOverride.refs, holder: launch.at };
    if (enis.length > 0) return { refs: enis.map((e) => at(e.props, "subnetId")), holder: enis[0] };
    const s = decide(launch, (l) => {
      const v = layerSubnet(l);
      return v === undefined ? undefined : v;
    });
    return s ? { refs: [s.value], holder: s.layer?.resource ?? launch.at } : undefined;
  };
  const subnets = () => {
    const refs = subnetRefs();
    return (refs?.refs ?? []).map((ref) => subnetOf(index, refs?.holder ?? launch.at, ref)).filter((s): s is StackResource => s !== undefined);
  };
  return {
    at: launch.at,
    what: launch.what,
    groups() {
      const own = decide(launch, (l) => {
        const refs = layerGroupRefs(l);
        return refs.length > 0 ? refs : undefined;
      });
      if (own) {
        // Under preview a reference not known yet is followed through the dependencies of the resource that holds it.
        const groups = groupsFrom(index, own.layer?.resource ?? launch.at, own.value);
        return { value: groups, because: `it gets ${groups.map((g) => g.label).join(", ")}` };
      }
      if (enis.length > 0) {
        const groups = groupsFrom(index, enis[0], enis.flatMap((e) => items(at(e.props, "securityGroups")).map((ref) => ({ ref, byName: false }))));
        if (groups.length > 0) return { value: groups, because: `it gets ${groups.map((g) => g.label).join(", ")} (from ${enis.map(label).join(", ")})` };
      }
      if (launch.missing) throw new CannotJudge(launch.missing, launch.what);
      const refs = subnetRefs();
      return fallback?.() ?? defaultGroupOf(index, refs?.holder ?? launch.at, refs?.refs ?? [], launch.what);
    },
    publicAddress() {
      // An attached interface that exists already gets no automatic public IPv4 (only an elastic IP).
      if (enis.length > 0) return { value: false, because: `it uses ${enis.map(label).join(", ")}` };
      const explicit = decide(launch, (l) => {
        if (l.kind === "template") return flag(known(at(primaryInterface(l), "associatePublicIpAddress")));
        return flag(known(at(l.props, "associatePublicIpAddress")));
      });
      if (explicit) {
        const refs = explicit.value ? subnetRefs() : undefined;
        const mapped = refs?.refs.map((ref) => subnetOf(index, refs.holder, ref)).find((s) => s !== undefined && (flag(known(at(s.props, "mapPublicIpOnLaunch"))) ?? s.type === NET.defaultSubnet));
        return { value: explicit.value, because: `associatePublicIpAddress is ${explicit.value} on ${explicit.source}${mapped ? `, as ${label(mapped)} maps one on launch` : ""}` };
      }
      if (launch.missing) throw new CannotJudge(launch.missing, launch.what);
      const refs = subnetRefs();
      if (!refs) return { value: true, because: DEFAULT_SUBNET };
      for (const ref of refs.refs) {
        const m = subnetMapsPublic(index, refs.holder, ref);
        if (m.value) return m;
      }
      return { value: false, because: "its subnets map no public IPv4" };
    },
    publicIpv6() {
      if (launch.missing) throw new CannotJudge(launch.missing, launch.what);
      if (enis.length > 0) {
        for (const e of enis) {
          const v = ipv6Verdict(index, e, [at(e.props, "subnetId")], asksIpv6(e.props), launch.what);
          if (v.value) return { value: true, because: `${label(e)}: ${v.because}` };
        }
        return { value: false, because: `its interfaces get no IPv6 address with an internet route` };
      }
      const asked = decide(launch, (l) => asksIpv6(l.kind === "template" ? primaryInterface(l) : l.props));
      const refs = subnetRefs();
      if (!refs) return { value: false, because: "a default subnet has no IPv6 range" };
      return ipv6Verdict(index, refs.holder, refs.refs, asked ? `${asked.value} on ${asked.source}` : undefined, launch.what);
    },
    placement() {
      const s = subnets();
      return { vpcs: s.map((x) => vpcOfSubnet(index, x)).filter((v): v is StackResource | string => v !== undefined), subnets: s };
    },
  };
}

/** Subnet references of a consumer (ASG, fleet, node group, Batch). */
function consumerSubnets(r: StackResource): Known<unknown>[] {
  switch (r.type) {
    case COMPUTE.autoscalingGroup:
      return items(at(r.props, "vpcZoneIdentifiers"));
    case COMPUTE.eksNodeGroup:
      return items(at(r.props, "subnetIds"));
    case COMPUTE.batch:
      return items(at(r.props, "computeResources", "subnets"));
    default:
      return [];
  }
}

const hostCache = new WeakMap<StackIndex, NetHost[]>();

/** Every host of the stack whose network a rule can follow. */
export function netHosts(index: StackIndex): NetHost[] {
  const hit = hostCache.get(index);
  if (hit) return hit;
  const out: NetHost[] = [];
  hostCache.set(index, out);
  const all = launches(index);
  // Instances, spot requests and spot fleet specifications are hosts; templates and configurations are judged where they are launched.
  for (const l of all) {
    if (l.generatedBy || l.layers.length === 0) continue;
    if (l.layers[0].kind === "instance" || l.layers[0].kind === "spot-spec") out.push(launchHost(index, l));
  }
  const viaTemplate = (r: StackResource, where: string, spec: unknown, subnets: Known<unknown>[]) => {
    const ref = resolveTemplate(index, r, spec);
    if (!ref) return;
    const layers: Layer[] = ref.template ? [{ kind: "template", props: ref.template.props, source: label(ref.template), resource: ref.template }] : [];
    out.push(launchHost(index, { at: r, what: `${label(r)} ${where}`, layers, missing: ref.missing }, { refs: subnets, from: label(r) }));
  };
  for (const g of index.of(COMPUTE.autoscalingGroup)) {
    const subnets = consumerSubnets(g);
    viaTemplate(g, "launchTemplate", known(at(g.props, "launchTemplate")), subnets);
    viaTemplate(g, "mixedInstancesPolicy", known(at(g.props, "mixedInstancesPolicy", "launchTemplate", "launchTemplateSpecification")), subnets);
    const lcRef = at(g.props, "launchConfiguration");
    if (lcRef !== undefined) {
      const lc = index.resolve(g, lcRef, [COMPUTE.launchConfiguration], ["name", "id", "arn"])[0];
      const layers: Layer[] = lc ? [{ kind: "configuration", props: lc.props, source: label(lc), resource: lc }] : [];
      out.push(launchHost(index, { at: g, what: `${label(g)} launchConfiguration`, layers, missing: lc ? undefined : `the settings of launch configuration ${refName(lcRef)}, which the program names but does not define` }, { refs: subnets, from: label(g) }));
    }
  }
  for (const f of index.of(COMPUTE.fleet, COMPUTE.spotFleet)) {
    asArray(known(at(f.props, "launchTemplateConfigs"))).forEach((c, i) => {
      const subnets = asArray(known(at(c, "overrides"))).map((o) => at(o, "subnetId")).filter((v) => v !== undefined);
      viaTemplate(f, `launchTemplateConfigs[${i}]`, known(at(c, "launchTemplateSpecification")), subnets);
    });
  }
  for (const n of index.of(COMPUTE.eksNodeGroup, COMPUTE.batch)) {
    const eks = n.type === COMPUTE.eksNodeGroup;
    const spec = eks ? known(at(n.props, "launchTemplate")) : known(at(n.props, "computeResources", "launchTemplate"));
    // Without groups of their own, EKS nodes get the cluster security group EKS creates; Batch hosts, the compute environment's.
    const fallback: FallbackGroups = () => {
      if (eks) return { value: [securityGroups(index).eksClusterGroup()], because: "it names no security group, so EKS gives its nodes the cluster security group" };
      const refs = items(at(n.props, "computeResources", "securityGroupIds")).map((ref) => ({ ref, byName: false }));
      if (refs.length === 0) return undefined;
      const groups = groupsFrom(index, n, refs);
      return { value: groups, because: `it gets ${groups.map((g) => g.label).join(", ")}` };
    };
    const ref = resolveTemplate(index, n, spec);
    const layers: Layer[] = ref?.template ? [{ kind: "template", props: ref.template.props, source: label(ref.template), resource: ref.template }] : [];
    out.push(launchHost(index, { at: n, what: ref ? `${label(n)} launchTemplate` : label(n), layers, missing: ref?.missing }, { refs: consumerSubnets(n), from: label(n) }, fallback));
  }
  for (const s of index.of(NET.ecsService, NET.ecsTaskSet)) {
    const nc = known(at(s.props, "networkConfiguration"));
    if (!isRecord(nc)) continue;
    const subnets = items(at(nc, "subnets"));
    out.push({
      at: s,
      what: label(s),
      groups() {
        const refs = items(at(nc, "securityGroups")).map((ref) => ({ ref, byName: false }));
        if (refs.length > 0) {
          const groups = groupsFrom(index, s, refs);
          return { value: groups, because: `it gets ${groups.map((g) => g.label).join(", ")}` };
        }
        return defaultGroupOf(index, s, subnets, label(s));
      },
      publicAddress() {
        const v = flag(known(at(nc, "assignPublicIp")));
        return { value: v === true, because: v === true ? "networkConfiguration.assignPublicIp is true" : "assignPublicIp is off" };
      },
      publicIpv6() {
        return ipv6Verdict(index, s, subnets, undefined, label(s));
      },
      placement() {
        const found = subnets.map((ref) => subnetOf(index, s, ref)).filter((x): x is StackResource => x !== undefined);
        return { vpcs: found.map((x) => vpcOfSubnet(index, x)).filter((v): v is StackResource | string => v !== undefined), subnets: found };
      },
    });
  }
  return out;
}

/** Elastic Beanstalk: does the environment give its hosts public addresses? */
export function beanstalkPublic(env: StackResource): Because<boolean> {
  const s = beanstalkSettings(env);
  const assoc = flag(s.get("aws:ec2:vpc:AssociatePublicIpAddress"));
  if (assoc !== undefined) return { value: assoc, because: `aws:ec2:vpc AssociatePublicIpAddress is ${assoc}` };
  if (s.get("aws:ec2:vpc:VPCId") === undefined) return { value: true, because: "no aws:ec2:vpc VPCId, so the hosts land in the default VPC's subnets, which map public IPv4s" };
  return { value: false, because: "its subnets decide" };
}

/** The hosts an elastic IP (or association) gives a public address, with how. */
export function elasticIpTargets(index: StackIndex): Array<{ eip: StackResource; host: StackResource }> {
  const hosts = [COMPUTE.instance, COMPUTE.spotRequest];
  const out: Array<{ eip: StackResource; host: StackResource }> = [];
  const byEni = (from: StackResource, ref: Known<unknown>): StackResource[] => {
    if (ref === undefined) return [];
    const direct = index.resolve(from, ref, hosts, ["primaryNetworkInterfaceId"]);
    if (direct.length > 0) return direct;
    const enis = index.resolve(from, ref, [NET.networkInterface], ["id"]);
    return enis.flatMap((eni) => [
      ...asArray(known(at(eni.props, "attachments"))).flatMap((a) => index.resolve(eni, at(a, "instance"), hosts, ["id"])),
      ...index.of(NET.networkInterfaceAttachment).filter((att) => index.resolve(att, at(att.props, "networkInterfaceId"), [NET.networkInterface], ["id"]).includes(eni)).flatMap((att) => index.resolve(att, at(att.props, "instanceId"), hosts, ["id"])),
    ]);
  };
  for (const e of index.of(NET.eip)) {
    for (const h of [...index.resolve(e, at(e.props, "instance"), hosts, ["id", "spotInstanceId"]), ...byEni(e, at(e.props, "networkInterface"))]) out.push({ eip: e, host: h });
  }
  for (const a of index.of(NET.eipAssociation)) {
    for (const h of [...index.resolve(a, at(a.props, "instanceId"), hosts, ["id", "spotInstanceId"]), ...byEni(a, at(a.props, "networkInterfaceId"))]) out.push({ eip: a, host: h });
  }
  return out;
}

/** Is traffic of these VPCs or subnets recorded by a flow log that captures everything? */
export function flowLogged(index: StackIndex, placement: { vpcs: Array<StackResource | string>; subnets: StackResource[] }): StackResource | undefined {
  for (const f of index.of(NET.flowLog)) {
    if (known(at(f.props, "trafficType")) !== "ALL") continue;
    const vpcRef = at(f.props, "vpcId");
    const subnetRef = at(f.props, "subnetId");
    for (const v of placement.vpcs) {
      if (typeof v === "string" ? vpcRef === v : index.resolve(f, vpcRef, [v.type], ["id"]).includes(v)) return f;
    }
    for (const s of placement.subnets) if (index.resolve(f, subnetRef, [s.type], ["id"]).includes(s)) return f;
  }
  return undefined;
}
