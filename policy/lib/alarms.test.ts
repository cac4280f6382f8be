import { describe, expect, it } from "vitest";
import { failureAlarmProblem } from "./alarms";

describe("failureAlarmProblem: can a failure (1) breach the alarm while a healthy host (0) does not?", () => {
  it("passes the kit's failure-alarm shape and the usual status-check alarm", () => {
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1, statistic: "Maximum" })).toBeUndefined();
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanThreshold", threshold: 0, statistic: "Maximum" })).toBeUndefined();
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanThreshold", threshold: 0.5, statistic: "Average" })).toBeUndefined();
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanThreshold", threshold: 1, statistic: "Sum", period: 300 })).toBeUndefined();
  });
  it("refuses thresholds a 0/1 metric never crosses, alarms that fire when healthy, and SampleCount", () => {
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanThreshold", threshold: 1, statistic: "Maximum" })).toMatch(/at most 1 per period/);
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 2, statistic: "Maximum", period: 300 })).toMatch(/never fires/);
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanThreshold", threshold: 1, statistic: "Sum", period: 60 })).toMatch(/never fires/);
    expect(failureAlarmProblem({ comparisonOperator: "LessThanThreshold", threshold: 1, statistic: "Maximum" })).toMatch(/in alarm when nothing fails/);
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 0, statistic: "Maximum" })).toMatch(/in alarm when nothing fails/);
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanThreshold", threshold: 0, statistic: "SampleCount" })).toMatch(/SampleCount/);
  });
  it("leaves band comparisons and unknown thresholds to others", () => {
    expect(failureAlarmProblem({ comparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" })).toBeUndefined();
    expect(failureAlarmProblem({ comparisonOperator: "GreaterThanThreshold" })).toBeUndefined();
  });
});
