// Protects: the agent's state across a host replacement, where the program keeps it on the root volume.
// Advisory, not mandatory: a host with no state disk may keep nothing worth keeping (an advisor whose
// sessions are disposable) or keep its state elsewhere (EFS, S3) where the pack cannot follow it; what
// the pack can judge, the state volume's key, backups and lifetime, the mandatory ec2-state-volume-* rules do.
// Checklist: best practice 7, gradual trust (a promotion that replaces the host must not erase what was observed).
// Fix: a separate aws.ebs.Volume for the state dir, attached with aws.ec2.VolumeAttachment.
import { HOST_TYPES, isHost, stateVolumes } from "../lib/stateVolumes";
import type { StackRule } from "../lib/types";

export const ec2StateVolumeSeparate: StackRule = {
  kind: "stack",
  name: "ec2-state-volume-separate",
  description: "An agent host has a state volume of its own; without one, OpenClaw's state sits on the root volume and goes with the instance.",
  protects: "the agent's memory, sessions and workspace when its host is replaced (a new image, user data or a promotion)",
  checklistItems: ["gradual-trust"],
  severity: "medium",
  enforcementLevel: "advisory",
  remediation: "Attach a separate encrypted aws.ebs.Volume (aws.ec2.VolumeAttachment), mount it at the state dir, and back it up.",
  resourceTypes: [...HOST_TYPES],
  validateStack(resources) {
    const withVolume = new Set(stateVolumes(resources).map((v) => v.host.urn));
    return resources
      .filter((r) => isHost(r) && !withVolume.has(r.urn))
      .map((host) => ({ urn: host.urn, message: `instance "${host.name}" has no state volume: OpenClaw's state lives on its root volume, erased when the instance is terminated or replaced` }));
  },
};
