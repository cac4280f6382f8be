// The out-of-hours detector: the decision for each kind of CloudTrail event. The bundled function
// itself runs against moto's CloudWatch in outOfHours.integration.test.ts.
import { describe, expect, it } from "vitest";
import { DEFAULT_BUSINESS_HOURS } from "../../stacks/businessHours";
import { OUT_OF_HOURS_ENV, classify, configFromEnv, type CloudTrailEvent, type DetectorConfig } from "./outOfHours";

const HOST_ROLE = "arn:aws:iam::123456789012:role/gw-host-role";
const config: DetectorConfig = { hours: DEFAULT_BUSINESS_HOURS, namespace: "clawkeep/test/gw", metricName: "ChangesOutsideBusinessHours", ignoredPrincipals: [HOST_ROLE] };

/** An EventBridge "AWS API Call via CloudTrail" event, shaped as CloudTrail records it. */
function event(eventTime: string, over: Partial<NonNullable<CloudTrailEvent["detail"]>> = {}): CloudTrailEvent {
  return {
    "detail-type": "AWS API Call via CloudTrail",
    time: eventTime,
    detail: {
      eventTime,
      eventSource: "ec2.amazonaws.com",
      eventName: "ModifyInstanceAttribute",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.7",
      readOnly: false,
      userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::123456789012:assumed-role/admin/alice", sessionContext: { sessionIssuer: { arn: "arn:aws:iam::123456789012:role/admin" } } },
      ...over,
    },
  };
}

// 2026-11-28 is a Saturday; 2026-11-24 a Tuesday.
const SATURDAY = "2026-11-28T03:12:00Z";
const TUESDAY_NOON = "2026-11-24T12:00:00Z";

describe("classify", () => {
  it("counts a person's change outside business hours, with who, what and where", () => {
    expect(classify(event(SATURDAY), config)).toEqual({
      outsideBusinessHours: true,
      counted: true,
      eventTime: "2026-11-28T03:12:00.000Z",
      eventSource: "ec2.amazonaws.com",
      eventName: "ModifyInstanceAttribute",
      principal: "arn:aws:iam::123456789012:role/admin",
      sourceIp: "198.51.100.7",
    });
  });

  it("does not count changes in hours, reads, the kit's automation or AWS services", () => {
    expect(classify(event(TUESDAY_NOON), config).counted).toBe(false);
    expect(classify(event(SATURDAY, { readOnly: true }), config).counted).toBe(false);
    expect(classify(event(SATURDAY, { userIdentity: { type: "AssumedRole", sessionContext: { sessionIssuer: { arn: HOST_ROLE } } } }), config).counted).toBe(false);
    expect(classify(event(SATURDAY, { userIdentity: { type: "AWSService", invokedBy: "autoscaling.amazonaws.com" } }), config).counted).toBe(false);
  });

  it("refuses an event without a time and a configuration without valid hours", () => {
    expect(() => classify({ detail: {} }, config)).toThrow(/eventTime/);
    const env = { [OUT_OF_HOURS_ENV.namespace]: "n", [OUT_OF_HOURS_ENV.metricName]: "m" };
    expect(() => configFromEnv(env)).toThrow(/CLAWKEEP_BUSINESS_HOURS is not set/);
    expect(() => configFromEnv({ ...env, [OUT_OF_HOURS_ENV.businessHours]: JSON.stringify({ ...DEFAULT_BUSINESS_HOURS, end: "07:00" }) })).toThrow(/must be after start/);
  });
});
