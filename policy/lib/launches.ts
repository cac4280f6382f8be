// Every way a program starts an EC2 host, reduced to one shape: a launch, with the layers its settings
// come from (the resource's own fields, then the launch template or configuration it names) and what
// AWS fills in when no layer says. Rules ask a launch for one effective setting and learn where it came
// from; a launch whose template is not in the program cannot answer for what only the template knows.
import { UNKNOWN, type Known } from "./references";
import { at, flag, known, label, type StackIndex } from "./stackIndex";
import type { StackResource } from "./types";
import { CannotJudge } from "./unknown";
import { asArray, isRecord } from "./values";

export const COMPUTE = {
  instance: "aws:ec2/instance:Instance",
  spotRequest: "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  launchConfiguration: "aws:ec2/launchConfiguration:LaunchConfiguration",
  autoscalingGroup: "aws:autoscaling/group:Group",
  fleet: "aws:ec2/fleet:Fleet",
  spotFleet: "aws:ec2/spotFleetRequest:SpotFleetRequest",
  eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
  batch: "aws:batch/computeEnvironment:ComputeEnvironment",
  beanstalk: "aws:elasticbeanstalk/environment:Environment",
  lightsail: "aws:lightsail/instance:Instance",
  ami: "aws:ec2/ami:Ami",
  metadataDefaults: "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults",
  ebsEncryptionByDefault: "aws:ebs/encryptionByDefault:EncryptionByDefault",
  volume: "aws:ebs/volume:Volume",
  keyPair: "aws:ec2/keyPair:KeyPair",
  lightsailKeyPair: "aws:lightsail/keyPair:KeyPair",
} as const;

/** Resources that launch (or describe) EC2 hosts: what the compute rules look at. */
export const LAUNCH_TYPES = [
  COMPUTE.instance,
  COMPUTE.spotRequest,
  COMPUTE.launchTemplate,
  COMPUTE.launchConfiguration,
  COMPUTE.autoscalingGroup,
  COMPUTE.fleet,
  COMPUTE.spotFleet,
  COMPUTE.eksNodeGroup,
  COMPUTE.batch,
  COMPUTE.beanstalk,
] as const;

export type LayerKind = "instance" | "template" | "configuration" | "spot-spec";

export interface Layer {
  kind: LayerKind;
  props: Record<string, unknown>;
  /** How a message names it: `instance "gw"`, `launch template "gw"`, `spot fleet request "gw" launchSpecifications[0]`. */
  source: string;
  resource: StackResource;
}

export interface Launch {
  /** Where a finding is reported. */
  at: StackResource;
  what: string;
  /** Most specific first: the resource's own fields, then the template or configuration it names. */
  layers: Layer[];
  /** The template or configuration the launch names that the program does not hold: only the account knows its settings. */
  missing?: string;
  /** No template at all: a service generates the hosts' settings (EKS managed node groups, AWS Batch). */
  generatedBy?: "EKS" | "AWS Batch";
}

/** A setting as resolved: its value and where it came from ("" source: AWS's or the account's default). */
export interface Found<T> {
  value: T;
  source: string;
  /** The layer that decided it; undefined when a default did. */
  layer?: Layer;
}

const OWN: Record<string, LayerKind> = {
  [COMPUTE.instance]: "instance",
  [COMPUTE.spotRequest]: "instance",
  [COMPUTE.launchTemplate]: "template",
  [COMPUTE.launchConfiguration]: "configuration",
};

/** A launch template reference in any of its spellings ({id,name,version}, {launchTemplateId,launchTemplateName,version}). */
function templateRef(spec: unknown): { id: Known<unknown>; name: Known<unknown>; version: unknown } | undefined {
  if (!isRecord(spec)) return undefined;
  const id = at(spec, "id") ?? at(spec, "launchTemplateId");
  const name = at(spec, "name") ?? at(spec, "launchTemplateName");
  if (id === undefined && name === undefined) return undefined;
  return { id, name, version: known(at(spec, "version")) };
}

/** The program's launch template a reference names, or why it cannot be seen. */
export function resolveTemplate(index: StackIndex, from: StackResource, spec: unknown): { template?: StackResource; missing?: string } | undefined {
  const ref = templateRef(spec);
  if (!ref) return undefined;
  const byId = ref.id !== undefined ? index.resolve(from, ref.id, [COMPUTE.launchTemplate], ["id", "arn"]) : [];
  const byName = byId.length === 0 && ref.name !== undefined ? index.resolve(from, ref.name, [COMPUTE.launchTemplate], ["name"]) : [];
  const template = byId[0] ?? byName[0];
  const shown = [ref.name, ref.id].find((v) => typeof v === "string") ?? "(not known yet)";
  if (!template) return { missing: `the settings of launch template ${String(shown)}, which the program names but does not define` };
  const latest = known(at(template.props, "latestVersion"));
  if (typeof ref.version === "string" && /^\d+$/.test(ref.version) && typeof latest === "number" && Number(ref.version) !== latest) {
    return { template, missing: `the settings of version ${ref.version} of ${label(template)} (the program holds only version ${latest})` };
  }
  return { template };
}

const templateLayer = (t: StackResource): Layer => ({ kind: "template", props: t.props, source: label(t), resource: t });

const launchCache = new WeakMap<StackIndex, Launch[]>();

/** Every EC2 launch path of the stack, once. Templates and configurations are launches of their own. */
export function launches(index: StackIndex): Launch[] {
  const hit = launchCache.get(index);
  if (hit) return hit;
  const out: Launch[] = [];
  launchCache.set(index, out);
  for (const r of index.of(COMPUTE.launchTemplate, COMPUTE.launchConfiguration)) {
    out.push({ at: r, what: label(r), layers: [{ kind: OWN[r.type], props: r.props, source: label(r), resource: r }] });
  }
  for (const r of index.of(COMPUTE.instance, COMPUTE.spotRequest)) {
    const own: Layer = { kind: "instance", props: r.props, source: label(r), resource: r };
    const ref = resolveTemplate(index, r, known(at(r.props, "launchTemplate")));
    out.push({ at: r, what: label(r), layers: ref?.template ? [own, templateLayer(ref.template)] : [own], missing: ref?.missing });
  }
  // Consumers of templates: a template in the program is judged as its own launch; one that is not is a blind spot.
  const consumer = (r: StackResource, where: string, spec: unknown) => {
    const ref = resolveTemplate(index, r, spec);
    if (ref?.missing) out.push({ at: r, what: `${label(r)} ${where}`, layers: ref.template ? [templateLayer(ref.template)] : [], missing: ref.missing });
    return ref;
  };
  for (const g of index.of(COMPUTE.autoscalingGroup)) {
    consumer(g, "launchTemplate", known(at(g.props, "launchTemplate")));
    const mixed = known(at(g.props, "mixedInstancesPolicy", "launchTemplate"));
    if (isRecord(mixed)) {
      consumer(g, "mixedInstancesPolicy", known(at(mixed, "launchTemplateSpecification")));
      asArray(known(at(mixed, "overrides"))).forEach((o, i) => consumer(g, `mixedInstancesPolicy overrides[${i}]`, known(at(o, "launchTemplateSpecification"))));
    }
    const lc = at(g.props, "launchConfiguration");
    if (lc !== undefined && index.resolve(g, lc, [COMPUTE.launchConfiguration], ["name", "id", "arn"]).length === 0) {
      out.push({ at: g, what: `${label(g)} launchConfiguration`, layers: [], missing: `the settings of launch configuration ${typeof lc === "string" ? lc : "(not known yet)"}, which the program names but does not define` });
    }
  }
  for (const f of index.of(COMPUTE.fleet, COMPUTE.spotFleet)) {
    asArray(known(at(f.props, "launchTemplateConfigs"))).forEach((c, i) => consumer(f, `launchTemplateConfigs[${i}]`, known(at(c, "launchTemplateSpecification"))));
  }
  for (const f of index.of(COMPUTE.spotFleet)) {
    asArray(known(at(f.props, "launchSpecifications"))).forEach((s, i) => {
      if (isRecord(s)) out.push({ at: f, what: `${label(f)} launchSpecifications[${i}]`, layers: [{ kind: "spot-spec", props: s, source: `${label(f)} launchSpecifications[${i}]`, resource: f }] });
    });
  }
  for (const n of index.of(COMPUTE.eksNodeGroup)) {
    const ref = consumer(n, "launchTemplate", known(at(n.props, "launchTemplate")));
    if (!ref) out.push({ at: n, what: label(n), layers: [], generatedBy: "EKS" });
  }
  for (const b of index.of(COMPUTE.batch)) {
    const type = known(at(b.props, "computeResources", "type"));
    if (typeof type === "string" && /^FARGATE/i.test(type)) continue;
    if (!isRecord(known(at(b.props, "computeResources")))) continue;
    const ref = consumer(b, "computeResources.launchTemplate", known(at(b.props, "computeResources", "launchTemplate")));
    if (!ref) out.push({ at: b, what: label(b), layers: [], generatedBy: "AWS Batch" });
  }
  return out;
}

/** A launch's first layer for which `pick` says something; the template's own launch reports what the template decides. */
export function decide<T>(launch: Launch, pick: (layer: Layer) => T | undefined): Found<T> | undefined {
  for (const layer of launch.layers) {
    const v = pick(layer);
    if (v !== undefined) return { value: v, source: layer.source, layer };
  }
  return undefined;
}

/** Throws CannotJudge when the launch's settings fall through to a template the program does not hold. */
export function requireTemplate(launch: Launch): void {
  if (launch.missing) throw new CannotJudge(launch.missing, launch.what);
}

/**
 * Should `launch` report a finding decided by `found`? A launch that names a template in the program
 * leaves to that template's own launch whatever the template (or a default) decided.
 */
export function ownsFinding(launch: Launch, found: Found<unknown> | undefined): boolean {
  const hasTemplate = launch.layers.length > 1 && launch.layers[1].kind === "template";
  if (!hasTemplate) return true;
  return found?.layer === launch.layers[0];
}

/** The image a launch starts from: its own ami/imageId, else the template's. */
export function imageOf(launch: Launch): Known<unknown> {
  for (const layer of launch.layers) {
    const v = at(layer.props, layer.kind === "instance" || layer.kind === "spot-spec" ? "ami" : "imageId");
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The program's ec2.Ami a launch starts from, when it is one. */
export function programImage(index: StackIndex, launch: Launch): StackResource | undefined {
  const image = imageOf(launch);
  if (image === undefined || image === UNKNOWN) return undefined;
  return index.resolve(launch.at, image, [COMPUTE.ami], ["id", "arn"])[0];
}

/** Elastic Beanstalk option settings as namespace:name -> value (last one wins, as Beanstalk applies them). */
export function beanstalkSettings(env: StackResource): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const s of asArray(known(at(env.props, "settings")))) {
    if (!isRecord(s)) continue;
    const ns = known(at(s, "namespace"));
    const name = known(at(s, "name"));
    if (typeof ns === "string" && typeof name === "string") out.set(`${ns}:${name}`, known(at(s, "value")));
  }
  return out;
}

export { flag, known, at };
