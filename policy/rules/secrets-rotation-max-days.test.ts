import { describe, expect, it } from "vitest";
import { rotationDays } from "./secrets-rotation-max-days";

describe("rotationDays", () => {
  it("reads automaticallyAfterDays and rate() schedules", () => {
    expect(rotationDays({ automaticallyAfterDays: 30 })).toBe(30);
    expect(rotationDays({ scheduleExpression: "rate(10 days)" })).toBe(10);
    expect(rotationDays({ scheduleExpression: "rate(12 hours)" })).toBe(0.5);
  });
  it("bounds cron() schedules that run every month or week, and gives up on yearly ones", () => {
    expect(rotationDays({ scheduleExpression: "cron(0 4 1 * ? *)" })).toBe(31);
    expect(rotationDays({ scheduleExpression: "cron(0 4 ? * MON *)" })).toBe(7);
    expect(rotationDays({ scheduleExpression: "cron(0 4 1 6 ? *)" })).toBeUndefined();
    expect(rotationDays({})).toBeUndefined();
  });
});
