// The shape of a reviewed policy exception (`clawkeep:policyExceptions`): which rule, which resource,
// why, who reviewed it and until when. Which rule ids exist, and which take no exception, is the
// pack's to say (policy/lib/exceptions.ts); the shape is checked here with the rest of the config.
import { z } from "zod";

/** An exception lives at most this long: a reviewed risk is reviewed again. */
export const EXCEPTION_MAX_DAYS = 90;
export const EXCEPTION_REASON_MIN_CHARS = 20;

export interface PolicyException {
  /** The rule's id (its file name under policy/rules). */
  ruleId: string;
  /** A resource name, or a URN pattern ("urn:pulumi:...", `*` matches any run of characters). */
  resource: string;
  reason: string;
  reviewer: string;
  /** Last day the exception holds (YYYY-MM-DD, UTC). */
  expires: string;
}

/** Today's date in UTC, as exceptions write it. */
export const todayUtc = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

/** The latest expiry an exception may carry when written on `today`. */
export function latestExpiry(today: string = todayUtc()): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + EXCEPTION_MAX_DAYS);
  return todayUtc(d);
}

/** z.iso.date checks the form; a date such as 2026-02-30 must also exist. */
const isoForm = /^\d{4}-\d{2}-\d{2}$/;
const realDate = (s: string) => !isoForm.test(s) || (!Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && todayUtc(new Date(`${s}T00:00:00Z`)) === s);

export const policyExceptionSchema = z.strictObject({
  ruleId: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a rule id: the file name of a rule in policy/rules (see RULES.md)"),
  resource: z.string().min(1, "a resource name or a URN pattern (urn:pulumi:..., * as wildcard)"),
  reason: z.string().trim().min(EXCEPTION_REASON_MIN_CHARS, `why the risk is accepted, in at least ${EXCEPTION_REASON_MIN_CHARS} characters`),
  reviewer: z.string().trim().min(2, "the name of the person who reviewed the exception"),
  expires: z.iso
    .date(`an ISO date (YYYY-MM-DD) at most ${EXCEPTION_MAX_DAYS} days ahead`)
    .refine(realDate, { error: "a date that exists (YYYY-MM-DD)" })
    .refine((s) => !isoForm.test(s) || s <= latestExpiry(), { error: () => `a date at most ${EXCEPTION_MAX_DAYS} days ahead: on or before ${latestExpiry()}` }),
});
