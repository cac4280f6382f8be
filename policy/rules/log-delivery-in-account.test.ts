import { describe, expect, it } from "vitest";
import type { StackResource } from "../lib/types";
import { unknownValue } from "../lib/unknown";
import { logDeliveryInAccount } from "./log-delivery-in-account";

const OWN = "123456789012";
const r = (type: string, name: string, props: Record<string, unknown>): StackResource => ({ type, name, urn: `urn:${name}`, props: { id: `${name}-id`, ...props }, dependencies: [] });
const group = r("aws:cloudwatch/logGroup:LogGroup", "gw", { arn: `arn:aws:logs:us-east-1:${OWN}:log-group:/openclaw/gateway` });
const filter = (destinationArn: unknown) => r("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "f", { logGroup: "/openclaw/gateway", filterPattern: "", destinationArn });
const judge = (resources: StackResource[]) => logDeliveryInAccount.validateStack(resources, {});

describe("log-delivery-in-account", () => {
  it("refuses log events sent to another account, by every resource that sends them", () => {
    expect(judge([group, filter("arn:aws:logs:us-east-1:999988887777:destination:mssp")])[0]?.message).toMatch(/account 999988887777, not the stack's own \(123456789012\)/);
    expect(judge([group, filter("arn:aws:kinesis:us-east-1:999988887777:stream/x")])).toHaveLength(1);
    expect(judge([group, r("aws:cloudwatch/logAccountPolicy:LogAccountPolicy", "acct", { policyType: "SUBSCRIPTION_FILTER_POLICY", policyDocument: JSON.stringify({ DestinationArn: "arn:aws:firehose:us-east-1:999988887777:deliverystream/x", FilterPattern: "" }) })])).toHaveLength(1);
    expect(judge([group, r("aws:cloudwatch/logDestination:LogDestination", "d", { targetArn: "arn:aws:kinesis:us-east-1:999988887777:stream/x" })])).toHaveLength(1);
    expect(judge([group, r("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "dd", { deliveryDestinationConfiguration: { destinationResourceArn: "arn:aws:logs:us-east-1:999988887777:log-group:x" } })])).toHaveLength(1);
  });
  it("passes destinations of the stack's own account, and S3 buckets (no account in their ARN)", () => {
    expect(judge([group, filter(`arn:aws:kinesis:us-east-1:${OWN}:stream/audit`)])).toEqual([]);
    expect(judge([group, r("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "dd", { deliveryDestinationConfiguration: { destinationResourceArn: "arn:aws:s3:::audit-bucket" } })])).toEqual([]);
  });
  it("cannot judge a target not known yet, or when no ARN of the program names its account", () => {
    expect(() => judge([group, filter(unknownValue("the ARN of stream x"))])).toThrow(/not known yet/);
    expect(() => judge([filter("arn:aws:kinesis:us-east-1:999988887777:stream/x")])).toThrow(/no ARN of the program names its account/);
  });
});
