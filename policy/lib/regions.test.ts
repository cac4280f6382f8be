import { describe, expect, it } from "vitest";
import { placementOf, sameRegion } from "./regions";
import type { StackResource } from "./types";
import { CannotJudge } from "./unknown";
import { UNKNOWN_OPEN } from "./unknown";

const res = (name: string, props: Record<string, unknown>, provider?: { urn: string; region?: string }): StackResource => ({
  type: "aws:ec2/instance:Instance",
  name,
  urn: `urn:pulumi:s::p::aws:ec2/instance:Instance::${name}`,
  props,
  dependencies: [],
  ...(provider ? { provider: { type: "pulumi:providers:aws", urn: provider.urn, props: provider.region ? { region: provider.region } : {} } } : {}),
});

describe("sameRegion", () => {
  it("compares known regions: the region argument beats the provider's", () => {
    const def = res("default", { region: "eu-west-1" }, { urn: "p1", region: "us-east-1" });
    expect(placementOf(def).region).toBe("eu-west-1");
    expect(sameRegion(def, res("host", {}, { urn: "p1", region: "us-east-1" }), "test")).toBe(false);
    expect(sameRegion(def, res("host", {}, { urn: "p2", region: "eu-west-1" }), "test")).toBe(true);
  });
  it("takes two resources on one provider with no region argument as one region, whichever it is", () => {
    expect(sameRegion(res("a", {}, { urn: "p1" }), res("b", {}, { urn: "p1" }), "test")).toBe(true);
    expect(sameRegion(res("a", {}), res("b", {}), "test")).toBe(true);
  });
  it("cannot judge a region only the deployment knows", () => {
    expect(() => sameRegion(res("a", {}, { urn: "p1" }), res("b", {}, { urn: "p2", region: "us-east-1" }), "why")).toThrow(CannotJudge);
    expect(() => sameRegion(res("a", {}, { urn: "p1" }), res("b", {}, { urn: "p2" }), "why")).toThrow(/the region of instance "a" \(why\)/);
    expect(() => sameRegion(res("a", {}, { urn: "p1", region: "us-east-1" }), res("b", {}, { urn: "p2" }), "why")).toThrow(/instance "b"/);
  });
  it("reads an unknown marker as a region string (the judge's tracking makes the rule blind), never as a match", () => {
    const marker = `${UNKNOWN_OPEN}region]`;
    expect(sameRegion(res("a", { region: marker }), res("b", { region: "us-east-1" }), "why")).toBe(false);
  });
});
