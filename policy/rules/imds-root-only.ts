// Protects: the instance role's credentials on a host the program builds. IMDSv2 and a hop limit of 1
// keep them from containers and SSRF, but every local user can still ask 169.254.169.254 for them: the
// agent's user, a person's session. A host firewall rule by socket owner (nftables `meta skuid != 0`, or
// iptables `-m owner ! --uid-owner 0`) loaded at every boot leaves them to root's agents alone.
// Checklist: best practice 5, production deployment architecture (hardened host); role-based access.
// Fix: ship an nftables table that rejects non-root sockets to the metadata addresses and a systemd unit
// (WantedBy=sysinit.target, before the network) that loads it; components/host/imdsGuard.ts is the kit's.
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { isRecord, readKnown } from "../lib/values";
import { hostBundleFiles, shippedFiles, userDataText } from "../lib/userData";

const INSTANCE = "aws:ec2/instance:Instance";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const BUNDLE_TYPES = ["aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject"];

const NFT_V4 = /ip\s+daddr\s+169\.254\.169\.254(?:\/32)?\s[^\n;]*?\bmeta\s+skuid\s*!=\s*(?:0|root)\s[^\n;]*?\b(?:reject|drop)\b/;
const NFT_V6 = /ip6\s+daddr\s+fd00:ec2::254(?:\/128)?\s[^\n;]*?\bmeta\s+skuid\s*!=\s*(?:0|root)\s[^\n;]*?\b(?:reject|drop)\b/;
const IPT_V4 = /-d\s+169\.254\.169\.254(?:\/32)?\s[^\n]*?-m\s+owner\s+!\s*--uid-owner\s+(?:0|root)\s[^\n]*?-j\s+(?:REJECT|DROP)\b/;
const IPT_V6 = /-d\s+fd00:ec2::254(?:\/128)?\s[^\n]*?-m\s+owner\s+!\s*--uid-owner\s+(?:0|root)\s[^\n]*?-j\s+(?:REJECT|DROP)\b/;

interface Text {
  path: string;
  content: string;
}

/** Every text the host receives: the user data itself, its files, and the host bundles it fetches. */
function hostTexts(host: StackResource, resources: readonly StackResource[], userData: string): Text[] {
  const texts: Text[] = [{ path: "(user data)", content: userData }];
  for (const f of shippedFiles(host.props)) if (f.content !== undefined) texts.push({ path: f.path, content: f.content });
  for (const b of resources.filter((r) => BUNDLE_TYPES.includes(r.type))) {
    const key = readKnown(b.props, "key", undefined);
    if (!host.dependencies.includes(b.urn) && !(typeof key === "string" && userData.includes(key))) continue;
    for (const f of hostBundleFiles(b.props)) if (f.content !== undefined) texts.push({ path: f.path, content: f.content });
  }
  return texts;
}

/** Is the file that holds the rule loaded at every boot (a unit with [Install] running it, or a boot-time loader's own file)? */
function loadedAtBoot(rulePath: string, texts: Text[]): boolean {
  if (rulePath === "/etc/iptables/rules.v4" || rulePath === "/etc/iptables/rules.v6") return true; // iptables-persistent's boot files
  const enablesNftables = texts.some((t) => /systemctl["',\s]+enable[^\n]*nftables(\.service)?\b/.test(t.content));
  if (rulePath === "/etc/nftables.conf" && enablesNftables) return true;
  const escaped = rulePath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const loader = new RegExp(`(nft\\s+(-[a-zA-Z]+\\s+)*-f\\s*|iptables-restore[^\\n]*<\\s*|ip6tables-restore[^\\n]*<\\s*)${escaped}\\b`);
  return texts.some((t) => /\.service$/.test(t.path) && /^WantedBy=/m.test(t.content) && loader.test(t.content));
}

function ipv6Enabled(props: Record<string, unknown>): boolean {
  const md = readKnown(props, "metadataOptions", undefined);
  return isRecord(md) && md.httpProtocolIpv6 === "enabled";
}

export const imdsRootOnly: StackRule = {
  kind: "stack",
  name: "imds-root-only",
  description:
    "An instance or launch template with an instance profile whose host files the program renders (user data) ships a host firewall rule, loaded at every boot, that keeps non-root users off the metadata service (169.254.169.254, and fd00:ec2::254 when IPv6 metadata is on).",
  protects: "the instance role's credentials from every non-root process on the host (the agent, a person's session)",
  checklistItems: ["production-host", "role-based-access"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Ship an nftables table with `ip daddr 169.254.169.254 meta skuid != 0 reject` (and the ip6 rule for fd00:ec2::254) and a systemd unit that loads it with `nft -f` before network-pre.target (WantedBy=sysinit.target); start it first in the user data. Run every helper that needs the role as root.",
  resourceTypes: [INSTANCE, LAUNCH_TEMPLATE, ...BUNDLE_TYPES],
  validateStack(resources) {
    const out: StackViolation[] = [];
    for (const host of resources.filter((r) => r.type === INSTANCE || r.type === LAUNCH_TEMPLATE)) {
      const md = readKnown(host.props, "metadataOptions", undefined);
      if (isRecord(md) && md.httpEndpoint === "disabled") continue;
      const profile = readKnown(host.props, "iamInstanceProfile", undefined);
      if (profile === undefined || profile === null || profile === "" || (isRecord(profile) && !profile.name && !profile.arn)) continue;
      const userData = userDataText(host.props);
      if (userData === undefined) continue;
      const texts = hostTexts(host, resources, userData);
      const what = host.type === INSTANCE ? "instance" : "launch template";
      const need: Array<[string, RegExp, RegExp]> = [["169.254.169.254", NFT_V4, IPT_V4]];
      if (ipv6Enabled(host.props)) need.push(["fd00:ec2::254", NFT_V6, IPT_V6]);
      for (const [address, nft, ipt] of need) {
        const holders = texts.filter((t) => nft.test(t.content) || ipt.test(t.content));
        if (holders.length === 0) {
          out.push({ urn: host.urn, message: `${what} "${host.name}" hands its role's credentials to every local user: nothing in its user data or host bundle refuses non-root sockets to ${address} (nftables meta skuid != 0, or iptables --uid-owner)` });
        } else if (!holders.some((t) => loadedAtBoot(t.path, texts))) {
          out.push({ urn: host.urn, message: `${what} "${host.name}" has a rule keeping non-root users off ${address} (${holders.map((t) => t.path).join(", ")}), but no unit loads it at every boot (a .service with WantedBy= running nft -f on that file)` });
        }
      }
    }
    return out;
  },
};
