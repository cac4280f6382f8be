// Protects: the host from the internet. Nothing outside the VPC reaches it; operators come in over
// Tailscale or SSM, never through an open port.
// Question: can the internet open a connection to anything of the program? Security groups in every
// resource form (IPv4 and IPv6, port ranges, sets of CIDRs that together cover the internet within a
// group, managed prefix lists with their entries), Lightsail firewalls (default: 22 and 80 to all),
// EKS node groups' SSH remote access (no source group: 22 to all), internet-facing load balancers in
// front of a host of the program or of the gateway port, App Runner services on a public URL, Lightsail
// container services' public endpoints and domains, Lightsail load balancers and distributions.
// Checklist: "Network restrictions in place"; best practice 3, network segmentation and isolation.
// Fix: remove the rule, or narrow its source to the VPC or a known range; use SSM Session Manager or Tailscale.
import { OPENCLAW_DEFAULT_GATEWAY_PORT } from "../../stacks/pins";
import { COMPUTE } from "../lib/launches";
import { UNKNOWN } from "../lib/references";
import { SG_RULE_TYPES, familyName, ingressOpenings, securityGroups, type SgRule } from "../lib/securityGroups";
import { at, flag, items, known, label, stackIndex, throwBlind, type StackIndex } from "../lib/stackIndex";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { asArray, isRecord } from "../lib/values";

const LB = {
  lb: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
  classic: "aws:elb/loadBalancer:LoadBalancer",
  classicAttachment: "aws:elb/attachment:Attachment",
  listener: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
  listenerRule: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
  targetGroup: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
  attachment: ["aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:alb/targetGroupAttachment:TargetGroupAttachment"],
  asgAttachment: "aws:autoscaling/attachment:Attachment",
  ecsService: "aws:ecs/service:Service",
};
const LIGHTSAIL_PORTS = "aws:lightsail/instancePublicPorts:InstancePublicPorts";
const APP_RUNNER = "aws:apprunner/service:Service";
/** Lightsail's managed front ends: each serves on a public address, with no security group in front. */
const LIGHTSAIL_PUBLIC = {
  containerService: "aws:lightsail/containerService:ContainerService",
  deployment: "aws:lightsail/containerServiceDeploymentVersion:ContainerServiceDeploymentVersion",
  lb: "aws:lightsail/lb:Lb",
  distribution: "aws:lightsail/distribution:Distribution",
};
const HOSTS = [COMPUTE.instance, COMPUTE.spotRequest];

const ruleName = (r: SgRule) => (r.resource ? `${label(r.resource)}${r.where === "rule" ? "" : ` ${r.where}`}` : r.where);

function securityGroupFindings(index: StackIndex, out: StackViolation[], blind: CannotJudge[]): void {
  const sg = securityGroups(index);
  for (const group of sg.groups) {
    const { openings } = ingressOpenings(sg, group.rules, "nothing");
    for (const o of openings) {
      const message = `${group.label}: ingress ${o.what} from ${o.how}, the whole ${familyName(o.family)} internet, through ${o.rules.map(ruleName).join(" and ")}`;
      for (const r of o.rules) out.push({ urn: r.resource?.urn ?? group.resource?.urn ?? "", message });
    }
    if (openings.length === 0) {
      const worst = ingressOpenings(sg, group.rules, "everything");
      if (worst.openings.length > 0) blind.push(new CannotJudge(worst.unknown.join("; "), group.label));
    }
  }
}

/** Lightsail firewalls: the ports an instance opens, and to whom (no CIDRs given: everyone). */
function lightsailFindings(index: StackIndex, out: StackViolation[]): void {
  const ports = index.of(LIGHTSAIL_PORTS);
  for (const inst of index.of(COMPUTE.lightsail)) {
    const mine = ports.filter((p) => index.resolve(p, at(p.props, "instanceName"), [COMPUTE.lightsail], ["name", "id"]).includes(inst));
    if (mine.length === 0) {
      out.push({ urn: inst.urn, message: `${label(inst)}: with no InstancePublicPorts, Lightsail's default firewall opens 22 and 80 to everyone` });
      continue;
    }
    for (const p of mine) {
      asArray(known(at(p.props, "portInfos"))).forEach((info, i) => {
        const cidrs = [...asArray(known(at(info, "cidrs"))), ...asArray(known(at(info, "ipv6Cidrs")))].filter((c): c is string => typeof c === "string");
        const aliases = asArray(known(at(info, "cidrListAliases")));
        const everyone = (cidrs.length === 0 && aliases.length === 0) || cidrs.some((c) => /\/0$/.test(c.trim()) || /^(0\.0\.0\.0|::)\/[0-7]$/.test(c.trim()));
        if (everyone) {
          const ports = `${String(known(at(info, "protocol")) ?? "tcp")}/${String(known(at(info, "fromPort")))}-${String(known(at(info, "toPort")))}`;
          out.push({ urn: p.urn, message: `${label(p)} portInfos[${i}]: ${ports} open to everyone on ${label(inst)}` });
        }
      });
    }
  }
}

/** Lightsail container services (a deployment's publicEndpoint, or custom public domains), load balancers and distributions: always public. */
function lightsailFrontEnds(index: StackIndex, out: StackViolation[], blind: CannotJudge[]): void {
  const deployments = index.of(LIGHTSAIL_PUBLIC.deployment);
  for (const d of deployments) {
    const endpoint = at(d.props, "publicEndpoint");
    if (endpoint === UNKNOWN) blind.push(new CannotJudge(`the publicEndpoint of ${label(d)}`));
    else if (isRecord(known(endpoint))) out.push({ urn: d.urn, message: `${label(d)}: publicEndpoint serves container ${String(known(at(endpoint, "containerName")) ?? "?")} port ${String(known(at(endpoint, "containerPort")) ?? "?")} on the container service's public https URL` });
  }
  for (const svc of index.of(LIGHTSAIL_PUBLIC.containerService)) {
    if (isRecord(known(at(svc.props, "publicDomainNames")))) out.push({ urn: svc.urn, message: `${label(svc)}: publicDomainNames put the container service on public domains` });
    // A service deployed outside the program (CLI, CI) may publish anything: only a deployment here can be judged.
    const mine = deployments.filter((d) => index.resolve(d, at(d.props, "serviceName"), [LIGHTSAIL_PUBLIC.containerService], ["name", "id"]).includes(svc));
    if (mine.length === 0 && flag(known(at(svc.props, "isDisabled"))) !== true) blind.push(new CannotJudge(`what ${label(svc)} publishes: the program deploys no ContainerServiceDeploymentVersion to it, and a deployment made elsewhere may set a publicEndpoint`));
  }
  for (const lb of index.of(LIGHTSAIL_PUBLIC.lb)) out.push({ urn: lb.urn, message: `${label(lb)}: a Lightsail load balancer is always internet-facing` });
  for (const d of index.of(LIGHTSAIL_PUBLIC.distribution)) out.push({ urn: d.urn, message: `${label(d)}: a Lightsail distribution serves its origin to the internet` });
}

function eksFindings(index: StackIndex, out: StackViolation[]): void {
  for (const n of index.of(COMPUTE.eksNodeGroup)) {
    const key = known(at(n.props, "remoteAccess", "ec2SshKey"));
    const sources = items(at(n.props, "remoteAccess", "sourceSecurityGroupIds"));
    if (typeof key === "string" && key !== "" && sources.length === 0) {
      out.push({ urn: n.urn, message: `${label(n)}: remoteAccess with an SSH key and no sourceSecurityGroupIds, so EKS opens port 22 on every node to 0.0.0.0/0` });
    }
  }
}

/** Target groups a listener (or listener rule) forwards to. */
function forwardedGroups(index: StackIndex, from: StackResource, actions: unknown): StackResource[] {
  const out: StackResource[] = [];
  for (const a of asArray(known(actions))) {
    if (!isRecord(a)) continue;
    const refs = [at(a, "targetGroupArn"), ...asArray(known(at(a, "forward", "targetGroups"))).map((t) => at(t, "arn"))];
    for (const ref of refs) if (ref !== undefined) out.push(...index.resolve(from, ref, LB.targetGroup, ["arn", "id"]));
  }
  return out;
}

/** What a target group sends traffic to, among the program's hosts, and the ports it uses. */
function targetsOf(index: StackIndex, tg: StackResource): { hosts: StackResource[]; ports: number[] } {
  const hosts: StackResource[] = [];
  const ports: number[] = [];
  const port = known(at(tg.props, "port"));
  if (typeof port === "number") ports.push(port);
  const handles = ["arn", "id"].map((k) => known(at(tg.props, k))).filter((v): v is string => typeof v === "string");
  const attachments = new Set([...handles.flatMap((h) => index.find(LB.attachment, ["targetGroupArn"], h)), ...index.of(...LB.attachment).filter((a) => at(a.props, "targetGroupArn") === UNKNOWN && a.dependencies.includes(tg.urn))]);
  for (const att of attachments) {
    const p = known(at(att.props, "port"));
    if (typeof p === "number") ports.push(p);
    const target = at(att.props, "targetId");
    const byId = index.resolve(att, target, HOSTS, ["id"]);
    // An IP target names a host by its private address; the dependency says which host it was read from.
    const byIp = target === UNKNOWN ? [] : index.resolve(att, target, HOSTS, ["privateIp"]).filter((h) => att.dependencies.includes(h.urn));
    hosts.push(...byId, ...byIp);
  }
  for (const g of index.of(COMPUTE.autoscalingGroup)) {
    if (items(at(g.props, "targetGroupArns")).some((ref) => index.resolve(g, ref, LB.targetGroup, ["arn", "id"]).includes(tg))) hosts.push(g);
  }
  for (const a of index.of(LB.asgAttachment)) {
    if (index.resolve(a, at(a.props, "lbTargetGroupArn"), LB.targetGroup, ["arn", "id"]).includes(tg)) hosts.push(...index.resolve(a, at(a.props, "autoscalingGroupName"), [COMPUTE.autoscalingGroup], ["name", "id"]));
  }
  for (const s of index.of(LB.ecsService)) {
    for (const lb of asArray(known(at(s.props, "loadBalancers")))) {
      if (!index.resolve(s, at(lb, "targetGroupArn"), LB.targetGroup, ["arn", "id"]).includes(tg)) continue;
      hosts.push(s);
      const p = known(at(lb, "containerPort"));
      if (typeof p === "number") ports.push(p);
    }
  }
  return { hosts, ports };
}

function loadBalancerFindings(index: StackIndex, out: StackViolation[], gatewayPort: number): void {
  for (const lb of index.of(...LB.lb)) {
    if (flag(known(at(lb.props, "internal"))) === true) continue;
    const listeners = index.of(...LB.listener).filter((l) => index.resolve(l, at(l.props, "loadBalancerArn"), LB.lb, ["arn", "id"]).includes(lb));
    const groups = new Set<StackResource>();
    for (const l of listeners) {
      for (const g of forwardedGroups(index, l, at(l.props, "defaultActions"))) groups.add(g);
      for (const rule of index.of(...LB.listenerRule)) {
        if (index.resolve(rule, at(rule.props, "listenerArn"), LB.listener, ["arn", "id"]).includes(l)) for (const g of forwardedGroups(index, rule, at(rule.props, "actions"))) groups.add(g);
      }
    }
    for (const tg of groups) {
      const { hosts, ports } = targetsOf(index, tg);
      for (const h of new Set(hosts)) out.push({ urn: lb.urn, message: `${label(lb)} is internet-facing and forwards to ${label(h)} through ${label(tg)}: the internet reaches the host` });
      if (hosts.length === 0 && ports.includes(gatewayPort)) out.push({ urn: lb.urn, message: `${label(lb)} is internet-facing and forwards to port ${gatewayPort}, the gateway's, through ${label(tg)}` });
    }
  }
  for (const clb of index.of(LB.classic)) {
    if (flag(known(at(clb.props, "internal"))) === true) continue;
    const attached = [
      ...items(at(clb.props, "instances")).flatMap((ref) => index.resolve(clb, ref, HOSTS, ["id"])),
      ...index.of(LB.classicAttachment).filter((a) => index.resolve(a, at(a.props, "elb"), [LB.classic], ["name", "id"]).includes(clb)).flatMap((a) => index.resolve(a, at(a.props, "instance"), HOSTS, ["id"])),
      ...index.of(COMPUTE.autoscalingGroup).filter((g) => items(at(g.props, "loadBalancers")).some((ref) => index.resolve(g, ref, [LB.classic], ["name", "id"]).includes(clb))),
    ];
    for (const h of new Set(attached)) out.push({ urn: clb.urn, message: `${label(clb)} is internet-facing and forwards to ${label(h)}: the internet reaches the host` });
    const toGateway = asArray(known(at(clb.props, "listeners"))).some((l) => known(at(l, "instancePort")) === gatewayPort);
    if (attached.length === 0 && toGateway) out.push({ urn: clb.urn, message: `${label(clb)} is internet-facing and forwards to port ${gatewayPort}, the gateway's` });
  }
}

function appRunnerFindings(index: StackIndex, out: StackViolation[]): void {
  for (const s of index.of(APP_RUNNER)) {
    if (flag(known(at(s.props, "networkConfiguration", "ingressConfiguration", "isPubliclyAccessible"))) === false) continue;
    out.push({ urn: s.urn, message: `${label(s)}: App Runner serves it on a public URL (networkConfiguration.ingressConfiguration.isPubliclyAccessible is not false)` });
  }
}

export const noPublicIngress: StackRule = {
  kind: "stack",
  name: "no-public-ingress",
  description:
    "Nothing lets the internet in: no security group admits 0.0.0.0/0, ::/0, a set of ranges that together cover every public address or one wider than any owner's (CIDRs and managed prefix lists, inline or standalone rules), no Lightsail port open to all, no EKS SSH remote access without a source group, no internet-facing load balancer in front of a host or the gateway port, no public App Runner service, no Lightsail container service public endpoint or public domain, Lightsail load balancer or distribution (a container service whose deployment the program does not make cannot be judged).",
  protects: "the host and its gateway from the whole internet",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    "Narrow the source to the VPC CIDR or a known range (and keep prefix lists to known ranges), or drop the rule: reach the host through SSM Session Manager or Tailscale instead; make load balancers internal (internal: true) and App Runner services private; do not run the gateway on Lightsail.",
  configSchema: {
    gatewayPort: { type: "integer", default: OPENCLAW_DEFAULT_GATEWAY_PORT, minimum: 1, maximum: 65535, description: "The OpenClaw gateway's port: no internet-facing load balancer may forward to it." },
  },
  resourceTypes: [...SG_RULE_TYPES, COMPUTE.lightsail, LIGHTSAIL_PORTS, ...Object.values(LIGHTSAIL_PUBLIC), COMPUTE.eksNodeGroup, ...LB.lb, LB.classic, APP_RUNNER],
  validateStack(resources, config) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    securityGroupFindings(index, out, blind);
    lightsailFindings(index, out);
    lightsailFrontEnds(index, out, blind);
    eksFindings(index, out);
    loadBalancerFindings(index, out, config.gatewayPort);
    appRunnerFindings(index, out);
    throwBlind(blind);
    const seen = new Set<string>();
    return out.filter((v) => {
      const key = `${v.urn}|${v.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
};
