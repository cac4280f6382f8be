import { describe, expect, it } from "vitest";
import { holdsPublicAddresses, parseIpRange, publicAddressesLeftOut, widerThanAnyOwner, type IpRange } from "./cidr";

const r = (c: string): IpRange => {
  const range = parseIpRange(c);
  if (!range) throw new Error(`not a CIDR: ${c}`);
  return range;
};

describe("address ranges", () => {
  it("reads IPv4 and IPv6 CIDRs, compressed, embedded-IPv4 and with host bits set", () => {
    expect(r("10.42.1.7/16")).toMatchObject({ family: 4, start: BigInt(10 * 2 ** 24 + 42 * 2 ** 16), bits: 16 });
    expect(r("::/0")).toMatchObject({ family: 6, start: 0n, end: 2n ** 128n - 1n });
    expect(r("8000::/1").start).toBe(2n ** 127n);
    expect(r("2001:db8::1/128").start).toBe(r("2001:0db8:0000:0000:0000:0000:0000:0001/128").start);
    expect(r("::ffff:1.2.3.4/128").start).toBe(0xffff01020304n);
    for (const bad of ["10.0.0.0", "10.0.0.0/33", "1.2.3/8", "1::2::3/64", "2001:db8::g/64", "::/129", "[unknown: x]/0"]) expect(parseIpRange(bad), bad).toBeUndefined();
  });

  it("knows when ranges together hold every public address, whatever the split", () => {
    expect(publicAddressesLeftOut([r("0.0.0.0/1"), r("128.0.0.0/1")], 4)).toEqual([]);
    expect(publicAddressesLeftOut([r("::/1")], 6)).toEqual([]);
    expect(publicAddressesLeftOut([r("8000::/1")], 6).length).toBeGreaterThan(0);
    // Every /8 but the private 10/8 and loopback 127/8: still every public address.
    const eights = Array.from({ length: 223 }, (_, i) => i + 1).filter((n) => n !== 10 && n !== 127).map((n) => r(`${n}.0.0.0/8`));
    expect(publicAddressesLeftOut(eights, 4)).toEqual([]);
    // Drop one public /8 and it is no longer the whole internet.
    expect(publicAddressesLeftOut(eights.filter((x) => x.cidr !== "8.0.0.0/8"), 4)).toEqual([[8n * 2n ** 24n, 9n * 2n ** 24n - 1n]]);
  });

  it("calls a range wider than any holder's 'anyone', but not private or narrow ones", () => {
    expect(widerThanAnyOwner(r("0.0.0.0/1"))).toBe(true);
    expect(widerThanAnyOwner(r("10.0.0.0/7"))).toBe(true); // 11/8 is public
    expect(widerThanAnyOwner(r("17.0.0.0/8"))).toBe(false);
    expect(widerThanAnyOwner(r("2000::/3"))).toBe(true);
    expect(widerThanAnyOwner(r("fc00::/7"))).toBe(false);
    expect(holdsPublicAddresses(r("172.16.0.0/12"))).toBe(false);
    expect(holdsPublicAddresses(r("81.2.69.0/24"))).toBe(true);
  });
});
