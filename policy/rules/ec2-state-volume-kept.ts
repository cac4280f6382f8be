// Protects: the agent's state across a host replacement (a new image, user data, instance profile):
// a disk of the instance's own block device list goes with it (deleteOnTermination defaults to true)
// and a replacement instance gets a blank one; a separate volume is detached and attached to the new host.
// Checklist: best practice 5, production deployment architecture; best practice 7, gradual trust
// (a promotion must not erase what was observed).
// Fix: a separate aws.ebs.Volume attached with aws.ec2.VolumeAttachment instead of an ebsBlockDevices entry.
// `protect` and `retainOnDelete` are resource options the pack cannot see: it judges what the resources say.
import { HOST_TYPES, stateVolumes } from "../lib/stateVolumes";
import type { StackRule } from "../lib/types";

export const ec2StateVolumeKept: StackRule = {
  kind: "stack",
  name: "ec2-state-volume-kept",
  description: "An agent host's state volume is a separate EBS volume attached to it, not one of its ebsBlockDevices (deleted with the instance, blank on a replacement).",
  protects: "the agent's state when its host is terminated or replaced",
  checklistItems: ["production-host", "gradual-trust"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Move the state disk out of ebsBlockDevices: new aws.ebs.Volume({ encrypted: true, kmsKeyId, ... }, { protect: true, retainOnDelete: true }) and new aws.ec2.VolumeAttachment({ volumeId, instanceId, deviceName }).",
  resourceTypes: [...HOST_TYPES],
  validateStack(resources) {
    return stateVolumes(resources).flatMap((v) => {
      if (v.kind === "volume") return [];
      const deleted = v.device.deleteOnTermination === false ? "left behind detached" : "deleted with the instance (deleteOnTermination is not false)";
      return [{ urn: v.host.urn, message: `${v.label} is part of the instance: on termination it is ${deleted}, and a replacement instance gets a new blank volume` }];
    });
  },
};
