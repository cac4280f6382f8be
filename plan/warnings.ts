// What the offline plan says about a stack that passes but will not do what an operator expects:
// alarms that reach no one, placeholders a real deploy refuses, a restore the program does not read.
import { deployOnlyIssues, type StackModel } from "../stacks";
import type { PlannedResource } from "./evaluate";

export function planWarnings(model: StackModel, resources: readonly PlannedResource[]): string[] {
  const out: string[] = [];
  if (model.alarmSubscribers.length === 0) {
    out.push("alarms reach no one: the stack sets no alarmEmail or alarmSubscriptions (required from trust level 2); set one before relying on this cell");
  }
  for (const issue of deployOnlyIssues(model)) {
    out.push(`clawkeep:${issue.key} ${issue.given as string} is a placeholder that receives nothing: this plan accepts it, \`pulumi preview\` and \`pulumi up\` refuse it`);
  }
  if (model.alarmSubscribers.some((s) => s.protocol === "email")) {
    out.push("e-mail subscribers get nothing until they confirm AWS's \"Subscription Confirmation\" message (README: Alarms)");
  }
  const stateVolume = resources.some((r) => r.type === "aws:ebs/volume:Volume" && r.inputs.snapshotId === model.backup.restoreSnapshotId);
  if (model.backup.restoreSnapshotId && !stateVolume) {
    out.push(`clawkeep:stateVolumeSnapshotId ${model.backup.restoreSnapshotId} is set, but no EBS volume of this program is built from it: nothing would be restored`);
  }
  return out;
}
