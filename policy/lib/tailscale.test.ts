// Who a tailnet policy's selectors stand for, and whether they take in the gateway.
import { describe, expect, it } from "vitest";
import { ACL, DEVICE_TAGS, TAILNET_KEY, TailnetPolicy, joiningTags, splitAclDestination, tailnetPolicies } from "./tailscale";

const policy = (p: Record<string, unknown>, gateway: string[] = ["tag:gw"]) => new TailnetPolicy(p, new Set(gateway));

describe("TailnetPolicy", () => {
  it("names the sources that stand for everyone, however they are written", () => {
    const p = policy({ hosts: { all: "100.64.0.0/10", gw: "100.101.102.103" }, tagOwners: { "tag:any": ["autogroup:member"], "tag:ops": ["group:admins"] } });
    for (const s of ["*", "autogroup:member", "autogroup:danger-all", "autogroup:shared", "autogroup:tagged", "all", "0.0.0.0/0", "100.64.0.0/9", "::/0", "fd7a:115c:a1e0::/48", "tag:any"]) expect(p.broadSource(s), s).toBeDefined();
    for (const s of ["group:ops", "alice@example.com", "tag:ops", "gw", "100.101.102.103", "192.168.0.0/16", "autogroup:admin"]) expect(p.broadSource(s), s).toBeUndefined();
  });
  it("resolves ipsets (nested, ranges, removals not subtracted), groups and chains of tag owners before judging a source", () => {
    const p = policy({
      groups: { "group:ops": ["alice@example.com"], "group:all": ["autogroup:member"] },
      ipsets: { "ipset:cgnat": ["add 100.64.0.0-100.127.255.255"], "ipset:vpn": ["add ipset:cgnat", "remove 100.100.100.100"], "ipset:office": ["add 192.168.10.0/24"], "ipset:v6": ["fd7a:115c:a1e0::/48"], "ipset:half": ["add 100.64.0.0-100.95.255.255"], "ipset:loop": ["add ipset:loop"] },
      tagOwners: { "tag:a": ["tag:b"], "tag:b": ["tag:c"], "tag:c": ["autogroup:member"], "tag:d": ["group:all"], "tag:ops": ["group:ops"], "tag:x": ["tag:y"], "tag:y": ["tag:x"] },
    });
    expect(p.broadSource("ipset:vpn")).toMatch(/ipset:vpn \(adds ipset:cgnat: ipset:cgnat \(adds 100\.64\.0\.0-100\.127\.255\.255/);
    for (const s of ["ipset:v6", "tag:a", "tag:d", "group:all"]) expect(p.broadSource(s), s).toBeDefined();
    for (const s of ["ipset:office", "ipset:half", "ipset:loop", "ipset:missing", "tag:ops", "tag:x", "group:ops"]) expect(p.broadSource(s), s).toBeUndefined();
    expect(p.broadOwner("tag:b")).toBe("tag:b (owned by tag:c (owned by autogroup:member))");
    expect(p.broadOwner("group:ops")).toBeUndefined();
  });
  it("takes in the gateway by its tags, every device, or a tailnet address; user devices and exit nodes are not it", () => {
    const p = policy({ hosts: { gw: "100.101.102.103", lan: "192.168.1.0/24" } });
    for (const d of ["*", "tag:gw", "autogroup:tagged", "gw", "100.64.0.0/10", "fd7a:115c:a1e0::1"]) expect(p.reachesGateway(d), d).toBe(true);
    for (const d of ["tag:printer", "autogroup:self", "autogroup:member", "autogroup:internet", "group:ops", "lan", "10.0.0.0/8"]) expect(p.reachesGateway(d), d).toBe(false);
    // A program that names no gateway tag: any tagged node may be the gateway.
    expect(policy({}, []).reachesGateway("tag:printer")).toBe(true);
  });
  it("reads keys case-insensitively and the legacy users/ports names", () => {
    const p = policy({ ACLs: [{ Action: "accept", Users: ["*"], Ports: ["tag:gw:*"] }], Hosts: { a: "100.64.0.1" }, SSH: [{ Action: "ACCEPT", Src: ["g"], Dst: ["tag:gw"], Users: ["root"] }], NodeAttrs: [{ Target: ["tag:gw"], Attr: ["funnel"] }] });
    expect(p.acls).toEqual([{ action: "accept", src: ["*"], dst: ["tag:gw:*"] }]);
    expect(p.ssh[0]).toMatchObject({ action: "accept", users: ["root"] });
    expect(p.nodeAttrs[0].attr).toEqual(["funnel"]);
    expect(p.hosts).toEqual({ a: "100.64.0.1" });
  });
});

describe("helpers", () => {
  it("splits ACL destinations into selector and ports", () => {
    expect(splitAclDestination("tag:gw:443")).toEqual(["tag:gw", "443"]);
    expect(splitAclDestination("*:*")).toEqual(["*", "*"]);
    expect(splitAclDestination("100.64.0.0/10:22,443")).toEqual(["100.64.0.0/10", "22,443"]);
    expect(splitAclDestination("[fd7a:115c:a1e0::1]:22")).toEqual(["fd7a:115c:a1e0::1", "22"]);
  });
  it("finds the gateway's tags on keys and device tags, and reports an unreadable policy", () => {
    const rs = [
      { type: TAILNET_KEY, urn: "u1", name: "k", props: { tags: ["tag:gw"] } },
      { type: DEVICE_TAGS, urn: "u2", name: "d", props: { tags: ["tag:gw2"] } },
      { type: ACL, urn: "u3", name: "acl", props: { acl: "{ not json" } },
    ];
    expect([...joiningTags(rs)]).toEqual(["tag:gw", "tag:gw2"]);
    expect(tailnetPolicies(rs)[0].error).toMatch(/not valid HuJSON/);
  });
});
