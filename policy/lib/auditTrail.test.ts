// Which trails record who changed what (write management events), in every selector form.
import { describe, expect, it } from "vitest";
import { recordsWriteManagementEvents } from "./auditTrail";
import { UNKNOWN } from "./references";

const mgmt = (extra: object[] = []) => ({ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, ...extra] });

describe("recordsWriteManagementEvents", () => {
  it.each([
    ["no selectors (AWS records all management events)", {}],
    ["a basic selector, defaults", { eventSelectors: [{}] }],
    ["a basic WriteOnly selector", { eventSelectors: [{ readWriteType: "WriteOnly" }] }],
    ["a basic selector excluding KMS events", { eventSelectors: [{ readWriteType: "All", excludeManagementEventSources: ["kms.amazonaws.com"] }] }],
    ["one of several basic selectors", { eventSelectors: [{ readWriteType: "ReadOnly" }, { readWriteType: "All", includeManagementEvents: true }] }],
    ["an advanced management selector", { advancedEventSelectors: [mgmt()] }],
    ["an advanced selector for writes", { advancedEventSelectors: [mgmt([{ field: "readOnly", equals: ["false"] }])] }],
    ["an advanced selector excluding rdsdata", { advancedEventSelectors: [mgmt([{ field: "eventSource", notEquals: ["rdsdata.amazonaws.com"] }])] }],
  ])("counts %s", (_what, props) => expect(recordsWriteManagementEvents(props)).toBe(true));

  it.each([
    ["a basic selector without management events", { eventSelectors: [{ includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3:::b/"] }] }] }],
    ["a basic ReadOnly selector", { eventSelectors: [{ readWriteType: "ReadOnly", includeManagementEvents: true }] }],
    ["a basic selector that drops IAM", { eventSelectors: [{ excludeManagementEventSources: ["iam.amazonaws.com"] }] }],
    ["advanced data events only", { advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] }] }] }],
    ["advanced read-only management events", { advancedEventSelectors: [mgmt([{ field: "readOnly", equals: ["true"] }])] }],
    ["advanced management events of one service", { advancedEventSelectors: [mgmt([{ field: "eventSource", equals: ["s3.amazonaws.com"] }])] }],
    ["advanced management events not of IAM", { advancedEventSelectors: [mgmt([{ field: "eventSource", notEquals: ["iam.amazonaws.com"] }])] }],
  ])("does not count %s", (_what, props) => expect(recordsWriteManagementEvents(props)).toBe(false));

  it("cannot tell when preview hides the selectors (CrossGuard throws on reading an unknown value)", () => {
    class UnknownValueError extends Error {}
    const props = Object.defineProperty({}, "eventSelectors", { enumerable: true, get: () => { throw new UnknownValueError("unknown"); } });
    expect(recordsWriteManagementEvents(props)).toBe(UNKNOWN);
  });
});
