import { describe, expect, it } from "vitest";
import type { StackResource } from "../lib/types";
import { iamNoPrivilegeEscalation } from "./iam-no-privilege-escalation";

const r = (type: string, name: string, props: Record<string, unknown>): StackResource => ({ type, name, urn: `urn:${name}`, props: { id: `${name}-id`, name, ...props }, dependencies: [] });
const role = r("aws:iam/role:Role", "host", { arn: "arn:aws:iam::123456789012:role/host" });
const attach = (policyArn: string) => r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `a-${policyArn.split("/").pop()}`, { role: "host", policyArn });
const judge = (resources: StackResource[]) => iamNoPrivilegeEscalation.validateStack(resources, {});

describe("iam-no-privilege-escalation and what only the account knows", () => {
  it("cannot judge a customer managed policy the program attaches but does not define", () => {
    expect(() => judge([role, attach("arn:aws:iam::123456789012:policy/ops-power")])).toThrow(/ops-power \(attached to role host by a-ops-power\)/);
  });
  it("judges the program's own customer policy and AWS managed policies by their documents", () => {
    const own = r("aws:iam/policy:Policy", "ops-power", { arn: "arn:aws:iam::123456789012:policy/ops-power", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: "*" }] }) });
    expect(judge([role, own, attach("arn:aws:iam::123456789012:policy/ops-power")])[0]?.message).toMatch(/iam:AttachRolePolicy on every role \(granted by policy ops-power \(through a-ops-power\)\)/);
    expect(judge([role, attach("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")])).toEqual([]);
  });
  it("keeps a finding that stands without the unknown policy", () => {
    expect(judge([role, attach("arn:aws:iam::aws:policy/IAMFullAccess"), attach("arn:aws:iam::123456789012:policy/ops-power")])).toHaveLength(1);
  });
});
