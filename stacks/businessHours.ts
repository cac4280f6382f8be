// Business hours: when configuration changes are expected. Pure, shared by the stack settings
// (validation) and the out-of-hours function (the decision), so both read the window the same way.

export const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessHours {
  /** IANA time zone, e.g. "Europe/Berlin"; daylight saving follows the zone's rules. */
  timeZone: string;
  /** Days on which changes are expected. */
  days: Weekday[];
  /** Local opening time, "HH:MM" (inclusive). */
  start: string;
  /** Local closing time, "HH:MM" (exclusive), after start. */
  end: string;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = { timeZone: "UTC", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "08:00", end: "18:00" };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const minutes = (hhmm: string): number => {
  const m = HHMM.exec(hhmm);
  if (!m) throw new Error(`not a HH:MM time: ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** What is wrong with a business-hours setting, one message per problem; empty when valid. */
export function businessHoursProblems(h: BusinessHours): string[] {
  const problems: string[] = [];
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: h.timeZone });
  } catch {
    problems.push(`timeZone ${JSON.stringify(h.timeZone)} is not an IANA time zone`);
  }
  if (h.days.length === 0 || h.days.some((d) => !WEEKDAYS.includes(d))) problems.push(`days must be a non-empty list of ${WEEKDAYS.join(", ")}`);
  if (!HHMM.test(h.start) || !HHMM.test(h.end)) problems.push("start and end are HH:MM times");
  else if (minutes(h.end) <= minutes(h.start)) problems.push(`end ${h.end} must be after start ${h.start}`);
  return problems;
}

/** The weekday and minute-of-day of `at` in the window's time zone. */
export function localTime(at: Date, timeZone: string): { day: Weekday; minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return { day: get("weekday") as Weekday, minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

/** Is `at` outside the configured business hours? */
export function isOutsideBusinessHours(at: Date, h: BusinessHours): boolean {
  const { day, minute } = localTime(at, h.timeZone);
  if (!h.days.includes(day)) return true;
  return minute < minutes(h.start) || minute >= minutes(h.end);
}
