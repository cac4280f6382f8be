import { describe, expect, it } from "vitest";
import { DEFAULT_AUDIT_SETTINGS, auditSettingsProblems } from "./audit";

describe("audit settings", () => {
  it("accepts the defaults", () => {
    expect(auditSettingsProblems(DEFAULT_AUDIT_SETTINGS)).toEqual([]);
  });

  it("names every value outside its limits, with what is allowed", () => {
    const problems = auditSettingsProblems({
      securityLogRetentionDays: 30,
      trailRetentionDays: 100,
      alarms: { authFailuresPer10Min: 0, egressDeniedPer5Min: 1.5, modelApiConnectionsPerHour: 600, unhealthyMinutes: 61, agentExecsPer5Min: 10_001 },
      businessHours: { ...DEFAULT_AUDIT_SETTINGS.businessHours, timeZone: "Nowhere/Land" },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^securityLogRetentionDays: 30; allowed: a CloudWatch retention value of at least 90/),
      "trailRetentionDays: 100; allowed: whole days from 365 to 3653",
      "alarms.authFailuresPer10Min: 0; allowed: a whole number from 1 to 100",
      "alarms.egressDeniedPer5Min: 1.5; allowed: a whole number from 1 to 1000",
      "alarms.unhealthyMinutes: 61; allowed: a whole number from 1 to 60",
      "alarms.agentExecsPer5Min: 10001; allowed: a whole number from 1 to 10000",
      'businessHours: timeZone "Nowhere/Land" is not an IANA time zone',
    ]);
  });
});
