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
