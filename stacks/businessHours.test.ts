import { describe, expect, it } from "vitest";
import { DEFAULT_BUSINESS_HOURS, businessHoursProblems, isOutsideBusinessHours, type BusinessHours } from "./businessHours";

const berlin: BusinessHours = { timeZone: "Europe/Berlin", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "09:00", end: "17:30" };

describe("business hours", () => {
  it("treats the opening minute as inside and the closing minute as outside", () => {
    // 2026-11-23 is a Monday; Berlin is UTC+1 in November.
    expect(isOutsideBusinessHours(new Date("2026-11-23T07:59:00Z"), berlin)).toBe(true);
    expect(isOutsideBusinessHours(new Date("2026-11-23T08:00:00Z"), berlin)).toBe(false);
    expect(isOutsideBusinessHours(new Date("2026-11-23T16:29:59Z"), berlin)).toBe(false);
    expect(isOutsideBusinessHours(new Date("2026-11-23T16:30:00Z"), berlin)).toBe(true);
  });

  it("follows daylight saving time of the zone", () => {
    // 2026-07-06 is a Monday; Berlin is UTC+2 in July, so 07:30Z is 09:30 local.
    expect(isOutsideBusinessHours(new Date("2026-07-06T07:30:00Z"), berlin)).toBe(false);
    expect(isOutsideBusinessHours(new Date("2026-11-23T07:30:00Z"), berlin)).toBe(true);
  });

  it("counts a whole weekend day as outside, judged by the local date", () => {
    expect(isOutsideBusinessHours(new Date("2026-11-28T12:00:00Z"), berlin)).toBe(true);
    // Sunday 23:30Z is already Monday 00:30 in Berlin: a weekday, but before opening.
    expect(isOutsideBusinessHours(new Date("2026-11-29T23:30:00Z"), berlin)).toBe(true);
    expect(isOutsideBusinessHours(new Date("2026-11-28T12:00:00Z"), { ...berlin, days: ["Sat"] })).toBe(false);
  });

  it("accepts the defaults and names each invalid setting", () => {
    expect(businessHoursProblems(DEFAULT_BUSINESS_HOURS)).toEqual([]);
    expect(businessHoursProblems({ timeZone: "Mars/Olympus", days: [], start: "18:00", end: "09:00" })).toEqual([
      'timeZone "Mars/Olympus" is not an IANA time zone',
      "days must be a non-empty list of Sun, Mon, Tue, Wed, Thu, Fri, Sat",
      "end 09:00 must be after start 18:00",
    ]);
    expect(businessHoursProblems({ ...berlin, start: "9:00" })).toEqual(["start and end are HH:MM times"]);
  });
});
