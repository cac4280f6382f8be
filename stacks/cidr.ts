// IPv4 CIDR arithmetic the schema and the host renderers share.

const ipv4Cidr = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function parseCidr(cidr: string): { base: number; bits: number } | undefined {
  const m = ipv4Cidr.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base, bits };
}

/** Is `inner` wholly inside `outer`? Both must be valid IPv4 CIDRs. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if (!a || !b || a.bits < b.bits) return false;
  const size = 2 ** (32 - b.bits);
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

/** The AmazonProvidedDNS resolver of a VPC: its base address + 2. */
export function vpcResolver(vpcCidr: string): string {
  const cidr = parseCidr(vpcCidr);
  if (!cidr) throw new Error(`not an IPv4 CIDR: ${vpcCidr}`);
  const addr = cidr.base + 2;
  return [24, 16, 8, 0].map((shift) => Math.floor(addr / 2 ** shift) % 256).join(".");
}

// ---- IPv4 and IPv6 ranges, for judging what a set of CIDRs reaches ----

/** An address range, both ends inclusive. */
export interface IpRange {
  family: 4 | 6;
  start: bigint;
  end: bigint;
  bits: number;
  /** As written. */
  cidr: string;
}

function ipv6Groups(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const last = tail.length > 0 ? tail : head;
  const v4 = last.length > 0 && last[last.length - 1].includes(".") ? parseCidr(`${last.pop()}/32`) : undefined;
  if (last.length > 0 && v4 === undefined && last[last.length - 1]?.includes(".")) return undefined;
  const v4Groups = v4 ? [Math.floor(v4.base / 65536), v4.base % 65536] : [];
  const groups = [...head, ...tail].map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  if (groups.some(Number.isNaN)) return undefined;
  const given = groups.length + v4Groups.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const fill = new Array<number>(8 - given).fill(0);
  return halves.length === 2 ? [...groups.slice(0, head.length), ...fill, ...groups.slice(head.length), ...v4Groups] : [...groups, ...v4Groups];
}

/** An IPv4 or IPv6 CIDR as a range; undefined when it is not one. The host bits are ignored, as AWS does. */
export function parseIpRange(cidr: string): IpRange | undefined {
  const text = cidr.trim();
  const slash = text.lastIndexOf("/");
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (!addr.includes(":")) {
    const v4 = parseCidr(text);
    if (!v4) return undefined;
    const size = 2n ** BigInt(32 - bits);
    const start = (BigInt(v4.base) / size) * size;
    return { family: 4, start, end: start + size - 1n, bits, cidr: text };
  }
  if (bits > 128) return undefined;
  const groups = ipv6Groups(addr);
  if (!groups) return undefined;
  const value = groups.reduce((acc, g) => acc * 65536n + BigInt(g), 0n);
  const size = 2n ** BigInt(128 - bits);
  const start = (value / size) * size;
  return { family: 6, start, end: start + size - 1n, bits, cidr: text };
}

// Addresses no one on the internet connects from (RFC 6890 special-purpose blocks): private, shared
// (CGNAT), loopback, link-local, documentation, benchmarking, multicast, reserved. IPv6: outside
// global unicast 2000::/3, and its documentation block.
const NOT_PUBLIC_V4 = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3"];
const PUBLIC_V6 = "2000::/3";
const NOT_PUBLIC_V6 = ["2001:db8::/32"];

type Span = [bigint, bigint];

function merged(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Span[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1n) last[1] = e > last[1] ? e : last[1];
    else out.push([s, e]);
  }
  return out;
}

/** `from` minus every span of `minus` (both merged). */
function subtract(from: Span[], minus: Span[]): Span[] {
  const out: Span[] = [];
  for (const [s0, e] of from) {
    let s = s0;
    for (const [ms, me] of minus) {
      if (me < s || ms > e) continue;
      if (ms > s) out.push([s, ms - 1n]);
      s = me + 1n;
      if (s > e) break;
    }
    if (s <= e) out.push([s, e]);
  }
  return out;
}

const spanOf = (c: string): Span => {
  const r = parseIpRange(c) as IpRange;
  return [r.start, r.end];
};

/** Every publicly routable address of a family, as spans. */
export const PUBLIC_SPACE: Readonly<Record<4 | 6, readonly Span[]>> = {
  4: subtract([[0n, 2n ** 32n - 1n]], merged(NOT_PUBLIC_V4.map(spanOf))),
  6: subtract([spanOf(PUBLIC_V6)], merged(NOT_PUBLIC_V6.map(spanOf))),
};

/** The public addresses `ranges` leave out (spans); empty when together they reach every public address of the family. */
export function publicAddressesLeftOut(ranges: readonly IpRange[], family: 4 | 6): Span[] {
  return subtract([...PUBLIC_SPACE[family]], merged(ranges.filter((r) => r.family === family).map((r) => [r.start, r.end])));
}

/** Does the range hold any publicly routable address? */
export function holdsPublicAddresses(r: IpRange): boolean {
  return PUBLIC_SPACE[r.family].some(([s, e]) => r.start <= e && r.end >= s);
}

/**
 * Wider than any one holder of addresses can own: shorter than /8 for IPv4 (the largest blocks ever
 * assigned), shorter than /12 for IPv6 (what a regional registry holds). Such a range is "anyone".
 */
export const WIDEST_OWNED_PREFIX: Readonly<Record<4 | 6, number>> = { 4: 8, 6: 12 };

export function widerThanAnyOwner(r: IpRange): boolean {
  return r.bits < WIDEST_OWNED_PREFIX[r.family] && holdsPublicAddresses(r);
}
