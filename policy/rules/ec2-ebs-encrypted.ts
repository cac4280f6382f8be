// Protects: data at rest on the host (agent workspace, session transcripts, cached secrets) from
// anyone who gets a snapshot or the detached volume.
// Question: is any disk a host of the program gets, or a volume it creates, unencrypted?
// Every launch path is judged with the disks it really gets: the root volume as the instance, else its
// template, else the image gives it (public images' snapshots are unencrypted), every extra volume, and
// standalone volumes; the account's EBS encryption by default, when the program turns it on in the same
// region as the host or volume (its region argument, else its provider's), covers them.
// Checklist: best practice 5, production deployment architecture (hardened host).
// Fix: encrypted: true on rootBlockDevice and every ebsBlockDevices entry, LaunchTemplate blockDeviceMappings[].ebs, and ebs.Volume.
import { COMPUTE, LAUNCH_TYPES, known, launches, ownsFinding, programImage, requireTemplate, type Found, type Launch, type Layer } from "../lib/launches";
import { at, flag, label, stackIndex, throwBlind, type StackIndex } from "../lib/stackIndex";
import { sameRegion } from "../lib/regions";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { asArray, isRecord } from "../lib/values";

/** Device names AMIs use for their root volume when the image is not in the program. */
const ROOT_DEVICES = ["/dev/xvda", "/dev/sda1", "/dev/sda", "xvda", "sda1", "/dev/nvme0n1"];

interface Disk {
  /** e.g. `rootBlockDevice`, `blockDeviceMappings[1] (/dev/sdf)`. */
  where: string;
  root: boolean;
  device?: string;
  encrypted: boolean | undefined;
}

/** The disks one layer describes (root and extra), with their encryption flag as written. */
function disksOf(layer: Layer, rootNames: readonly string[]): Disk[] {
  const p = layer.props;
  const out: Disk[] = [];
  const dev = (d: unknown) => (typeof known(at(d, "deviceName")) === "string" ? String(known(at(d, "deviceName"))) : undefined);
  if (layer.kind === "template") {
    asArray(known(at(p, "blockDeviceMappings"))).forEach((m, i) => {
      if (!isRecord(m) || known(at(m, "noDevice")) !== undefined || known(at(m, "virtualName")) !== undefined) return;
      const device = dev(m);
      out.push({ where: `blockDeviceMappings[${i}]${device ? ` (${device})` : ""}`, root: device !== undefined && rootNames.includes(device), device, encrypted: flag(known(at(m, "ebs", "encrypted"))) });
    });
    return out;
  }
  const root = layer.kind === "spot-spec" ? asArray(known(at(p, "rootBlockDevices")))[0] : known(at(p, "rootBlockDevice"));
  if (isRecord(root)) out.push({ where: layer.kind === "spot-spec" ? "rootBlockDevices[0]" : "rootBlockDevice", root: true, encrypted: flag(known(at(root, "encrypted"))) });
  asArray(known(at(p, "ebsBlockDevices"))).forEach((d, i) => {
    if (!isRecord(d)) return;
    const device = dev(d);
    out.push({ where: `ebsBlockDevices[${i}]${device ? ` (${device})` : ""}`, root: false, device, encrypted: flag(known(at(d, "encrypted"))) });
  });
  return out;
}

/** Does the program's EBS encryption by default (a per-region setting) cover volumes `r` creates? Its label when it does. */
type ByDefault = () => string | undefined;
function encryptionByDefault(index: StackIndex, r: StackResource): ByDefault {
  let memo: { v: string | undefined } | undefined;
  return () => {
    if (memo) return memo.v;
    const on = index.of(COMPUTE.ebsEncryptionByDefault).filter((d) => flag(known(at(d.props, "enabled"))) !== false);
    const covering = on.find((d) => sameRegion(d, r, `whether ${label(d)}, a per-region setting, covers its volumes`));
    memo = { v: covering ? label(covering) : undefined };
    return memo.v;
  };
}

/** The root volume's encryption when no layer maps it: the image's. */
function imageRootEncrypted(index: StackIndex, launch: Launch): Found<boolean> {
  const image = programImage(index, launch);
  if (image) {
    const root = known(at(image.props, "rootDeviceName"));
    const devices = asArray(known(at(image.props, "ebsBlockDevices")));
    const rootDisk = devices.find((d) => known(at(d, "deviceName")) === root) ?? devices[0];
    const copied = flag(known(at(image.props, "encrypted")));
    const enc = copied ?? flag(known(at(rootDisk, "encrypted")));
    return { value: enc === true, source: `the image ${label(image)}` };
  }
  return { value: false, source: "the image's root snapshot (public images' snapshots are unencrypted)" };
}

function launchFindings(index: StackIndex, launch: Launch, byDefault: ByDefault): string[] {
  if (launch.generatedBy) {
    return byDefault() ? [] : [`${launch.what}: without a launch template, ${launch.generatedBy} gives its hosts root volumes the program never asks to encrypt`];
  }
  const image = programImage(index, launch);
  const imageRoot = known(at(image?.props, "rootDeviceName"));
  const rootNames = typeof imageRoot === "string" ? [imageRoot] : ROOT_DEVICES;
  const problems: string[] = [];
  // Per device, the most specific layer wins; the root is whichever layer maps it first.
  const seen = new Set<string>();
  let root: { disk: Disk; found: Found<unknown> } | undefined;
  for (const layer of launch.layers) {
    for (const disk of disksOf(layer, rootNames)) {
      const key = disk.root ? "(root)" : (disk.device ?? `${layer.source}:${disk.where}`);
      if (seen.has(key)) continue;
      seen.add(key);
      const found: Found<unknown> = { value: disk.encrypted, source: layer.source, layer };
      if (disk.root) root = { disk, found };
      if (disk.encrypted === true || !ownsFinding(launch, found)) continue;
      if (disk.encrypted === undefined && byDefault()) continue;
      if (disk.root && disk.encrypted === undefined && imageRootEncrypted(index, launch).value) continue;
      const via = layer === launch.layers[0] ? "" : ` (from ${layer.source})`;
      problems.push(`${launch.what}: ${disk.where}${via} ${disk.encrypted === false ? "sets encrypted false" : "does not set encrypted, so the volume is unencrypted"}${disk.root ? " (the root volume)" : ""}`);
    }
  }
  if (!root) {
    requireTemplate(launch);
    const fromImage = imageRootEncrypted(index, launch);
    const decidedHere = launch.layers.length <= 1 || launch.layers[1].kind !== "template";
    if (!fromImage.value && decidedHere && !byDefault()) {
      problems.push(`${launch.what}: no block device mapping for the root volume, so it takes ${fromImage.source} and is unencrypted`);
    }
  }
  return problems;
}

export const ec2EbsEncrypted: StackRule = {
  kind: "stack",
  name: "ec2-ebs-encrypted",
  description:
    "Every disk a host gets on every launch path (instance, spot request, launch template or configuration, fleets, EKS node groups, Batch, Elastic Beanstalk), and every standalone EBS volume, is encrypted: the root volume as the instance, else its template, else its image gives it (public images are unencrypted); EBS encryption by default, when the program turns it on in the resource's own region, covers them.",
  protects: "agent data and credentials at rest on the host's disks and their snapshots",
  checklistItems: ["production-host"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Set encrypted: true (ideally with a kmsKeyId) on rootBlockDevice and each ebsBlockDevices entry, on LaunchTemplate blockDeviceMappings[].ebs (one for the root device), and on ebs.Volume; or turn on aws.ebs.EncryptionByDefault.",
  resourceTypes: [...LAUNCH_TYPES, COMPUTE.volume],
  validateStack(resources) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    const guarded = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        if (e instanceof CannotJudge) blind.push(e);
        else throw e;
      }
    };
    for (const launch of launches(index)) {
      guarded(() => {
        for (const message of launchFindings(index, launch, encryptionByDefault(index, launch.at))) out.push({ urn: launch.at.urn, message });
      });
    }
    for (const env of index.of(COMPUTE.beanstalk)) {
      guarded(() => {
        if (!encryptionByDefault(index, env)()) out.push({ urn: env.urn, message: `${label(env)}: Elastic Beanstalk cannot ask for encrypted volumes and the program does not turn on EBS encryption by default in its region` });
      });
    }
    for (const v of index.of(COMPUTE.volume)) {
      const enc = flag(known(at(v.props, "encrypted")));
      if (enc === true) continue;
      guarded(() => {
        if (!encryptionByDefault(index, v)()) out.push({ urn: v.urn, message: `${label(v)}: ${enc === false ? "encrypted is false" : "encrypted is not set"}, so the volume is unencrypted` });
      });
    }
    throwBlind(blind);
    return out;
  },
};
