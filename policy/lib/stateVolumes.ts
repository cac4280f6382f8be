// An agent host's state volume, for programs that are not the kit too. The pack treats every EC2
// instance (and spot instance request) of a program as an agent host, as its other EC2 rules do, and a
// state volume as any EBS disk of it besides the root: an aws.ebs.Volume attached to it with
// aws.ec2.VolumeAttachment, or an entry of its ebsBlockDevices. OpenClaw keeps memory, sessions,
// workspace, pairings and approvals on whichever disk holds its state dir; a host with no such disk
// keeps them on its root volume (the advisory rule ec2-state-volume-separate says so).
// Launch templates' blockDeviceMappings are not judged here: which mapping is the root depends on the image.
import { field, refersTo, UNKNOWN, type Known } from "./references";
import type { StackResource } from "./types";
import { CannotJudge } from "./unknown";
import { asArray, isRecord } from "./values";

export const HOST_TYPES = ["aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"] as const;
const VOLUME = "aws:ebs/volume:Volume";
const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";

export type StateVolume =
  | { kind: "volume"; host: StackResource; volume: StackResource; label: string }
  | { kind: "block-device"; host: StackResource; device: Record<string, unknown>; index: number; label: string };

export const isHost = (r: StackResource) => (HOST_TYPES as readonly string[]).includes(r.type);

/** Every state volume of every agent host of the program. A volume attached by id from outside the program cannot be judged. */
export function stateVolumes(resources: readonly StackResource[]): StateVolume[] {
  const volumes = resources.filter((r) => r.type === VOLUME);
  const attachments = resources.filter((r) => r.type === ATTACHMENT);
  const out: StateVolume[] = [];
  for (const host of resources.filter(isHost)) {
    for (const att of attachments.filter((a) => refersTo(a, field(a.props, "instanceId"), host))) {
      const volumeId = field(att.props, "volumeId");
      const volume = volumes.find((v) => refersTo(att, volumeId, v));
      if (!volume) {
        throw new CannotJudge(`the volume ${typeof volumeId === "string" ? volumeId : "(unknown id)"} attached to instance "${host.name}" is not in the program; its key and backups are known only to the account`, att.name);
      }
      out.push({ kind: "volume", host, volume, label: `volume "${volume.name}" (attached to "${host.name}")` });
    }
    asArray(host.props.ebsBlockDevices).forEach((d, index) => {
      if (!isRecord(d)) return;
      const device = typeof d.deviceName === "string" ? ` (${d.deviceName})` : "";
      out.push({ kind: "block-device", host, device: d, index, label: `ebsBlockDevices[${index}]${device} of "${host.name}"` });
    });
  }
  return out;
}

/** The tags a state volume carries: the volume's own, or the block device's own plus the instance's volumeTags. */
export function volumeTags(v: StateVolume): Record<string, unknown> {
  if (v.kind === "volume") return isRecord(v.volume.props.tags) ? v.volume.props.tags : {};
  return { ...(isRecord(v.host.props.volumeTags) ? v.host.props.volumeTags : {}), ...(isRecord(v.device.tags) ? v.device.tags : {}) };
}

const isOn = (v: unknown) => v === true || v === "true";

/**
 * Why the volume is not under a customer managed KMS key, or undefined. Not encrypted, or encrypted
 * without a kmsKeyId (EBS's AWS managed key aws/ebs), or with an alias/aws/... key, fails. A key the
 * program creates, or any other key id, ARN or alias, is the customer's.
 */
export function customerKeyProblem(v: StateVolume): string | undefined {
  const props = v.kind === "volume" ? v.volume.props : v.device;
  if (!isOn(props.encrypted)) return `${v.label} is not encrypted`;
  const key: Known<unknown> = v.kind === "volume" ? field(v.volume.props, "kmsKeyId") : props.kmsKeyId;
  // Unknown in a preview: the ARN of a key the program creates in the same update, a customer key.
  if (key === UNKNOWN) return undefined;
  if (typeof key !== "string" || key === "") return `${v.label} is encrypted with EBS's AWS managed key (no kmsKeyId): anyone the account lets use aws/ebs can read its snapshots' data`;
  if (/(^|:)alias\/aws\//.test(key)) return `${v.label} is encrypted with the AWS managed key ${key}, not a customer managed key`;
  return undefined;
}

/** Does a glob of Selection.resources ("*", "arn:aws:ec2:*:*:volume/*") take in `arn`? */
function globMatches(glob: string, arn: string | undefined): boolean {
  if (!glob.includes("*")) return false;
  const re = new RegExp(`^${glob.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  // A wildcard over all EBS volumes covers a volume whose ARN is not known yet.
  return arn === undefined ? re.test("arn:aws:ec2:us-east-1:123456789012:volume/vol-0") : re.test(arn);
}

function tagMatches(tags: Record<string, unknown>, key: unknown, value: unknown, like = false): boolean {
  if (typeof key !== "string" || typeof value !== "string") return false;
  const have = tags[key];
  if (typeof have !== "string") return false;
  return like ? globMatches(value.includes("*") ? value : `${value}*`, have) || have === value : have === value;
}

const conditionKey = (k: unknown) => (typeof k === "string" ? k.replace(/^aws:ResourceTag\//, "") : k);

/** Does this AWS Backup selection (of a plan in the program, or a plan id given) cover the volume? */
function selectionCovers(selection: StackResource, v: StateVolume): boolean {
  const tags = volumeTags(v);
  const arn = v.kind === "volume" ? field(v.volume.props, "arn") : undefined;
  const known = typeof arn === "string" ? arn : undefined;
  const resources = field(selection.props, "resources");
  const byResource =
    (v.kind === "volume" && refersTo(selection, resources, v.volume)) || asArray(resources === UNKNOWN ? [] : resources).some((g) => typeof g === "string" && globMatches(g, known));
  const byTag = asArray(selection.props.selectionTags).some((t) => isRecord(t) && String(t.type ?? "STRINGEQUALS").toUpperCase() === "STRINGEQUALS" && tagMatches(tags, t.key, t.value));
  if (!byResource && !byTag) return false;
  const excluded = field(selection.props, "notResources");
  if (v.kind === "volume" && excluded !== undefined && refersTo(selection, excluded, v.volume)) return false;
  if (asArray(excluded === UNKNOWN ? [] : excluded).some((g) => typeof g === "string" && globMatches(g, known))) return false;
  // Conditions narrow the selection: every one must hold for the volume's tags.
  for (const c of asArray(selection.props.conditions)) {
    if (!isRecord(c)) continue;
    for (const [kind, like, negate] of [["stringEquals", false, false], ["stringLikes", true, false], ["stringNotEquals", false, true], ["stringNotLikes", true, true]] as const) {
      for (const e of asArray(c[kind])) {
        if (!isRecord(e)) continue;
        if (tagMatches(tags, conditionKey(e.key), e.value, like) === negate) return false;
      }
    }
  }
  return true;
}

/** Does a DLM policy (enabled, for volumes) target the volume by its tags? */
function lifecyclePolicyCovers(policy: StackResource, v: StateVolume): boolean {
  if (String(policy.props.state ?? "ENABLED").toUpperCase() === "DISABLED") return false;
  const details = isRecord(policy.props.policyDetails) ? policy.props.policyDetails : {};
  if (!asArray(details.resourceTypes).some((t) => t === "VOLUME")) return false;
  const targets = isRecord(details.targetTags) ? details.targetTags : {};
  const tags = volumeTags(v);
  return Object.keys(targets).length > 0 && Object.entries(targets).every(([k, val]) => tagMatches(tags, k, val));
}

/** The backup selections or snapshot policies of the program that cover the volume. */
export function coveringBackups(resources: readonly StackResource[], v: StateVolume): StackResource[] {
  const plans = resources.filter((r) => r.type === "aws:backup/plan:Plan");
  const selections = resources.filter((r) => r.type === "aws:backup/selection:Selection");
  const planned = selections.filter((s) => {
    const planId = field(s.props, "planId");
    // The plan is the program's (with at least one rule), or one given by id from elsewhere.
    const plan = plans.find((p) => refersTo(s, planId, p));
    return plan ? asArray(plan.props.rules).length > 0 || plan.props.rules === undefined : typeof planId === "string" && planId !== "";
  });
  return [...planned.filter((s) => selectionCovers(s, v)), ...resources.filter((r) => r.type === "aws:dlm/lifecyclePolicy:LifecyclePolicy" && lifecyclePolicyCovers(r, v))];
}
