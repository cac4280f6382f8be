// Protects: the host from the internet. A host with a public address is one security-group edit away
// from being reachable by anyone; an agent host belongs in a private subnet behind NAT.
// Question: does a host that can run the gateway get an internet address? Its own setting, else its
// launch template's network interface, else its subnet's mapPublicIpOnLaunch (no subnet at all: a
// default subnet, which maps one), elastic IPs and associations, ECS tasks with assignPublicIp,
// Elastic Beanstalk, Lightsail (always public); and a global IPv6 address (its own, its template's or
// interface's IPv6 settings, or a subnet that assigns IPv6 on creation) in a subnet whose route table
// sends IPv6 to an internet gateway (an egress-only gateway is the IPv6 way out). The one accepted exception, the kit's own cheap
// "public-egress" mode: a public IPv4 used only for egress, where every group of the host admits
// nothing from outside private address space and a VPC flow log records all its traffic
// (config allowWatchedEgressOnlyAddress: 0 turns the exception off).
// Checklist: "Network restrictions in place"; best practice 3, network segmentation and isolation.
// Fix: a private subnet with a NAT gateway; associatePublicIpAddress: false; no elastic IP on the host; IPv6 via an egress-only gateway.
import { beanstalkPublic, elasticIpTargets, flowLogged, netHosts, type NetHost } from "../lib/hosts";
import { COMPUTE, LAUNCH_TYPES } from "../lib/launches";
import { holdsPublic, securityGroups, type SgGroup } from "../lib/securityGroups";
import { label, stackIndex, throwBlind, type StackIndex } from "../lib/stackIndex";
import type { StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";

/** Why a public IPv4 on this host is not accepted as egress-only; undefined when it is (closed inbound, flow-logged). */
function notEgressOnly(index: StackIndex, host: NetHost): string | undefined {
  let groups: SgGroup[];
  try {
    groups = host.groups().value;
  } catch (e) {
    if (e instanceof CannotJudge) return `its inbound cannot be seen (${e.what})`;
    throw e;
  }
  const sg = securityGroups(index);
  for (const g of groups) {
    if (!g.complete) return `${g.label} may hold rules the program does not show`;
    for (const r of g.rules.filter((x) => x.direction === "ingress")) {
      const s = sg.sources(r);
      if (s.unknown.length > 0) return `${g.label} admits ${s.unknown[0]}`;
      if (holdsPublic(s.ranges)) return `${g.label} admits public addresses (${r.where})`;
    }
  }
  const placement = host.placement();
  if (!flowLogged(index, placement)) return "no VPC flow log records all of its traffic";
  return undefined;
}

export const noPublicAddress: StackRule = {
  kind: "stack",
  name: "no-public-address",
  description:
    "No host that can run the gateway gets an internet address: instances, spot requests, launch templates and configurations, ASGs and fleets (through their subnets), elastic IPs, ECS tasks, Elastic Beanstalk, Lightsail; and no host gets a global IPv6 address in a subnet that routes IPv6 to an internet gateway (egress-only gateways are fine). Accepted: a public IPv4 used only for egress, on a host whose security groups admit nothing from outside private address space and whose VPC has a flow log of all traffic (the kit's public-egress mode).",
  protects: "the agent host from being one rule change away from the whole internet",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Put the host in a private subnet behind a NAT gateway (associatePublicIpAddress: false, mapPublicIpOnLaunch: false, assignPublicIp: false, no elastic IP; IPv6 through an ec2.EgressOnlyInternetGateway, never an internet gateway route); or, for IPv4 egress only, admit nothing from outside the VPC in its security groups and record the VPC's traffic with an ec2.FlowLog (trafficType ALL).",
  configSchema: {
    allowWatchedEgressOnlyAddress: { type: "integer", default: 1, minimum: 0, maximum: 1, description: "1: accept a public IPv4 on a host whose inbound is closed to the internet and whose VPC traffic a flow log records (egress only); 0: no public address at all." },
  },
  resourceTypes: [...LAUNCH_TYPES, COMPUTE.lightsail, "aws:ecs/service:Service", "aws:ecs/taskSet:TaskSet", "aws:ec2/eip:Eip", "aws:ec2/eipAssociation:EipAssociation"],
  judges: "hosts (instances, spot requests, ASGs, fleets, EKS/Batch nodes, ECS tasks, Beanstalk, Lightsail) and the elastic IPs on them",
  appliesTo(resources) {
    const index = stackIndex(resources);
    return netHosts(index).length > 0 || index.has(COMPUTE.beanstalk, COMPUTE.lightsail) || elasticIpTargets(index).length > 0;
  },
  validateStack(resources, config) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    const exception = (host: NetHost): string | undefined => (config.allowWatchedEgressOnlyAddress === 1 ? notEgressOnly(index, host) : "no public address is accepted (allowWatchedEgressOnlyAddress 0)");
    const hosts = netHosts(index);
    for (const host of hosts) {
      try {
        const pub = host.publicAddress();
        const why = pub.value ? exception(host) : undefined;
        if (why !== undefined) out.push({ urn: host.at.urn, message: `${host.what} gets a public IPv4 address (${pub.because}), and ${why}` });
      } catch (e) {
        if (e instanceof CannotJudge) blind.push(e);
        else throw e;
      }
      try {
        // No egress-only exception: IPv6 egress has its own gateway (EgressOnlyInternetGateway) that admits nothing inbound.
        const v6 = host.publicIpv6();
        if (v6.value) out.push({ urn: host.at.urn, message: `${host.what} gets a global IPv6 address reachable from the internet (${v6.because}); route ::/0 to an egress-only internet gateway instead` });
      } catch (e) {
        if (e instanceof CannotJudge) blind.push(e);
        else throw e;
      }
    }
    for (const { eip, host } of elasticIpTargets(index)) {
      const net = hosts.find((h) => h.at === host);
      const why = net ? exception(net) : "its network cannot be followed";
      if (why !== undefined) out.push({ urn: eip.urn, message: `${label(eip)} gives ${label(host)} a public IPv4 address, and ${why}` });
    }
    for (const env of index.of(COMPUTE.beanstalk)) {
      const pub = beanstalkPublic(env);
      if (pub.value) out.push({ urn: env.urn, message: `${label(env)}: its hosts get public IPv4 addresses (${pub.because})` });
    }
    for (const l of index.of(COMPUTE.lightsail)) out.push({ urn: l.urn, message: `${label(l)}: a Lightsail instance always has a public address, outside any VPC flow log` });
    throwBlind(blind);
    return out;
  },
};
