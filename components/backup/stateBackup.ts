import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { failureAlarm } from "../alarms/failureAlarm";
import { backupJobPolicy, backupKeyPolicy, backupTrustPolicy, vaultAccessPolicy } from "./policies";

/** Daily at 03:00 UTC; a job may start within an hour and must finish within three. */
export const BACKUP_SCHEDULE = { cron: "cron(0 3 * * ? *)", startWindowMinutes: 60, completionWindowMinutes: 180 } as const;

/** Hours without a completed job before the alarm: one day plus the start and part of the completion window. */
export const STALE_AFTER_HOURS = 26;

/** The tag every recovery point of a cell's state volume carries (besides the cell tags): `npm run restore` checks it. */
export const RECOVERY_POINT_TAG = { key: "clawkeep:recovery-point", value: "state-volume" } as const;

export interface StateBackupArgs {
  /** ARN of the cell's state volume (aws.ebs.Volume): the one resource the plan selects. */
  stateVolumeArn: pulumi.Input<string>;
  /** The cell's data key: it encrypts the vault and, as the volume's key, every EBS recovery point. */
  dataKeyArn: pulumi.Input<string>;
  /** The cell's Admin role: the only principal that may delete a recovery point. */
  adminRoleArn: pulumi.Input<string>;
  /** Whoever runs `pulumi up` (it writes the vault policy): may change the policy, never delete a point. */
  deployerArns: pulumi.Input<pulumi.Input<string>[]>;
  /** Days each daily recovery point is kept (stack config backupRetentionDays, bounded per trust level). */
  retentionDays: number;
  /** teardown.keepBackups: a destroy leaves the vault, its policy and its points (each until it expires). */
  keepBackups: boolean;
  region: pulumi.Input<string>;
  alarmTopicArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * Daily AWS Backup snapshots of a cell's state volume: a vault under the data key that only the Admin
 * role may delete from, a plan with the cell's retention, a selection naming the volume by ARN, and
 * alarms when a job fails or none has completed for 26 hours.
 */
export class StateBackup extends pulumi.ComponentResource {
  public readonly vault: aws.backup.Vault;
  public readonly plan: aws.backup.Plan;
  public readonly selection: aws.backup.Selection;
  public readonly role: aws.iam.Role;
  public readonly failedAlarm: aws.cloudwatch.MetricAlarm;
  public readonly staleAlarm: aws.cloudwatch.MetricAlarm;

  constructor(name: string, args: StateBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:backup:StateBackup", name, {}, opts);
    const self = { parent: this };
    // Kept, the vault and its policy stay together: a vault left without its policy would let anyone delete points.
    const kept = { retainOnDelete: args.keepBackups };

    this.vault = new aws.backup.Vault(
      `${name}-vault`,
      // Auto-named, so a re-created stack never collides with a vault an earlier one left behind.
      { kmsKeyArn: args.dataKeyArn, forceDestroy: !args.keepBackups, tags: args.tags },
      { ...self, ...kept },
    );
    new aws.backup.VaultPolicy(
      `${name}-vault-policy`,
      {
        backupVaultName: this.vault.name,
        policy: pulumi.all([args.adminRoleArn, args.deployerArns]).apply(([admin, deployers]) => vaultAccessPolicy(admin, deployers)),
      },
      { parent: this.vault, ...kept },
    );

    this.role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: backupTrustPolicy(), description: "AWS Backup: snapshots of the cell's state volume", tags: args.tags }, self);
    // The EBS part of AWSBackupServiceRolePolicyForBackup, bound to this volume and vault: the kit attaches no managed policy.
    new aws.iam.RolePolicy(
      `${name}-role-backup`,
      { role: this.role.id, policy: pulumi.all([args.stateVolumeArn, this.vault.arn]).apply(([volumeArn, vaultArn]) => backupJobPolicy(volumeArn, vaultArn)) },
      { parent: this.role },
    );
    new aws.iam.RolePolicy(
      `${name}-role-data-key`,
      { role: this.role.id, policy: pulumi.all([args.dataKeyArn, args.region]).apply(([key, region]) => backupKeyPolicy(key, region)) },
      { parent: this.role },
    );

    this.plan = new aws.backup.Plan(
      `${name}-plan`,
      {
        rules: [
          {
            ruleName: "daily-state-volume",
            targetVaultName: this.vault.name,
            schedule: BACKUP_SCHEDULE.cron,
            startWindow: BACKUP_SCHEDULE.startWindowMinutes,
            completionWindow: BACKUP_SCHEDULE.completionWindowMinutes,
            lifecycle: { deleteAfter: args.retentionDays },
            recoveryPointTags: { ...args.tags, [RECOVERY_POINT_TAG.key]: RECOVERY_POINT_TAG.value },
          },
        ],
        tags: args.tags,
      },
      self,
    );
    this.selection = new aws.backup.Selection(
      `${name}-selection`,
      // By ARN: exactly this volume, never a copy someone tagged alike.
      { planId: this.plan.id, iamRoleArn: this.role.arn, resources: [args.stateVolumeArn] },
      { parent: this.plan },
    );

    const vaultDimension = { BackupVaultName: this.vault.name };
    this.failedAlarm = failureAlarm(
      `${name}-failed`,
      {
        description: "A backup job of the cell's state volume failed (AWS Backup); the newest recovery point is older than planned",
        namespace: "AWS/Backup",
        metricName: "NumberOfBackupJobsFailed",
        dimensions: vaultDimension,
        alarmActions: [args.alarmTopicArn],
        okActions: [args.alarmTopicArn],
        tags: args.tags,
      },
      self,
    );
    this.staleAlarm = new aws.cloudwatch.MetricAlarm(
      `${name}-stale`,
      {
        alarmDescription: `No backup of the cell's state volume has completed in ${STALE_AFTER_HOURS} hours (AWS Backup)`,
        namespace: "AWS/Backup",
        metricName: "NumberOfBackupJobsCompleted",
        dimensions: vaultDimension,
        statistic: "Sum",
        period: 3600,
        // Every hourly datapoint of the last 26 below 1: 26 x 3600 s stays within CloudWatch's 7-day limit.
        evaluationPeriods: STALE_AFTER_HOURS,
        datapointsToAlarm: STALE_AFTER_HOURS,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        // The metric has no datapoint in an hour without a job: missing means none completed.
        treatMissingData: "breaching",
        alarmActions: [args.alarmTopicArn],
        okActions: [args.alarmTopicArn],
        tags: args.tags,
      },
      self,
    );
    // The job's own event names the resource and the reason within minutes, beside the metric alarm.
    const jobEvents = new aws.cloudwatch.EventRule(
      `${name}-job-failed`,
      {
        description: "A backup job of the cell's state volume failed, was aborted or expired",
        eventPattern: this.vault.name.apply((vault) =>
          JSON.stringify({ source: ["aws.backup"], "detail-type": ["Backup Job State Change"], detail: { state: ["FAILED", "ABORTED", "EXPIRED"], backupVaultName: [vault] } }),
        ),
        tags: args.tags,
      },
      self,
    );
    new aws.cloudwatch.EventTarget(`${name}-job-failed-topic`, { rule: jobEvents.name, arn: args.alarmTopicArn }, { parent: jobEvents });

    this.registerOutputs({ vaultName: this.vault.name, planId: this.plan.id, selectionId: this.selection.id });
  }
}
