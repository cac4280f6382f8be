// Escalation paths, the AWS managed-policy table, and whose policies are whose across a stack.
import { describe, expect, it } from "vitest";
import { DANGEROUS_MANAGED_POLICIES, dangerousStatements, managedPolicyDocument, managedPolicyName } from "./awsManagedPolicies";
import { escalationPaths, identitiesOf, identityPolicies, managedPolicyDoc } from "./iam";
import { adminGrant, grantOnAny, parsePolicy, type Statement } from "./policyDoc";
import type { StackResource } from "./types";

const statements = (...s: object[]): Statement[] => parsePolicy({ Statement: s }).statements;
const hows = (s: Statement[], self?: { kind: "role" | "user" | "group"; arn?: string }) => escalationPaths(s, self).map((e) => e.how);

describe("escalationPaths", () => {
  it("finds IAM writes on any identity, and on the identity itself", () => {
    expect(hows(statements({ Effect: "Allow", Action: "iam:*", Resource: "*" }))).toEqual(expect.arrayContaining(["iam:PutRolePolicy on every role", "iam:CreateAccessKey on every user", "iam:CreatePolicyVersion on every customer managed policy"]));
    expect(hows(statements({ Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: "arn:aws:iam::123456789012:role/*" }))).toEqual(["iam:AttachRolePolicy on every role"]);
    const self = statements({ Effect: "Allow", Action: "iam:PutRolePolicy", Resource: "arn:aws:iam::123456789012:role/me" });
    expect(hows(self)).toEqual([]);
    expect(hows(self, { kind: "role", arn: "arn:aws:iam::123456789012:role/me" })).toEqual(["iam:PutRolePolicy on itself"]);
  });
  it("finds iam:PassRole on any role only together with a way to start compute", () => {
    const pass = { Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } };
    expect(hows(statements(pass))).toEqual([]);
    expect(hows(statements(pass, { Effect: "Allow", Action: "ec2:RunInstances", Resource: "*" }))[0]).toMatch(/iam:PassRole on every role with ec2:RunInstances/);
    expect(hows(statements({ ...pass, Resource: "arn:aws:iam::123456789012:role/gateway-host" }, { Effect: "Allow", Action: "ec2:*", Resource: "*" }))).toEqual([]);
  });
  it("lets an unconditional Deny or a resource-tag condition close a path", () => {
    expect(hows(statements({ Effect: "Allow", Action: "iam:*", Resource: "*" }, { Effect: "Deny", Action: ["iam:Put*", "iam:Attach*", "iam:Update*", "iam:Create*", "iam:Delete*", "iam:Add*", "iam:Set*"], Resource: "*" }))).toEqual([]);
    expect(hows(statements({ Effect: "Allow", Action: "iam:PutRolePolicy", Resource: "*", Condition: { StringEquals: { "iam:ResourceTag/team": "gw" } } }))).toEqual([]);
    expect(hows(statements({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }))).toEqual(["sts:AssumeRole on every role"]);
  });
});

describe("the AWS managed policy table", () => {
  it("holds parseable statements under the ARN path, found by path or bare name", () => {
    for (const [path, st] of Object.entries(DANGEROUS_MANAGED_POLICIES)) {
      expect(parsePolicy({ Statement: st }).statements.length, path).toBe(st.length);
      expect(managedPolicyDoc(`arn:aws:iam::aws:policy/${path}`)?.name, path).toBe(path);
    }
    expect(managedPolicyName("arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole")).toBe("service-role/AmazonEC2SpotFleetTaggingRole");
    expect(dangerousStatements("AmazonEC2SpotFleetTaggingRole")).toBe(DANGEROUS_MANAGED_POLICIES["service-role/AmazonEC2SpotFleetTaggingRole"]);
    expect(managedPolicyDocument("AmazonSSMManagedInstanceCore")).toBeUndefined();
  });
  it("answers the questions the rules ask the way AWS's documents do", () => {
    const doc = (name: string) => managedPolicyDoc(`arn:aws:iam::aws:policy/${name}`)?.doc.statements ?? [];
    expect(adminGrant(doc("AdministratorAccess"))).toBeDefined();
    expect(adminGrant(doc("PowerUserAccess"))).toBeDefined();
    expect(adminGrant(doc("IAMFullAccess"))).toBeUndefined();
    expect(escalationPaths(doc("IAMFullAccess")).length).toBeGreaterThan(5);
    expect(grantOnAny(doc("SecretsManagerReadWrite"), "secretsmanager:GetSecretValue", "secretsmanager", "secret:zz")).toBeDefined();
    expect(escalationPaths(doc("AWSLambda_FullAccess")).map((e) => e.how)).toEqual(expect.arrayContaining(["lambda:UpdateFunctionCode on every function (its code then runs with that function's role)"]));
  });
  it("reads attachments in every form a program writes them", () => {
    const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    expect(identityPolicies("aws:iam/role:Role", { managedPolicyArns: [admin] }).map((p) => p.where)).toEqual(["AWS managed policy AdministratorAccess"]);
    expect(identityPolicies("aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive", { policyArns: [admin] })).toHaveLength(1);
    expect(identityPolicies("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", { managedPolicyArn: admin })).toHaveLength(1);
    expect(identityPolicies("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" })).toEqual([]);
  });
});

describe("identitiesOf", () => {
  const r = (type: string, name: string, props: Record<string, unknown>, dependencies: string[] = []): StackResource => ({ type, name, urn: `urn:${name}`, props: { id: `${name}-id`, name, ...props }, dependencies });
  it("gives users their groups' statements and resolves references by name, id, ARN or dependency", () => {
    const resources = [
      r("aws:iam/group:Group", "ops", { arn: "arn:aws:iam::123456789012:group/ops" }),
      r("aws:iam/user:User", "alice", {}),
      r("aws:iam/policy:Policy", "p", { arn: "arn:aws:iam::123456789012:policy/p", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] }) }),
      r("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "a", { group: "arn:aws:iam::123456789012:group/ops", policyArn: "arn:aws:iam::123456789012:policy/p" }),
      r("aws:iam/groupMembership:GroupMembership", "m", { group: "ops-id", users: ["alice"] }),
      r("aws:iam/role:Role", "worker", {}),
      // Not known yet (a preview): the dependency the engine records names the role.
      r("aws:iam/rolePolicy:RolePolicy", "rp", { role: undefined, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }) }, ["urn:worker"]),
    ];
    const ids = identitiesOf(resources);
    const grants = (name: string) => ids.find((i) => i.label === name)?.grants.map((g) => g.from) ?? [];
    expect(grants("ops")).toEqual(["policy p (through a)"]);
    expect(grants("alice")).toEqual(["policy p (through a), as a member of group ops"]);
    expect(grants("worker")).toEqual([]);
  });
});
