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
  it("binds nothing by aws:PrincipalAccount: that is the trusted account itself", () => {
    expect(judge([role("v", trust("999988887777", { StringEquals: { "aws:PrincipalAccount": "999988887777" } }))])).toHaveLength(1);
  });
  it("before any ARN exists (a first preview), takes the account a KMS key policy gives its root; else cannot judge", () => {
    const key = (root: string): StackResource => ({
      type: "aws:kms/key:Key",
      name: "k",
      urn: "urn:k",
      props: { policy: JSON.stringify({ Statement: [{ Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${root}:root` }, Action: "kms:*", Resource: "*" }] }) },
      dependencies: [],
    });
    expect(judge([role("own", trust("arn:aws:iam::123456789012:root"), null), key("123456789012")])).toEqual([]);
    expect(judge([role("v", trust("999988887777"), null), key("123456789012")])[0]?.message).toMatch(/lets account 999988887777/);
    expect(() => judge([role("v", trust("999988887777"), null)])).toThrow(/whether account 999988887777 trusted by role v is the stack's own/);
  });
});
