// Config keys of day two (issue 18): who alarms reach, backup retention per level, the restore key,
// and what a destroy keeps. Every bad value names the key, the value and what is allowed.
import { describe, expect, it } from "vitest";
import { ConfigError, deployOnlyIssues, isPlaceholder, keptKeys, loadStackFile, parseStackConfig, snapshotIdOfRecoveryPoint, type ConfigIssue } from "./index";

function issuesOf(input: unknown): ConfigIssue[] {
  try {
    parseStackConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const promotion = { reviewer: "A. Reviewer", date: "2026-11-01", tested: "ran level 1 for 30 days in staging" };

describe("alarm subscribers", () => {
  it.each([2, 3])("level %i without a subscriber is refused, naming alarmEmail and what is allowed", (level) => {
    const issues = issuesOf({ trustLevel: level, promotion });
    expect(issues).toEqual([
      { key: "alarmEmail", given: undefined, allowed: `an e-mail address (or an alarmSubscriptions entry: email, https, sqs, lambda) at trust level ${level}: its alarms must reach a person` },
    ]);
  });

  it("level 2 takes an e-mail, or any subscription instead", () => {
    expect(parseStackConfig({ trustLevel: 2, promotion, alarmEmail: "oncall@corp.io" }).alarmSubscribers).toEqual([{ protocol: "email", endpoint: "oncall@corp.io" }]);
    const https = { protocol: "https", endpoint: "https://events.pagerduty.com/integration/abc/enqueue" };
    expect(parseStackConfig({ trustLevel: 2, promotion, alarmSubscriptions: [https] }).alarmSubscribers).toEqual([https]);
    const both = parseStackConfig({ trustLevel: 3, promotion, alarmEmail: "a@corp.io", alarmSubscriptions: [https] }).alarmSubscribers;
    expect(both.map((s) => s.protocol)).toEqual(["email", "https"]);
  });

  it("levels 0 and 1 run without one (the plan warns)", () => {
    expect(parseStackConfig({ trustLevel: 0 }).alarmSubscribers).toEqual([]);
    expect(parseStackConfig({ trustLevel: 1 }).alarmSubscribers).toEqual([]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ["an http (not https) URL", { protocol: "https", endpoint: "http://hooks.corp.io/x" }, "alarmSubscriptions.0.endpoint", /an https:\/\/ URL/],
    ["a queue name, not its ARN", { protocol: "sqs", endpoint: "alarms" }, "alarmSubscriptions.0.endpoint", /an SQS queue ARN/],
    ["a function name, not its ARN", { protocol: "lambda", endpoint: "page-me" }, "alarmSubscriptions.0.endpoint", /a Lambda function ARN/],
    ["not an e-mail", { protocol: "email", endpoint: "oncall" }, "alarmSubscriptions.0.endpoint", /an e-mail address for protocol email/],
    ["a protocol SNS has but the kit bounds out", { protocol: "sms", endpoint: "+15555550100" }, "alarmSubscriptions.0.protocol", /one of "email", "https", "sqs", "lambda"/],
  ])("refuses %s", (_what, sub, key, allowed) => {
    const issues = issuesOf({ trustLevel: 1, alarmSubscriptions: [sub] });
    expect(issues.map((i) => i.key)).toEqual([key]);
    expect(issues[0].allowed).toMatch(allowed);
  });

  it("refuses more than five subscriptions", () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ protocol: "email", endpoint: `p${i}@corp.io` }));
    expect(issuesOf({ trustLevel: 1, alarmSubscriptions: six })).toEqual([{ key: "alarmSubscriptions", given: six, allowed: "at most 5 entries" }]);
  });

  it("knows a placeholder: reserved example domains receive nothing", () => {
    for (const endpoint of ["x@example.com", "x@mail.example.org", "x@corp.test", "x@a.invalid"]) expect(isPlaceholder({ protocol: "email", endpoint }), endpoint).toBe(true);
    expect(isPlaceholder({ protocol: "https", endpoint: "https://hooks.example.net/x" })).toBe(true);
    for (const endpoint of ["x@corp.io", "x@example.com.corp.io", "x@notexample.com"]) expect(isPlaceholder({ protocol: "email", endpoint }), endpoint).toBe(false);
    expect(isPlaceholder({ protocol: "sqs", endpoint: "arn:aws:sqs:us-east-1:123456789012:example" })).toBe(false);
  });

  it("a real deploy refuses placeholders the offline plan accepts, naming the key", () => {
    const m = parseStackConfig({
      trustLevel: 2,
      promotion,
      alarmEmail: "oncall@example.com",
      alarmSubscriptions: [
        { protocol: "https", endpoint: "https://pager.corp.io/x" },
        { protocol: "https", endpoint: "https://hooks.example.net/y" },
      ],
    });
    expect(deployOnlyIssues(m).map((i) => [i.key, i.given])).toEqual([
      ["alarmEmail", "oncall@example.com"],
      ["alarmSubscriptions.1.endpoint", "https://hooks.example.net/y"],
    ]);
    expect(deployOnlyIssues(parseStackConfig({ trustLevel: 2, promotion, alarmEmail: "oncall@corp.io" }))).toEqual([]);
  });

  it("the example level 2 and 3 stacks carry a placeholder, so only the offline plan takes them as they are", () => {
    for (const stack of ["level2", "level3"]) expect(deployOnlyIssues(loadStackFile(stack)).map((i) => i.key), stack).toEqual(["alarmEmail"]);
    for (const stack of ["level0", "level1"]) expect(deployOnlyIssues(loadStackFile(stack)), stack).toEqual([]);
  });
});

describe("backup retention per trust level", () => {
  it("defaults by level", () => {
    expect(parseStackConfig({ trustLevel: 0 }).backup.retentionDays).toBe(14);
    expect(parseStackConfig({ trustLevel: 1 }).backup.retentionDays).toBe(14);
    expect(parseStackConfig({ trustLevel: 2, promotion, alarmEmail: "a@corp.io" }).backup.retentionDays).toBe(35);
  });

  it.each<[number, number, boolean]>([
    [0, 7, true],
    [0, 35, true],
    [0, 6, false],
    [1, 36, false],
    [2, 14, true],
    [2, 13, false],
    [3, 90, true],
    [3, 91, false],
  ])("level %i, %i days: %s", (level, days, ok) => {
    const input = { trustLevel: level, backupRetentionDays: days, ...(level >= 2 ? { promotion, alarmEmail: "a@corp.io" } : {}) };
    if (ok) expect(parseStackConfig(input).backup.retentionDays).toBe(days);
    else expect(issuesOf(input)).toEqual([{ key: "backupRetentionDays", given: days, allowed: expect.stringMatching(new RegExp(`^whole days from \\d+ to \\d+ at trust level ${level}`)) }]);
  });
});

describe("restore: stateVolumeSnapshotId", () => {
  it("takes a snapshot id and refuses anything else", () => {
    expect(parseStackConfig({ trustLevel: 1, stateVolumeSnapshotId: "snap-0123456789abcdef0" }).backup.restoreSnapshotId).toBe("snap-0123456789abcdef0");
    const issues = issuesOf({ trustLevel: 1, stateVolumeSnapshotId: "arn:aws:backup:us-east-1:123456789012:recovery-point:abc" });
    expect(issues.map((i) => [i.key, i.allowed])).toEqual([["stateVolumeSnapshotId", "an EBS snapshot id (snap-...) of one of the cell's recovery points"]]);
  });

  it("reads the snapshot id out of an EBS recovery point ARN", () => {
    expect(snapshotIdOfRecoveryPoint("arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0")).toBe("snap-0123456789abcdef0");
    expect(snapshotIdOfRecoveryPoint("snap-01234567")).toBe("snap-01234567");
    expect(snapshotIdOfRecoveryPoint("arn:aws:backup:eu-west-1:123456789012:recovery-point:abc")).toBeUndefined();
    expect(snapshotIdOfRecoveryPoint("arn:aws:ec2:eu-west-1::snapshot/snap-xyz")).toBeUndefined();
  });
});

describe("teardown", () => {
  it("keeps the audit trail, the backups and a 7-day secret recovery window unless told otherwise", () => {
    const t = parseStackConfig({ trustLevel: 0 }).teardown;
    expect(t).toEqual({ keepAuditTrail: true, keepBackups: true, secretRecoveryDays: 7 });
    expect(keptKeys(t)).toEqual({ dataKey: true, logsKey: true });
    expect(keptKeys({ ...t, keepAuditTrail: false, keepBackups: false })).toEqual({ dataKey: false, logsKey: false });
  });

  it.each([0, 7, 30])("takes a recovery window of %i days", (days) => {
    expect(parseStackConfig({ trustLevel: 0, teardown: { secretRecoveryDays: days } }).teardown.secretRecoveryDays).toBe(days);
  });

  it.each([1, 6, 31])("refuses a recovery window of %i days", (days) => {
    expect(issuesOf({ trustLevel: 0, teardown: { secretRecoveryDays: days } })).toEqual([
      { key: "teardown.secretRecoveryDays", given: days, allowed: "0 (deleted at destroy, the names free at once) or 7-30 days (restorable that long, the names taken that long)" },
    ]);
  });

  it("refuses an unknown teardown key with the nearest one", () => {
    expect(issuesOf({ trustLevel: 0, teardown: { keepAuditTrial: false } })[0]).toMatchObject({ key: "teardown.keepAuditTrial", allowed: expect.stringMatching(/did you mean teardown\.keepAuditTrail\?/) });
  });
});
