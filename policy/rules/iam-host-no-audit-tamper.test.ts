import { describe, expect, it } from "vitest";
import type { StackResource } from "../lib/types";
import { iamHostNoAuditTamper } from "./iam-host-no-audit-tamper";

const r = (type: string, name: string, props: Record<string, unknown>, dependencies: string[] = []): StackResource => ({ type, name, urn: `urn:${name}`, props: { id: `${name}-id`, name, ...props }, dependencies });
const role = r("aws:iam/role:Role", "host", { arn: "arn:aws:iam::123456789012:role/host" });
const profile = r("aws:iam/instanceProfile:InstanceProfile", "host", { role: "host" });
const attach = (policyArn: string) => r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `a-${policyArn.split("/").pop()}`, { role: "host", policyArn });
const inline = (Action: string | string[], Resource = "*") => r("aws:iam/rolePolicy:RolePolicy", "inline", { role: "host", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action, Resource }] }) });
const judge = (resources: StackResource[]) => iamHostNoAuditTamper.validateStack(resources, {});

describe("iam-host-no-audit-tamper", () => {
  it("refuses an instance role that may stop the trail or delete logs, named or by wildcard", () => {
    expect(judge([role, profile, inline(["cloudtrail:StopLogging"])])[0]?.message).toMatch(/cloudtrail:StopLogging \(granted by inline policy\)/);
    expect(judge([role, profile, inline("logs:Delete*", "arn:aws:logs:us-east-1:123456789012:log-group:/openclaw/gw:*")])[0]?.message).toMatch(/logs:DeleteLogGroup, logs:DeleteLogStream/);
    expect(judge([role, profile, attach("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")])[0]?.message).toMatch(/logs:PutRetentionPolicy \(granted by AWS managed policy CloudWatchAgentServerPolicy/);
  });
  it("finds the host's role through a profile that names it by ARN; a profile with no role has none", () => {
    expect(judge([role, r("aws:iam/instanceProfile:InstanceProfile", "p", { role: "arn:aws:iam::123456789012:role/host" }), inline("cloudtrail:*")])).toHaveLength(1);
    expect(judge([role, r("aws:iam/instanceProfile:InstanceProfile", "p", {}, ["urn:host"]), inline("cloudtrail:*")])).toHaveLength(0);
  });
  it("passes a role no host uses, deletes in one bucket, and writes to logs", () => {
    expect(judge([role, inline("cloudtrail:*")])).toEqual([]);
    expect(judge([role, profile, inline(["s3:DeleteObject"], "arn:aws:s3:::gw-workspace/*")])).toEqual([]);
    expect(judge([role, profile, inline(["logs:CreateLogStream", "logs:PutLogEvents"])])).toEqual([]);
    expect(judge([role, profile, inline(["s3:DeleteObject"], "arn:aws:s3:::*")])[0]?.message).toMatch(/s3:DeleteObject/);
  });
  it("cannot judge a customer managed policy attached to a host role that the program does not define", () => {
    expect(() => judge([role, profile, attach("arn:aws:iam::123456789012:policy/ops")])).toThrow(/ops \(attached to host role host by a-ops\)/);
    expect(judge([role, profile, attach("arn:aws:iam::123456789012:policy/ops"), inline("cloudtrail:DeleteTrail")])).toHaveLength(1);
  });
});
