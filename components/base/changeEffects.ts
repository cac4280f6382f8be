// What a change does to a running cell: the scale of effects, and the effect of each resource input.
// The effect of a host file lives beside the host's apply machinery (components/host/effects.ts), derived
// from the very actions apply-bundle runs; the offline plan's `--against` reads both. Pure: no Pulumi, no I/O.

/** From weakest to strongest; a set of changes does what its strongest member does. */
export const EFFECTS = ["nothing", "next-boot", "reload", "service-restart", "gateway-restart", "runtime-upgrade", "host-restart", "new-host", "state-replaced"] as const;
export type ChangeEffect = (typeof EFFECTS)[number];

export const EFFECT_MEANING: Readonly<Record<ChangeEffect, string>> = {
  nothing: "nothing on the running host",
  "next-boot": "installed in place; takes effect at the host's next boot or the next host",
  reload: "a reload in place; the gateway keeps running",
  "service-restart": "a helper service restarts; the gateway keeps running",
  "gateway-restart": "the gateway restarts (agent runs drain first, up to 330 s)",
  "runtime-upgrade": "a new OpenClaw/Node runtime beside the old one, a state snapshot first, rollback on a failed health check",
  "host-restart": "the instance stops and starts (same disks)",
  "new-host": "a new instance replaces the host",
  "state-replaced": "the state volume itself is replaced",
};

export interface Effect {
  effect: ChangeEffect;
  /** What runs on the host (or in AWS) for it. */
  action: string;
}

export function strongest(effects: readonly ChangeEffect[]): ChangeEffect {
  return effects.reduce<ChangeEffect>((a, b) => (EFFECTS.indexOf(b) > EFFECTS.indexOf(a) ? b : a), "nothing");
}

/** The keys of a KEY=value file whose value differs (added and removed keys too). */
export function changedEnvKeys(before: string, after: string): string[] {
  const parse = (text: string) => new Map(text.split("\n").filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const));
  const [a, b] = [parse(before), parse(after)];
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";

/** Instance inputs the provider changes in place without touching the OS (AWS API calls only). */
const INSTANCE_IN_PLACE = new Set(["tags", "tagsAll", "vpcSecurityGroupIds", "iamInstanceProfile", "metadataOptions", "monitoring", "disableApiTermination", "disableApiStop", "sourceDestCheck", "volumeTags", "creditSpecification"]);

/**
 * The effect of one changed input of one resource. `inputs` are the new inputs (userDataReplaceOnChange
 * decides whether new user data means a new host). Resources that are not the host, its state volume
 * or the attachment between them change nothing on the host.
 */
export function resourceChangeEffect(type: string, property: string, inputs: Record<string, unknown> = {}): Effect {
  if (type === INSTANCE) {
    if (property === "userData" || property === "userDataBase64") {
      return inputs.userDataReplaceOnChange === true
        ? { effect: "new-host", action: "new user data: userDataReplaceOnChange replaces the instance" }
        : { effect: "host-restart", action: "new user data: the provider stops the instance, sets it and starts it (cloud-init does not run again)" };
    }
    if (property === "instanceType") return { effect: "host-restart", action: "the provider stops the instance, changes its type and starts it" };
    if (property === "rootBlockDevice") return { effect: "new-host", action: "a root volume change (key, type or encryption) replaces the instance; a size change alone is made online" };
    if (INSTANCE_IN_PLACE.has(property)) return { effect: "nothing", action: `${property} is changed in place through the EC2 API` };
    return { effect: "new-host", action: `${property} (image, subnet, zone, addressing, ...) replaces the instance` };
  }
  if (type === VOLUME) {
    if (property === "snapshotId") return { effect: "state-replaced", action: "the state volume is rebuilt from the recovery point (npm run restore); the host moves to it" };
    if (["size", "iops", "throughput", "type"].includes(property)) return { effect: "nothing", action: `${property} is changed online (ModifyVolume); a larger file system needs a resize on the host` };
    if (["tags", "tagsAll", "finalSnapshot"].includes(property)) return { effect: "nothing", action: `${property} is changed in place` };
    return { effect: "state-replaced", action: `${property} replaces the state volume: a new, blank volume unless snapshotId names a recovery point` };
  }
  if (type === ATTACHMENT) return { effect: "new-host", action: "the state volume moves: the old host stops, the volume detaches and attaches to the new one" };
  return { effect: "nothing", action: "outside the host (AWS, the tailnet or the deploy machine); nothing on it" };
}

/** A resource that appears or goes: the host, its state volume or their attachment matter; the rest is AWS only. */
export function resourceLifecycleEffect(type: string, change: "created" | "deleted"): Effect {
  if (type === INSTANCE) return { effect: "new-host", action: change === "created" ? "a new instance" : "the instance is terminated" };
  if (type === VOLUME) return { effect: "state-replaced", action: change === "created" ? "a new state volume" : "the state volume leaves the stack (retained if retainOnDelete)" };
  if (type === ATTACHMENT) return { effect: "new-host", action: change === "created" ? "the state volume is attached" : "the state volume is detached" };
  return { effect: "nothing", action: `${change} outside the host; nothing on it` };
}
