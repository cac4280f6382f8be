// What `pulumi destroy` leaves behind (`clawkeep:teardown`): an explicit choice per kind of data, with
// defaults that keep what a person could regret losing. The flags live in Pulumi state (retainOnDelete,
// forceDestroy, the recovery window), so a change takes effect only after a `pulumi up`.
import { z } from "zod";

/** Secrets Manager's recovery window: 0 (deleted at once) or 7 to 30 days. */
export const SECRET_RECOVERY_DAYS = { min: 7, max: 30 } as const;

export const teardownSchema = z.strictObject({
  /** Keep the CloudTrail bucket (its objects expire by its lifecycle) and the logs key that decrypts them. */
  keepAuditTrail: z.boolean().default(true),
  /** Keep the backup vault and its recovery points (each until its own expiry) and the data key that decrypts them. */
  keepBackups: z.boolean().default(true),
  /** Days a destroyed secret can be restored; its name stays taken that long. 0: deleted at once, the stack can be re-created at once. */
  secretRecoveryDays: z.number().int().default(7),
});

export type Teardown = z.output<typeof teardownSchema>;

/** The recovery window is 0 or 7-30 days (what Secrets Manager accepts). */
export function secretRecoveryProblem(days: number): string | undefined {
  return days === 0 || (days >= SECRET_RECOVERY_DAYS.min && days <= SECRET_RECOVERY_DAYS.max)
    ? undefined
    : `0 (deleted at destroy, the names free at once) or ${SECRET_RECOVERY_DAYS.min}-${SECRET_RECOVERY_DAYS.max} days (restorable that long, the names taken that long)`;
}

/** Which of the cell's keys a destroy keeps: a key must outlive every kept byte it encrypts. */
export function keptKeys(t: Teardown): { dataKey: boolean; logsKey: boolean } {
  return { dataKey: t.keepBackups, logsKey: t.keepAuditTrail };
}
