// The Tailscale policy file held by a tailscale.Acl resource (HuJSON), and the tags it uses.
import { parseHujson } from "./hujson";
import { asArray, asStrings, entriesDeep, isRecord } from "./values";

export const ACL = "tailscale:index/acl:Acl";
export const TAILNET_KEY = "tailscale:index/tailnetKey:TailnetKey";
export const DEVICE_TAGS = "tailscale:index/deviceTags:DeviceTags";

/** policy is {} when error is set (one shape: see ParsedPolicy). */
export interface ParsedAcl {
  policy: Record<string, unknown>;
  error?: string;
}

export function parseAcl(props: Record<string, unknown>): ParsedAcl {
  if (typeof props.acl !== "string") return { policy: {}, error: "acl is not a string" };
  try {
    const policy = parseHujson(props.acl);
    return isRecord(policy) ? { policy } : { policy: {}, error: "the policy file is not a JSON object" };
  } catch (e) {
    return { policy: {}, error: `the policy file is not valid HuJSON (${(e as Error).message})` };
  }
}

/** "tag:gw:443" and "tag:gw" both name tag:gw. */
export function tagsIn(value: unknown): string[] {
  const tags = new Set<string>();
  const add = (s: string) => {
    const m = /^(tag:[A-Za-z0-9-]+)/.exec(s);
    if (m) tags.add(m[1]);
  };
  if (typeof value === "string") add(value);
  for (const e of entriesDeep(value)) {
    if (typeof e.value === "string") add(e.value);
    add(e.key);
  }
  return [...tags];
}


export const FEDERATED_IDENTITY = "tailscale:index/federatedIdentity:FederatedIdentity";
export const OAUTH_CLIENT = "tailscale:index/oauthClient:OauthClient";

/** The tags a device joining through the program carries: the gateway's identity in the tailnet. */
export function joiningTags(resources: ReadonlyArray<{ type: string; props: Record<string, unknown> }>): Set<string> {
  const tags = new Set<string>();
  for (const r of resources) {
    if (r.type === TAILNET_KEY || r.type === DEVICE_TAGS || r.type === FEDERATED_IDENTITY || r.type === OAUTH_CLIENT) for (const t of asStrings(r.props.tags)) tags.add(t);
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------
// Who a selector names, and whether it can name the gateway. Tailscale's selectors: "*", users,
// group:, tag:, autogroup:, hosts aliases, IPs and CIDRs (https://tailscale.com/kb/1396/targets).

const TAILNET_V4 = { base: ipv4ToInt("100.64.0.0"), len: 10 };

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function parseCidr(cidr: string): { v6: boolean; addr: string; len: number } | undefined {
  const [addr, lenText] = cidr.split("/");
  const v6 = addr.includes(":");
  if (!v6 && !/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) return undefined;
  return { v6, addr, len: lenText === undefined ? (v6 ? 128 : 32) : Number(lenText) };
}

/** Do the CIDR (or bare IP) and the tailnet's range (100.64.0.0/10, fd7a:115c:a1e0::/48) share an address? */
function overlapsTailnet(cidr: string): boolean {
  const c = parseCidr(cidr);
  if (!c) return false;
  if (c.v6) return /^fd7a:115c:a1e0(:|$)/i.test(c.addr) || c.len === 0 || (c.len <= 8 && /^fd/i.test(c.addr));
  const len = Math.min(c.len, TAILNET_V4.len);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipv4ToInt(c.addr) & mask) >>> 0) === ((TAILNET_V4.base & mask) >>> 0);
}

/** "100.64.0.0-100.127.255.255": an IPv4 range (ipsets allow them). */
const isRange = (s: string) => /^\d{1,3}(\.\d{1,3}){3}-\d{1,3}(\.\d{1,3}){3}$/.test(s);

/** Does the CIDR (or IPv4 range) cover every tailnet address? */
function coversTailnet(cidr: string): boolean {
  if (isRange(cidr)) {
    const [a, b] = cidr.split("-").map(ipv4ToInt);
    return a <= TAILNET_V4.base && b >= TAILNET_V4.base + 2 ** (32 - TAILNET_V4.len) - 1;
  }
  const c = parseCidr(cidr);
  return c !== undefined && overlapsTailnet(cidr) && (c.v6 ? c.len <= 48 : c.len <= TAILNET_V4.len);
}

const isAddress = (s: string) => /^[0-9a-f:.]+(\/\d{1,3})?$/i.test(s) && /[.:]/.test(s);

/** Owners (in tagOwners) and sources that stand for everyone, or for devices nobody vouched for. */
const BROAD: Readonly<Record<string, string>> = {
  "*": "every device",
  "autogroup:member": "every member's devices",
  "autogroup:danger-all": "every device, shared-in and external ones too",
  "autogroup:shared": "every user who was shared a device",
  "autogroup:tagged": "every tagged device (every server and agent)",
};

/** obj[key] with the key matched case-insensitively (Tailscale reads "ACLs", "acls" and "Acls" alike). */
function pick(obj: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) {
    const k = Object.keys(obj).find((x) => x.toLowerCase() === key.toLowerCase());
    if (k !== undefined) return obj[k];
  }
  return undefined;
}

const records = (v: unknown): Array<Record<string, unknown>> => asArray(v).filter(isRecord);

export interface AclEntry {
  action: string;
  src: string[];
  dst: string[];
}
export interface GrantEntry {
  src: string[];
  dst: string[];
  ip: string[];
}
export interface SshEntry {
  action: string;
  src: string[];
  dst: string[];
  users: string[];
}
export interface NodeAttrEntry {
  target: string[];
  attr: string[];
}

export class TailnetPolicy {
  readonly hosts: Record<string, string>;
  readonly owners: Record<string, string[]>;
  readonly groups: Record<string, string[]>;
  /** ipsets, each entry's "add "/"remove " prefix dropped and removals left out. */
  readonly ipsets: Record<string, string[]>;
  /** The legacy "acls" (src/dst, or their older names users/ports). */
  readonly acls: AclEntry[];
  readonly grants: GrantEntry[];
  readonly ssh: SshEntry[];
  readonly nodeAttrs: NodeAttrEntry[];
  constructor(
    readonly policy: Record<string, unknown>,
    /** Tags the gateway joins with; empty: the program does not say, so any tagged node may be the gateway. */
    readonly gatewayTags: ReadonlySet<string>,
  ) {
    const hosts = pick(policy, "hosts");
    const owners = pick(policy, "tagOwners");
    this.hosts = isRecord(hosts) ? Object.fromEntries(Object.entries(hosts).filter((e): e is [string, string] => typeof e[1] === "string")) : {};
    this.owners = isRecord(owners) ? Object.fromEntries(Object.entries(owners).map(([k, v]) => [k, asStrings(v)])) : {};
    const groups = pick(policy, "groups");
    this.groups = isRecord(groups) ? Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, asStrings(v)])) : {};
    const ipsets = pick(policy, "ipsets");
    this.ipsets = isRecord(ipsets)
      ? Object.fromEntries(Object.entries(ipsets).map(([k, v]) => [k, asStrings(v).map((e) => e.trim()).filter((e) => !/^remove\s/i.test(e)).map((e) => e.replace(/^add\s+/i, ""))]))
      : {};
    const str = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : "");
    this.acls = records(pick(policy, "acls")).map((a) => ({ action: str(pick(a, "action")), src: asStrings(pick(a, "src", "users")), dst: asStrings(pick(a, "dst", "ports")) }));
    this.grants = records(pick(policy, "grants")).map((g) => ({ src: asStrings(pick(g, "src")), dst: asStrings(pick(g, "dst")), ip: asStrings(pick(g, "ip")) }));
    this.ssh = records(pick(policy, "ssh")).map((r) => ({ action: str(pick(r, "action")), src: asStrings(pick(r, "src")), dst: asStrings(pick(r, "dst")), users: asStrings(pick(r, "users")) }));
    this.nodeAttrs = records(pick(policy, "nodeAttrs")).map((n) => ({ target: asStrings(pick(n, "target")), attr: asStrings(pick(n, "attr")) }));
  }

  /**
   * Why `owner` (a tagOwners entry) lets anyone apply the tag, else undefined. Ownership is followed:
   * a tag owned by a tag anyone may apply, or by a group holding everyone, is anyone's too.
   */
  broadOwner(owner: string, seen: ReadonlySet<string> = new Set()): string | undefined {
    if (BROAD[owner]) return owner;
    if (seen.has(owner) || seen.size > 16) return undefined;
    const next = new Set([...seen, owner]);
    if (owner.startsWith("tag:")) {
      const via = (this.owners[owner] ?? []).map((o) => [o, this.broadOwner(o, next)] as const).find(([, why]) => why);
      return via ? `${owner} (owned by ${via[1]})` : undefined;
    }
    if (owner.startsWith("group:")) {
      const via = (this.groups[owner] ?? []).map((m) => this.broadOwner(m, next)).find(Boolean);
      return via ? `${owner} (holds ${via})` : undefined;
    }
    return undefined;
  }

  /** Why source `selector` stands for everyone (or devices nobody vouched for), else undefined; hosts, ipsets, groups and tag owners resolved. */
  broadSource(selector: string, seen: ReadonlySet<string> = new Set()): string | undefined {
    if (BROAD[selector]) return BROAD[selector];
    if (seen.has(selector) || seen.size > 16) return undefined;
    const next = new Set([...seen, selector]);
    const alias = this.hosts[selector];
    const address = alias ?? (isAddress(selector) || isRange(selector) ? selector : undefined);
    if (address !== undefined && coversTailnet(address)) return `${selector}${alias ? ` (${alias})` : ""}, every tailnet address`;
    if (selector.startsWith("ipset:")) {
      // Removals are not subtracted: an IP set that adds the tailnet range is judged by what it adds.
      const via = (this.ipsets[selector] ?? []).map((e) => [e, this.broadSource(e, next)] as const).find(([, why]) => why);
      return via ? `${selector} (adds ${via[0]}: ${via[1]})` : undefined;
    }
    if (selector.startsWith("group:")) {
      const via = (this.groups[selector] ?? []).map((m) => this.broadSource(m, next)).find(Boolean);
      return via ? `${selector} (holds ${via})` : undefined;
    }
    if (selector.startsWith("tag:")) {
      const owner = (this.owners[selector] ?? []).map((o) => this.broadOwner(o)).find(Boolean);
      if (owner) return `${selector}, which ${owner} may apply to any device`;
    }
    return undefined;
  }

  /** Does destination selector `selector` (no port) take in the gateway? */
  reachesGateway(selector: string): boolean {
    if (selector === "*" || selector === "autogroup:tagged" || selector === "autogroup:danger-all") return true;
    if (selector.startsWith("tag:")) return this.gatewayTags.size === 0 || this.gatewayTags.has(selector);
    const address = this.hosts[selector] ?? (isAddress(selector) ? selector : undefined);
    return address !== undefined && overlapsTailnet(address);
  }
}

/** "tag:gw:443" -> ["tag:gw", "443"]; "*:*" -> ["*", "*"]; "[fd7a::1]:22" -> ["fd7a::1", "22"]. */
export function splitAclDestination(dst: string): [string, string] {
  const bracket = /^\[(.+)\]:(.+)$/.exec(dst);
  if (bracket) return [bracket[1], bracket[2]];
  const i = dst.lastIndexOf(":");
  return i < 0 ? [dst, "*"] : [dst.slice(0, i), dst.slice(i + 1)];
}

/** Every tailnet policy file of the stack, judged against the tags its gateway joins with. */
export function tailnetPolicies(resources: ReadonlyArray<{ type: string; urn: string; name: string; props: Record<string, unknown> }>): Array<{ urn: string; name: string; error?: string; policy: TailnetPolicy }> {
  const gateway = joiningTags(resources);
  return resources
    .filter((r) => r.type === ACL)
    .map((r) => {
      const parsed = parseAcl(r.props);
      return { urn: r.urn, name: r.name, error: parsed.error, policy: new TailnetPolicy(parsed.policy, gateway) };
    });
}
