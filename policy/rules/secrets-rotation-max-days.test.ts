import { describe, expect, it } from "vitest";
import { rotationDays, secretsRotationMaxDays } from "./secrets-rotation-max-days";

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

describe("one-shot credentials", () => {
  const secret = (tags: Record<string, string>) => ({ type: "aws:secretsmanager/secret:Secret", name: "join", urn: "urn:join", props: { tags }, dependencies: [] });
  const judge = (tags: Record<string, string>) => secretsRotationMaxDays.validateStack([secret(tags)], { maxRotationDays: 90 });
  it("pass without a rotation only when they expire within the bound", () => {
    expect(judge({ "clawkeep:credential": "one-shot", "clawkeep:expires-after-seconds": "3600" })).toEqual([]);
    expect(judge({ "clawkeep:credential": "one-shot", "clawkeep:expires-after-seconds": String(200 * 86400) })).toHaveLength(1);
    expect(judge({ "clawkeep:credential": "one-shot" })[0]?.message).toMatch(/without an expiry within 90 days/);
    expect(judge({})[0]?.message).toMatch(/has no SecretRotation/);
  });
});
