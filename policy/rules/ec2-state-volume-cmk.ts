// Protects: the agent's memory, sessions, workspace, pairings and approvals at rest, and in every
// snapshot of them, from anyone the account lets use EBS's AWS managed key: a customer key's policy
// decides who may decrypt them, and a destroy can keep that key while the backups live.
// Checklist: best practice 5, production deployment architecture (hardened host).
// Fix: encrypted: true and kmsKeyId: <a kms.Key of the program> on the aws.ebs.Volume (or the ebsBlockDevices entry).
import { customerKeyProblem, HOST_TYPES, stateVolumes } from "../lib/stateVolumes";
import type { StackRule } from "../lib/types";

export const ec2StateVolumeCmk: StackRule = {
  kind: "stack",
  name: "ec2-state-volume-cmk",
  description: "An agent host's state volume (an EBS volume attached to it, or an ebsBlockDevices entry) is encrypted with a customer managed KMS key.",
  protects: "the agent's state and its snapshots from principals outside the customer key's policy",
  checklistItems: ["production-host"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Set encrypted: true and kmsKeyId to a customer managed key (an aws.kms.Key with rotation) on the state volume; never leave kmsKeyId unset or alias/aws/ebs.",
  resourceTypes: [...HOST_TYPES],
  validateStack(resources) {
    return stateVolumes(resources).flatMap((v) => {
      const problem = customerKeyProblem(v);
      return problem ? [{ urn: v.kind === "volume" ? v.volume.urn : v.host.urn, message: problem }] : [];
    });
  },
};
