// The IAM questions the rules ask, on documents written every way AWS accepts them.
import { describe, expect, it } from "vitest";
import { adminGrant, boundedArn, grantOf, grantOnAny, isPublicGrant, parsePolicy, positiveConditionValues, whoRestrictions, type Statement } from "./policyDoc";
import { unknownValue } from "./unknown";

const statements = (...s: object[]): Statement[] => parsePolicy({ Version: "2012-10-17", Statement: s }).statements;
const open = (Condition?: object) => statements({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*", ...(Condition ? { Condition } : {}) })[0];

describe("who a public statement lets in", () => {
  it("counts a restricting key only when its value pins a bounded account, organization, network or principal", () => {
    expect(isPublicGrant(open({ StringEquals: { "aws:PrincipalAccount": "123456789012" } }))).toBe(false);
    expect(isPublicGrant(open({ StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } }))).toBe(false);
    expect(isPublicGrant(open({ "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/*" } }))).toBe(false);
    expect(isPublicGrant(open({ StringEquals: { "aws:SourceVpce": "vpce-0a1b2c3d4e5f67890" } }))).toBe(false);
    expect(isPublicGrant(open({ ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:alerts" } }))).toBe(false);
    expect(isPublicGrant(open({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }))).toBe(false);
    expect(isPublicGrant(open({ StringEquals: { "kms:CallerAccount": "123456789012" } }))).toBe(false);
  });
  it("does not count a wildcard, a negation, ForAllValues, a dodgeable IfExists, a policy variable or the internet as a bound", () => {
    expect(isPublicGrant(open({ StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } }))).toBe(true);
    expect(isPublicGrant(open({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }))).toBe(true);
    expect(isPublicGrant(open({ StringLike: { "aws:PrincipalOrgID": "o-*" } }))).toBe(true);
    expect(isPublicGrant(open({ StringLike: { "aws:PrincipalAccount": "*" } }))).toBe(true);
    expect(isPublicGrant(open({ StringNotEquals: { "aws:PrincipalAccount": "999999999999" } }))).toBe(true);
    expect(isPublicGrant(open({ "ForAllValues:StringEquals": { "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/"] } }))).toBe(true);
    expect(isPublicGrant(open({ StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } }))).toBe(true);
    expect(isPublicGrant(open({ StringEqualsIfExists: { "aws:PrincipalAccount": "123456789012" } }))).toBe(false);
    expect(isPublicGrant(open({ StringEquals: { "aws:SourceAccount": "${aws:PrincipalAccount}" } }))).toBe(true);
    expect(isPublicGrant(open({ IpAddress: { "aws:SourceIp": ["0.0.0.0/0"] } }))).toBe(true);
    expect(isPublicGrant(open({ IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "::/0"] } }))).toBe(true);
    expect(isPublicGrant(open({ StringLike: { "aws:Referer": "https://example.com/*" } }))).toBe(true);
    expect(isPublicGrant(open({ StringEquals: { "sts:ExternalId": "shared-secret" } }))).toBe(true);
  });
  it("treats everyone-but-NotPrincipal as everyone, and {AWS: '*'} as '*'", () => {
    expect(isPublicGrant(statements({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:Decrypt", Resource: "*" })[0])).toBe(true);
    expect(isPublicGrant(statements({ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root", "*"] }, Action: "kms:Decrypt", Resource: "*" })[0])).toBe(true);
    expect(isPublicGrant(statements({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" })[0])).toBe(false);
  });
  it("cannot judge a condition whose value the offline evaluation does not know", () => {
    expect(() => whoRestrictions(open({ StringEquals: { "aws:PrincipalAccount": unknownValue("the account of the org") } }))).toThrow(/cannot judge offline/);
  });
  it("reads a key's positive values, IfExists only when the key is always sent", () => {
    const s = open({ StringLikeIfExists: { "x:sub": "repo:acme/*" }, StringNotLike: { "x:sub": "repo:evil/*" } });
    expect(positiveConditionValues(s, "x:sub")).toEqual([]);
    expect(positiveConditionValues(s, "X:SUB", true)).toEqual([{ values: ["repo:acme/*"], wildcards: true }]);
  });
  it("bounds source ARNs by account (or S3 bucket name)", () => {
    expect(boundedArn("arn:aws:execute-api:us-east-1:123456789012:abc/*")).toBe(true);
    expect(boundedArn("arn:aws:execute-api:us-east-1:*:*")).toBe(false);
    expect(boundedArn("arn:aws:s3:::clawkeep-uploads")).toBe(true);
    expect(boundedArn("arn:aws:s3:::*")).toBe(false);
    expect(boundedArn("*")).toBe(false);
  });
});

describe("what an identity policy grants", () => {
  it("finds administrator access in every spelling", () => {
    expect(adminGrant(statements({ Effect: "Allow", Action: "*", Resource: "*" }))).toBeDefined();
    expect(adminGrant(statements({ Effect: "Allow", Action: ["*:*"], Resource: ["*"] }))).toBeDefined();
    expect(adminGrant(statements({ Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" }))).toBeDefined();
    expect(adminGrant(statements({ Effect: "Allow", Action: "*", NotResource: "arn:aws:iam::123456789012:role/break-glass" }))).toBeDefined();
    expect(adminGrant(statements({ Effect: "Allow", Action: "*", Resource: "arn:*:*:*:*:*" }))).toBeDefined();
    expect(adminGrant(statements({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }))).toBeDefined();
  });
  it("does not call a service-wide grant, a resource-scoped one, a tag-scoped one or a denied one administrator", () => {
    expect(adminGrant(statements({ Effect: "Allow", Action: "iam:*", Resource: "*" }))).toBeUndefined();
    expect(adminGrant(statements({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::bundle/*" }))).toBeUndefined();
    expect(adminGrant(statements({ Effect: "Allow", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/cell": "gw" } } }))).toBeUndefined();
    expect(adminGrant(statements({ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "*", Resource: "*" }))).toBeUndefined();
    // A conditional Deny may not apply: the grant stands.
    expect(adminGrant(statements({ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }))).toBeDefined();
  });
  it("reads 'every secret' from the resource pattern, not the program's secrets", () => {
    const on = (Resource: unknown, extra: object = {}) => grantOnAny(statements({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource, ...extra }), "secretsmanager:GetSecretValue", "secretsmanager", "secret:zz-unnamed-probe-Q1w2E3");
    expect(on("*")).toBeDefined();
    expect(on("arn:aws:secretsmanager:*:*:secret:*")).toBeDefined();
    expect(on("arn:aws:secretsmanager:us-east-1:123456789012:secret:*")).toBeDefined();
    expect(on("arn:aws:secretsmanager:us-east-1:123456789012:secret:clawkeep/level1/gw/*")).toBeUndefined();
    expect(grantOnAny(statements({ Effect: "Allow", Action: "secretsmanager:*", NotResource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*" }), "secretsmanager:GetSecretValue", "secretsmanager", "secret:zz")).toBeDefined();
  });
  it("applies a permissions boundary: both must allow", () => {
    const s = statements({ Effect: "Allow", Action: "iam:*", Resource: "*" });
    const boundary = statements({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
    expect(grantOf(s, "iam:PutRolePolicy", "arn:aws:iam::123456789012:role/x")).toBeDefined();
    expect(grantOf(s, "iam:PutRolePolicy", "arn:aws:iam::123456789012:role/x", boundary)).toBeUndefined();
  });
});
