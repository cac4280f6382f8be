import { describe, expect, it } from "vitest";
import type { StackResource } from "../lib/types";
import { iamTrustExternalId, principalAccount } from "./iam-trust-external-id";

const trust = (AWS: unknown, Condition?: object) => JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS }, Action: "sts:AssumeRole", ...(Condition ? { Condition } : {}) }] });
const role = (name: string, assumeRolePolicy: string, arn: string | null = `arn:aws:iam::123456789012:role/${name}`): StackResource => ({
  type: "aws:iam/role:Role",
  name,
  urn: `urn:${name}`,
  props: { name, assumeRolePolicy, ...(arn ? { arn } : {}) },
  dependencies: [],
});
const judge = (resources: StackResource[]) => iamTrustExternalId.validateStack(resources, {});

describe("iam-trust-external-id", () => {
  it("reads the account of every AWS principal form", () => {
    expect(["999988887777", "arn:aws:iam::999988887777:root", "arn:aws:iam::999988887777:role/x", "arn:aws-us-gov:iam::999988887777:user/a/b", "arn:aws:sts::999988887777:assumed-role/r/s"].map(principalAccount)).toEqual(Array(5).fill("999988887777"));
    expect(["*", "arn:aws:iam::*:root", "ec2.amazonaws.com"].map(principalAccount)).toEqual([undefined, undefined, undefined]);
  });
  it("refuses another account without an external id, in a string or an array", () => {
    expect(judge([role("v", trust("999988887777"))])[0]?.message).toMatch(/lets account 999988887777 \(not this stack's account\)/);
    expect(judge([role("v", trust(["arn:aws:iam::123456789012:root", "arn:aws:iam::999988887777:role/x"]))])).toHaveLength(1);
    expect(judge([role("v", trust("999988887777", { StringEquals: { "sts:ExternalId": "" } }))])).toHaveLength(1);
  });
  it("passes the stack's own account, an external id and an organization binding", () => {
    expect(judge([role("v", trust("arn:aws:iam::123456789012:root"))])).toEqual([]);
    expect(judge([role("v", trust("999988887777", { StringEquals: { "sts:ExternalId": "vendor-given-id" } }))])).toEqual([]);
    expect(judge([role("v", trust("999988887777", { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } }))])).toEqual([]);
  });
  it("cannot judge when no ARN of the program tells its own account", () => {
    expect(() => judge([role("v", trust("999988887777"), null)])).toThrow(/whether account 999988887777 trusted by role v is the stack's own/);
  });
});
