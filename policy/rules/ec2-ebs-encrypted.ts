// Protects: data at rest on the host (agent workspace, session transcripts, cached secrets) from
// anyone who gets a snapshot or the detached volume.
// Checklist: best practice 5, production deployment architecture (hardened host).
// Fix: encrypted: true on rootBlockDevice and every ebsBlockDevices entry, LaunchTemplate blockDeviceMappings[].ebs, and ebs.Volume.
import type { ResourceRule } from "../lib/types";
import { asArray, isRecord } from "../lib/values";

// Launch templates take the flag as the string "true".
const isOn = (v: unknown) => v === true || v === "true";

export const ec2EbsEncrypted: ResourceRule = {
  kind: "resource",
  name: "ec2-ebs-encrypted",
  description: "The root volume and every EBS volume of an instance, launch template or standalone volume is encrypted.",
  protects: "agent data and credentials at rest on the host's disks and their snapshots",
  checklistItems: ["production-host"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Set encrypted: true (ideally with a kmsKeyId) on rootBlockDevice and each ebsBlockDevices entry, on LaunchTemplate blockDeviceMappings[].ebs, and on ebs.Volume.",
  resourceTypes: ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate", "aws:ebs/volume:Volume"],
  validateResource(type, props) {
    if (type === "aws:ebs/volume:Volume") return isOn(props.encrypted) ? [] : ["the volume is not encrypted"];
    const problems: string[] = [];
    if (type === "aws:ec2/instance:Instance") {
      const root = isRecord(props.rootBlockDevice) ? props.rootBlockDevice : {};
      if (!isOn(root.encrypted)) problems.push("rootBlockDevice.encrypted is not true (the root volume would be unencrypted)");
      asArray(props.ebsBlockDevices).forEach((d, i) => {
        if (!isRecord(d) || !isOn(d.encrypted)) problems.push(`ebsBlockDevices[${i}] is not encrypted`);
      });
      return problems;
    }
    asArray(props.blockDeviceMappings).forEach((m, i) => {
      if (!isRecord(m) || m.noDevice !== undefined || m.virtualName !== undefined) return;
      const ebs = isRecord(m.ebs) ? m.ebs : {};
      if (!isOn(ebs.encrypted)) problems.push(`blockDeviceMappings[${i}].ebs.encrypted is not "true"`);
    });
    return problems;
  },
};
