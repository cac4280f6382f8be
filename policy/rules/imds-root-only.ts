// Protects: the instance role's credentials on a host the program builds. IMDSv2 and a hop limit of 1
// keep them from containers and SSRF, but every local user can still ask 169.254.169.254 for them: the
// agent's user, a person's session. A host firewall rule by socket owner (nftables `meta skuid != 0`, or
// iptables `-m owner ! --uid-owner 0`) loaded at every boot leaves them to root's agents alone.
// Checklist: best practice 5, production deployment architecture (hardened host); role-based access.
// The guard keys on uid 0 in the host's network namespace: an ECS task on EC2 capacity that is privileged,
// or runs as root with networkMode "host", and a `docker run --privileged` or
// `--network host` as root, pass it; they are refused (a root tailscale/tailscale daemon container excepted). An unset user in
// the host's network is the image's USER, which the plan cannot see: cannot judge.
// Fix: ship an nftables table that rejects non-root sockets to the metadata addresses and a systemd unit
// (WantedBy=sysinit.target, before the network) that loads it; components/host/imdsGuard.ts is the kit's.
// Containers: networkMode awsvpc or bridge, a non-root user, never privileged.
import { throwBlind } from "../lib/stackIndex";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { isRecord, readKnown } from "../lib/values";
import { shellWords } from "../lib/shellScript";
import { HOST_PAYLOAD_TYPES, hostBundleFiles, hostPayload, shippedFiles, userDataText } from "../lib/userData";
import { asArray } from "../lib/values";

const INSTANCE = "aws:ec2/instance:Instance";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const BUNDLE_TYPES = ["aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject"];
const ECS_TASK = "aws:ecs/taskDefinition:TaskDefinition";

/** A container user that is uid 0 ("root", "0", "0:...", "root:..."); unset is the image's USER, which the plan cannot see. */
const isRootUser = (user: unknown) => typeof user === "string" && /^(?:0|root)(?::.*)?$/.test(user.trim());
const isUnset = (user: unknown) => user === undefined || user === null || user === "";

/** Refusals, and what the plan cannot see (an image's default user in the host's network). */
interface Bypasses {
  refused: string[];
  blind: string[];
}

/** ECS containers that run as uid 0 in the host's network namespace, or privileged: the root-only guard lets them through. */
function ecsBypasses(task: StackResource, found: Bypasses): void {
  const compat = asArray(readKnown(task.props, "requiresCompatibilities", undefined));
  if (compat.length > 0 && compat.every((c) => c === "FARGATE")) return; // Fargate tasks never see an EC2 host's metadata service.
  const hostNetwork = readKnown(task.props, "networkMode", undefined) === "host";
  let defs: unknown = readKnown(task.props, "containerDefinitions", undefined);
  if (typeof defs === "string") {
    try {
      defs = JSON.parse(defs);
    } catch {
      return;
    }
  }
  for (const c of asArray(defs)) {
    if (!isRecord(c)) continue;
    const name = typeof c.name === "string" ? c.name : "(unnamed)";
    if (c.privileged === true) found.refused.push(`task definition "${task.name}" runs container ${name} privileged: root on the host, past the root-only metadata guard, with the instance role's credentials`);
    else if (hostNetwork && isRootUser(c.user)) found.refused.push(`task definition "${task.name}" runs container ${name} as root (user ${JSON.stringify(c.user)}) in the host's network (networkMode "host"): the root-only metadata guard lets it take the instance role's credentials`);
    else if (hostNetwork && isUnset(c.user)) found.blind.push(`the default user of container ${name}'s image (task definition "${task.name}", networkMode "host", no user set): as root it passes the root-only metadata guard`);
  }
}

/** `docker|podman run` lines a host runs privileged, or as root in the host's network (the tailscale daemon's own image excepted). */
function dockerBypasses(host: StackResource, found: Bypasses): void {
  for (const cmd of hostPayload(host.type, host.props).commands) {
    const words = shellWords(cmd.line);
    const run = words.findIndex((w, i) => i > 0 && w === "run" && /(?:^|\/)(?:docker|podman|nerdctl)$/.test(words[i - 1]));
    if (run < 0) continue;
    const args = words.slice(run + 1);
    const privileged = args.some((a) => a === "--privileged" || a === "--privileged=true");
    const hostNet = args.some((a, i) => a === "--network=host" || a === "--net=host" || ((a === "--network" || a === "--net") && args[i + 1] === "host"));
    const userAt = args.findIndex((a) => a === "-u" || a === "--user" || a.startsWith("--user=") || a.startsWith("-u="));
    const user = userAt < 0 ? undefined : args[userAt].includes("=") ? args[userAt].split("=")[1] : args[userAt + 1];
    if (args.some((a) => /^(?:docker\.io\/)?tailscale\/tailscale(?::|@|$)/.test(a))) continue;
    const what = `${cmd.via}: ${cmd.line.slice(0, 160)}`;
    if (privileged || (hostNet && isRootUser(user))) found.refused.push(`${what} runs a container ${privileged ? "privileged" : "as root in the host's network"}: the root-only metadata guard lets it take the instance role's credentials`);
    else if (hostNet && isUnset(user)) found.blind.push(`the default user of the image ${what} runs in the host's network (no --user): as root it passes the root-only metadata guard`);
  }
}

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
    "An instance or launch template with an instance profile whose host files the program renders (user data) ships a host firewall rule, loaded at every boot, that keeps non-root users off the metadata service (169.254.169.254, and fd00:ec2::254 when IPv6 metadata is on); no container passes that guard (an ECS task on EC2 that is privileged, or root with networkMode host; a docker run --privileged, or --network host as root).",
  protects: "the instance role's credentials from every non-root process on the host (the agent, a person's session)",
  checklistItems: ["production-host", "role-based-access"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Ship an nftables table with `ip daddr 169.254.169.254 meta skuid != 0 reject` (and the ip6 rule for fd00:ec2::254) and a systemd unit that loads it with `nft -f` before network-pre.target (WantedBy=sysinit.target); start it first in the user data. Run every helper that needs the role as root; run containers unprivileged, as a non-root user, in awsvpc or bridge networking.",
  resourceTypes: [INSTANCE, LAUNCH_TEMPLATE, ...BUNDLE_TYPES, ECS_TASK],
  validateStack(resources) {
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    for (const r of resources) {
      const found: Bypasses = { refused: [], blind: [] };
      if (r.type === ECS_TASK) ecsBypasses(r, found);
      else if ((HOST_PAYLOAD_TYPES as readonly string[]).includes(r.type)) dockerBypasses(r, found);
      for (const message of found.refused) out.push({ urn: r.urn, message });
      for (const what of found.blind) blind.push(new CannotJudge(what, r.name));
    }
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
    // A refusal stands on its own; only a stack with nothing refused waits on what the plan cannot see.
    if (out.length === 0) throwBlind(blind);
    return out;
  },
};
