// Backups of the cell's state volume: how long recovery points stay, per trust level, and the one
// config key a restore sets. The bounds come from the trust-level table (LEVELS[n].backupRetentionDays).
import { LEVELS, type TrustLevel } from "./trustLevels";

/** An EBS snapshot id (AWS Backup's EBS recovery points are snapshots). */
export const SNAPSHOT_ID = /^snap-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** The snapshot id inside an EBS recovery point ARN (arn:aws:ec2:REGION::snapshot/snap-...), or undefined. */
export function snapshotIdOfRecoveryPoint(arnOrId: string): string | undefined {
  if (SNAPSHOT_ID.test(arnOrId)) return arnOrId;
  const m = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+::snapshot\/(snap-[0-9a-f]+)$/.exec(arnOrId);
  return m && SNAPSHOT_ID.test(m[1]) ? m[1] : undefined;
}

/** The retention bounds of a level, as the "allowed" text of a config error. */
export function retentionAllowed(level: TrustLevel): string {
  const r = LEVELS[level].backupRetentionDays;
  return `whole days from ${r.min} to ${r.max} at trust level ${level} (default ${r.default})`;
}

export function retentionProblem(level: TrustLevel, days: number): string | undefined {
  const r = LEVELS[level].backupRetentionDays;
  return Number.isInteger(days) && days >= r.min && days <= r.max ? undefined : retentionAllowed(level);
}
