import { describe, expect, it } from "vitest";
import type { StackResource } from "../lib/types";
import { iamNoPrivilegeEscalation } from "./iam-no-privilege-escalation";
import { iamHostNoBoundaryEscape } from "./iam-host-no-boundary-escape";

const ACCOUNT = "123456789012";
const r = (type: string, name: string, props: Record<string, unknown>, dependencies: string[] = []): StackResource => ({ type, name, urn: `urn:${name}`, props: { id: `${name}-id`, name, ...props }, dependencies });
const role = r("aws:iam/role:Role", "host", { arn: `arn:aws:iam::${ACCOUNT}:role/host` });
const profile = r("aws:iam/instanceProfile:InstanceProfile", "host", { role: "host" });
const inline = (...Statement: object[]) => r("aws:iam/rolePolicy:RolePolicy", "inline", { role: "host", policy: JSON.stringify({ Version: "2012-10-17", Statement }) });
const allow = (Action: string | string[], Resource: string | string[] = "*", extra: object = {}) => ({ Effect: "Allow", Action, Resource, ...extra });
const judge = (resources: StackResource[]) => iamHostNoBoundaryEscape.validateStack(resources, {});
const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:openclaw-rotate`;
const secret = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:openclaw/prod/gateway-token-Ab12Cd`;
const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe("iam-host-no-boundary-escape", () => {
  it("refuses boundary actions on the very resources a host role names, not only on *", () => {
    expect(judge([role, profile, inline(allow(["lambda:UpdateFunctionCode"], fn))])[0]?.message).toMatch(/lambda:UpdateFunctionCode \(runs its code as a function's role\)/);
    expect(judge([role, profile, inline(allow(["lambda:UpdateFunctionConfiguration"], fn))])[0]?.message).toMatch(/UpdateFunctionConfiguration/);
    expect(judge([role, profile, inline(allow(["secretsmanager:DeleteResourcePolicy"], secret))])[0]?.message).toMatch(/DeleteResourcePolicy \(unbinds/);
    expect(judge([role, profile, inline(allow(["kms:PutKeyPolicy", "kms:CreateGrant"], key))])[0]?.message).toMatch(/kms:PutKeyPolicy, kms:CreateGrant/);
    expect(judge([role, profile, inline(allow("ec2:Authorize*", `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-0abc`))])[0]?.message).toMatch(/AuthorizeSecurityGroupIngress/);
    expect(judge([role, profile, inline(allow("ec2:ModifyInstanceMetadataOptions"))])[0]?.message).toMatch(/metadata/);
    expect(judge([role, profile, inline(allow("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/host`))])[0]?.message).toMatch(/iam:PutRolePolicy/);
  });
  it("refuses iam:PassRole on one named role beside a service that runs it, named stacks included", () => {
    const cfnExec = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`;
    const got = judge([role, profile, inline(allow("iam:PassRole", cfnExec, { Condition: { StringEquals: { "iam:PassedToService": "cloudformation.amazonaws.com" } } }), allow("cloudformation:CreateStack", `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/openclaw-helper-*/*`))]);
    expect(got[0]?.message).toMatch(/iam:PassRole with cloudformation:CreateStack/);
    expect(judge([role, profile, inline(allow("iam:PassRole", cfnExec), allow("ec2:AssociateIamInstanceProfile"))])[0]?.message).toMatch(/AssociateIamInstanceProfile/);
  });
  it("passes what a host needs (its secret, its key through Secrets Manager, its log group) and PassRole with no way to run it", () => {
    expect(judge([role, profile, inline(allow("secretsmanager:GetSecretValue", secret), allow(["kms:Decrypt"], key), allow(["logs:CreateLogStream", "logs:PutLogEvents"], `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/openclaw/gw:*`))])).toEqual([]);
    expect(judge([role, profile, inline(allow("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/x`), allow("lambda:InvokeFunction", fn))])).toEqual([]);
    expect(judge([role, profile, inline(allow("lambda:UpdateFunctionCode", fn), { Effect: "Deny", Action: "lambda:Update*", Resource: "*" })])).toEqual([]);
  });
  it("judges host roles only: an operator role may administer", () => {
    expect(judge([role, inline(allow(["kms:PutKeyPolicy", "lambda:UpdateFunctionCode"], "*"))])).toEqual([]);
  });
});

describe("iam-no-privilege-escalation: a launcher named by resource still runs any passed role", () => {
  const op = r("aws:iam/role:Role", "op", { arn: `arn:aws:iam::${ACCOUNT}:role/op` });
  const pol = (...Statement: object[]) => r("aws:iam/rolePolicy:RolePolicy", "op-inline", { role: "op", policy: JSON.stringify({ Version: "2012-10-17", Statement }) });
  it("refuses iam:PassRole on * with cloudformation:CreateStack limited to some stacks", () => {
    const got = iamNoPrivilegeEscalation.validateStack([op, pol(allow("iam:PassRole", "*"), allow("cloudformation:CreateStack", `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/helper-*/*`))], {});
    expect(got[0]?.message).toMatch(/iam:PassRole on every role with cloudformation:CreateStack/);
  });
  it("passes iam:PassRole on * with no launcher", () => {
    expect(iamNoPrivilegeEscalation.validateStack([op, pol(allow("iam:PassRole", "*"), allow("lambda:InvokeFunction", "*"))], {})).toEqual([]);
  });
});
