// The kit's tailnet policy: its zod schema, the policy pack's Tailscale rules on the HuJSON the kit
// uploads, and its `tests` section checked against its own grants by a small evaluator (Tailscale runs
// the same tests server-side before it accepts the policy).
import { describe, expect, it } from "vitest";
import { GROUPS, SERVE_HTTPS_PORT, SSH_PORT, renderTailnetPolicy, tailnetPolicyHujson, tailnetPolicySchema, type TailnetPolicy } from "../components/tailscale";
import { tailscaleOptions, tailscaleOptionsSchema, type TailscaleOptionsInput } from "../stacks/tailscale";
import type { PlannedResource } from "../plan/evaluate";
import { judge } from "../policy/judge";
import { parseHujson } from "../policy/lib/hujson";
import { ACL } from "../policy/lib/tailscale";

const PEOPLE: TailscaleOptionsInput = {
  admins: ["alice@example.com"],
  operators: ["bob@example.com", "dana@example.com"],
  viewers: ["carol@example.com"],
};
const GATEWAY_PORT = 18789;

/** Which tag:port pairs `src` reaches under the policy's grants (groups resolved, one port per grant). */
function reachable(policy: TailnetPolicy, src: string): Set<string> {
  const mine = (g: string) => g === src || (policy.groups[g] ?? []).includes(src);
  const out = new Set<string>();
  for (const grant of policy.grants) {
    if (!grant.src.some(mine)) continue;
    for (const dst of grant.dst) for (const ip of grant.ip) out.add(`${dst}:${ip.split(":")[1]}`);
  }
  return out;
}

/** The policy's own tests run against its grants: every accept reachable, every deny not. */
function failingTests(policy: TailnetPolicy): string[] {
  const failures: string[] = [];
  for (const t of policy.tests) {
    const can = reachable(policy, t.src);
    for (const a of t.accept ?? []) if (!can.has(a)) failures.push(`${t.src} should reach ${a}`);
    for (const d of t.deny ?? []) if (can.has(d)) failures.push(`${t.src} should not reach ${d}`);
  }
  return failures;
}

function aclResource(acl: string): PlannedResource {
  const props = { acl, overwriteExistingContent: true };
  return { urn: "urn:pulumi:dev::t::tailscale:index/acl:Acl::policy", type: ACL, name: "policy", parent: "", custom: true, inputs: props, state: props, dependencies: [] };
}
const tailscaleViolations = (acl: string) => judge({ resources: [aclResource(acl)] }).violations.filter((v) => v.rule.startsWith("tailscale-"));

describe("renderTailnetPolicy", () => {
  const options = tailscaleOptions(PEOPLE);
  const policy = renderTailnetPolicy(options, GATEWAY_PORT);

  it("passes its own schema and round-trips through HuJSON", () => {
    expect(() => tailnetPolicySchema.parse(policy)).not.toThrow();
    const text = tailnetPolicyHujson(policy);
    expect(text.startsWith("// clawkeep tailnet policy")).toBe(true);
    expect(parseHujson(text)).toEqual(policy);
  });

  it("grants operators the gateway's HTTPS and admins Tailscale SSH in check mode, and nothing else", () => {
    expect(policy.grants).toEqual([
      { src: [GROUPS.operators], dst: ["tag:openclaw"], ip: [`tcp:${SERVE_HTTPS_PORT}`] },
      { src: [GROUPS.admins], dst: ["tag:openclaw"], ip: [`tcp:${SSH_PORT}`] },
    ]);
    expect(policy.ssh).toEqual([{ action: "check", src: [GROUPS.admins], dst: ["tag:openclaw"], users: ["admin"], checkPeriod: "12h" }]);
    expect(policy.groups).toEqual({ [GROUPS.admins]: ["alice@example.com"], [GROUPS.operators]: ["bob@example.com", "dana@example.com"], [GROUPS.viewers]: ["carol@example.com"] });
    expect(policy.tagOwners).toEqual({ "tag:openclaw": [GROUPS.admins] });
    expect(Object.keys(policy)).not.toContain("acls");
    expect(Object.keys(policy)).not.toContain("nodeAttrs");
  });

  it("tests the allowed and the denied paths, and they hold against the grants", () => {
    const by = (src: string) => policy.tests.find((t) => t.src === src);
    expect(by("bob@example.com")?.accept).toEqual(["tag:openclaw:443"]);
    expect(by("bob@example.com")?.deny).toEqual(expect.arrayContaining(["tag:openclaw:22", `tag:openclaw:${GATEWAY_PORT}`, "tag:openclaw:80"]));
    expect(by("alice@example.com")?.accept).toEqual(["tag:openclaw:22"]);
    expect(by("alice@example.com")?.deny).toEqual(expect.arrayContaining(["tag:openclaw:443", `tag:openclaw:${GATEWAY_PORT}`]));
    expect(by("carol@example.com")?.deny).toEqual(expect.arrayContaining(["tag:openclaw:443", "tag:openclaw:22"]));
    expect(by("tag:openclaw")?.deny).toEqual(expect.arrayContaining(["tag:openclaw:443", "tag:openclaw:22"]));
    expect(policy.sshTests).toEqual([
      { src: "alice@example.com", dst: ["tag:openclaw"], check: ["admin"], deny: ["root", "openclaw"] },
      { src: "bob@example.com", dst: ["tag:openclaw"], deny: ["admin", "root"] },
    ]);
    expect(failingTests(policy)).toEqual([]);
  });

  it("the evaluator fails the tests once a grant opens more (so the check above can fail)", () => {
    const opened: TailnetPolicy = { ...policy, grants: [...policy.grants, { src: [GROUPS.viewers], dst: ["tag:openclaw"], ip: [`tcp:${SERVE_HTTPS_PORT}`] }] };
    expect(failingTests(opened)).toEqual(["carol@example.com should not reach tag:openclaw:443"]);
    expect(tailnetPolicySchema.safeParse(opened).success).toBe(false);
  });

  it("passes the policy pack's Tailscale rules as the Acl the kit uploads", () => {
    expect(tailscaleViolations(tailnetPolicyHujson(policy))).toEqual([]);
  });

  it("leaves SSH out entirely when the node runs no Tailscale SSH", () => {
    const noSsh = renderTailnetPolicy(tailscaleOptions({ ...PEOPLE, ssh: false }), GATEWAY_PORT);
    expect(noSsh.grants.map((g) => g.ip[0])).toEqual([`tcp:${SERVE_HTTPS_PORT}`]);
    expect(noSsh.ssh).toEqual([]);
    expect(noSsh.sshTests).toEqual([]);
    expect(noSsh.tests.find((t) => t.src === "alice@example.com")?.deny).toEqual(expect.arrayContaining(["tag:openclaw:22", "tag:openclaw:443"]));
    expect(failingTests(noSsh)).toEqual([]);
    expect(tailnetPolicySchema.safeParse(noSsh).success).toBe(true);
  });

  it("owns and protects every tag when the node carries several", () => {
    const multi = renderTailnetPolicy(tailscaleOptions({ ...PEOPLE, tags: ["tag:openclaw", "tag:prod"] }), GATEWAY_PORT);
    expect(Object.keys(multi.tagOwners)).toEqual(["tag:openclaw", "tag:prod"]);
    expect(multi.tests.find((t) => t.src === "carol@example.com")?.deny).toEqual(expect.arrayContaining(["tag:prod:443", "tag:openclaw:443"]));
    expect(failingTests(multi)).toEqual([]);
    expect(tailscaleViolations(tailnetPolicyHujson(multi))).toEqual([]);
  });

  it("refuses to render without an operator and an admin, whom its tests must name", () => {
    expect(() => renderTailnetPolicy(tailscaleOptions({ admins: ["alice@example.com"] }), GATEWAY_PORT)).toThrow(/one operator and one admin/);
  });
});

describe("tailnetPolicySchema refuses what the kit must never upload", () => {
  const good = renderTailnetPolicy(tailscaleOptions(PEOPLE), GATEWAY_PORT);
  const cases: Array<[string, TailnetPolicy | Record<string, unknown>, RegExp]> = [
    ["a wildcard source", { ...good, grants: [{ src: ["*"], dst: ["tag:openclaw"], ip: ["tcp:443"] }] }, /src/],
    ["every port", { ...good, grants: [{ src: [GROUPS.operators], dst: ["tag:openclaw"], ip: ["*"] }] }, /ip/],
    ["HTTPS for viewers", { ...good, grants: [{ src: [GROUPS.viewers], dst: ["tag:openclaw"], ip: ["tcp:443"] }] }, /only group:clawkeep-operators/],
    ["SSH for operators", { ...good, grants: [good.grants[0], { src: [GROUPS.operators], dst: ["tag:openclaw"], ip: ["tcp:22"] }] }, /only group:clawkeep-admins/],
    ["a tag nobody owns", { ...good, tagOwners: {} }, /tag:openclaw has no tagOwners entry/],
    ["SSH without check mode", { ...good, ssh: [{ ...good.ssh[0], action: "accept" }] }, /action/],
    ["SSH as root", { ...good, ssh: [{ ...good.ssh[0], users: ["root"] }] }, /never root/],
    ["an ACLs section", { ...good, acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] }, /acls/],
    ["no tests", { ...good, tests: [] }, /tests/],
    ["tests that only accept", { ...good, tests: [{ src: "bob@example.com", accept: ["tag:openclaw:443"] }] }, /allowed path and a denied one/],
  ];
  it.each(cases)("%s", (_name, policy, message) => {
    const r = tailnetPolicySchema.safeParse(policy);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });

  it("and the policy pack flags the any-to-any policy the schema refuses", () => {
    const open = JSON.stringify({ ...good, grants: [{ src: ["*"], dst: ["*"], ip: ["*"] }] });
    expect(tailscaleViolations(open).map((v) => v.rule)).toContain("tailscale-acl-no-any-to-any");
  });
});

describe("tailscale options (the stack's `tailscale` config)", () => {
  it("defaults to a tagged, single-use, one-hour auth key, SSH for admins, and an unmanaged policy", () => {
    expect(tailscaleOptions()).toMatchObject({
      enabled: true,
      tags: ["tag:openclaw"],
      auth: "auth-key",
      authKeyExpirySeconds: 3600,
      ephemeral: false,
      ssh: true,
      sshUsers: ["admin"],
      managePolicy: false,
    });
  });

  const bad: Array<[string, TailscaleOptionsInput, RegExp]> = [
    ["a tag without tag:", { tags: ["openclaw"] }, /tag:openclaw/],
    ["no tag", { tags: [] }, /too_small|>=1/],
    ["a key living more than a day", { authKeyExpirySeconds: 7 * 86400 }, /86400/],
    ["workload identity without an issuer", { auth: "workload-identity" }, /wifIssuer/],
    ["a plain-http issuer", { auth: "workload-identity", wifIssuer: "http://example.com" }, /wifIssuer|protocol/],
    ["a managed policy without operators", { managePolicy: true, admins: ["alice@example.com"] }, /one admin and one operator/],
    ["a viewer who operates", { operators: ["bob@example.com"], viewers: ["bob@example.com"] }, /viewer cannot also be/],
    ["everyone as a member", { operators: ["*"] }, /tailnet login/],
    ["SSH as root", { sshUsers: ["root"] }, /neither root/],
    ["SSH as the gateway's user", { sshUsers: ["openclaw"] }, /neither root/],
    ["an unknown key", { funnel: true } as unknown as TailscaleOptionsInput, /funnel/],
  ];
  it.each(bad)("refuses %s", (_name, input, message) => {
    const r = tailscaleOptionsSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});
