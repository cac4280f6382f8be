import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { STATE_DEVICE_NAME } from "./hostFiles";

export interface StateVolumeArgs {
  /** The host subnet's zone: a volume attaches only to an instance in its own zone. */
  availabilityZone: pulumi.Input<string>;
  sizeGb: number;
  /** The cell's data key (customer managed): the volume and every snapshot of it. */
  dataKeyArn: pulumi.Input<string>;
  /** Build the volume from this snapshot (a restore); unset: a blank volume the host formats once. */
  snapshotId?: pulumi.Input<string>;
  /**
   * Refuse to delete or replace it through Pulumi (a replacement would hand the agent a blank or other
   * volume). A restore or a teardown unprotects it first (`pulumi state unprotect`, or this switch).
   */
  protect?: boolean;
  tags?: Record<string, string>;
}

/** The tag that marks the cell's state volume (backups select it by ARN; people find it by this). */
export const STATE_VOLUME_TAG = { "clawkeep:volume": "state" } as const;

/**
 * The agent's state (memory, sessions, workspace, pairings, approvals) on its own CMK-encrypted gp3
 * volume, a resource apart from any host: protected, kept in AWS even when removed from the stack, and
 * attached to the current host by attachStateVolume.
 */
export class StateVolume extends pulumi.ComponentResource {
  public readonly volume: aws.ebs.Volume;
  /** For the backup selection (StateBackup) and the pack's rules. */
  public readonly arn: pulumi.Output<string>;
  public readonly id: pulumi.Output<string>;

  constructor(name: string, args: StateVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:state:StateVolume", name, {}, opts);
    this.volume = new aws.ebs.Volume(
      `${name}-volume`,
      {
        availabilityZone: args.availabilityZone,
        type: "gp3",
        size: args.sizeGb,
        encrypted: true,
        kmsKeyId: args.dataKeyArn,
        snapshotId: args.snapshotId,
        // Should the provider ever delete it (a destroy after an unprotect), a last snapshot remains.
        finalSnapshot: true,
        // One writer: a gp3 volume attaches to one instance at a time (AttachVolume on an attached one fails).
        multiAttachEnabled: false,
        tags: { ...args.tags, ...STATE_VOLUME_TAG, Name: `${name}` },
      },
      { parent: this, protect: args.protect ?? true, retainOnDelete: true },
    );
    this.arn = this.volume.arn;
    this.id = this.volume.id;
    this.registerOutputs({ volumeId: this.id, volumeArn: this.arn });
  }
}

/**
 * The attachment to the current host, delete-before-replace: when the instance is replaced, the new
 * host is created first (Pulumi's default for the instance), then this attachment is deleted (the
 * provider stops the old instance, so its gateway drains and its filesystem unmounts, then detaches),
 * and only then created again on the new host. At no moment can two hosts have the volume attached.
 */
export function attachStateVolume(
  name: string,
  volume: StateVolume,
  instanceId: pulumi.Input<string>,
  dependsOn: pulumi.Resource[] = [],
): aws.ec2.VolumeAttachment {
  return new aws.ec2.VolumeAttachment(
    name,
    {
      volumeId: volume.id,
      instanceId,
      deviceName: STATE_DEVICE_NAME,
      // The old host shuts down cleanly (gateway drained, filesystem unmounted) before the detach.
      stopInstanceBeforeDetaching: true,
      // Never: AWS says a forced detach can lose data.
      forceDetach: false,
    },
    // The old host's stop includes the gateway's 330 s drain: more than the provider's 5-minute default.
    { parent: volume, deleteBeforeReplace: true, dependsOn, customTimeouts: { delete: "20m", create: "10m" } },
  );
}
