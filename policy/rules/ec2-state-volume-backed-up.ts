// Protects: the agent's state from a lost volume, a bad upgrade or a destroy: a schedule keeps recovery
// points a restore can build the volume from.
// Checklist: best practice 6, monitoring, session management and maintenance.
// Fix: an aws.backup.Plan with an aws.backup.Selection whose resources name the volume's ARN (or whose
// selectionTags match a tag the volume carries), or an enabled aws.dlm.LifecyclePolicy targeting its tags.
import { coveringBackups, HOST_TYPES, stateVolumes } from "../lib/stateVolumes";
import type { StackRule } from "../lib/types";

export const ec2StateVolumeBackedUp: StackRule = {
  kind: "stack",
  name: "ec2-state-volume-backed-up",
  description: "An agent host's state volume is covered by a backup plan: an AWS Backup selection naming it by ARN or by a tag it carries, or a DLM snapshot policy targeting its tags.",
  protects: "the agent's memory, sessions and workspace from loss (a failed volume, a bad upgrade, a mistaken destroy)",
  checklistItems: ["monitoring-maintenance"],
  severity: "medium",
  enforcementLevel: "mandatory",
  remediation:
    "Add aws.backup.Plan (a daily rule with lifecycle.deleteAfter) and aws.backup.Selection({ planId: plan.id, iamRoleArn, resources: [stateVolume.arn] }), or an aws.dlm.LifecyclePolicy for VOLUME whose targetTags the volume carries.",
  resourceTypes: [...HOST_TYPES],
  validateStack(resources) {
    return stateVolumes(resources).flatMap((v) =>
      coveringBackups(resources, v).length > 0
        ? []
        : [{ urn: v.kind === "volume" ? v.volume.urn : v.host.urn, message: `${v.label} is in no backup plan: no AWS Backup selection names it (by ARN or a tag it carries) and no DLM policy targets it` }],
    );
  },
};
