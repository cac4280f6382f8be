// The tailnet policy the kit manages when asked to (tailscale.Acl replaces the WHOLE policy file, so
// it is off by default): three role groups, an owner for every tag, and two grants only: operators
// reach the gateway's HTTPS (Tailscale Serve) and admins reach Tailscale SSH, which asks them to log
// in again (check mode). The `tests` make Tailscale itself refuse any later edit that opens more.
import { z } from "zod";
import type { TailscaleOptions } from "../../stacks/tailscale";

/** Tailscale Serve publishes the gateway on the node's HTTPS port; the gateway itself stays on loopback. */
export const SERVE_HTTPS_PORT = 443;
export const SSH_PORT = 22;
/** How long a Tailscale SSH check (re-authentication) holds. */
export const SSH_CHECK_PERIOD = "12h";

export const GROUPS = { admins: "group:clawkeep-admins", operators: "group:clawkeep-operators", viewers: "group:clawkeep-viewers" } as const;

const tagName = z.string().regex(/^tag:[a-z0-9][a-z0-9-]*$/);
const groupName = z.string().regex(/^group:[a-z0-9][a-z0-9-]*$/);
const identity = z.string().regex(/^[^\s*]+$/, "a user, group or tag, never *");
/** tag:x:port — a destination with one port, as tests name them. */
const tagPort = z.string().regex(/^tag:[a-z0-9][a-z0-9-]*:\d+$/);

const grant = z.strictObject({
  src: z.array(groupName).min(1),
  dst: z.array(tagName).min(1),
  ip: z.array(z.enum([`tcp:${SERVE_HTTPS_PORT}`, `tcp:${SSH_PORT}`])).length(1),
});
const sshRule = z.strictObject({
  action: z.literal("check"),
  src: z.array(groupName).min(1),
  dst: z.array(tagName).min(1),
  users: z.array(z.string().regex(/^[a-z_][a-z0-9_-]*$/).refine((u) => u !== "root", "never root")).min(1),
  checkPeriod: z.string().regex(/^\d+h$/),
});
const test = z.strictObject({ src: identity, accept: z.array(tagPort).optional(), deny: z.array(tagPort).optional() });
const sshTest = z.strictObject({ src: identity, dst: z.array(tagName).min(1), check: z.array(z.string()).optional(), deny: z.array(z.string()).optional() });

/** The policy the kit renders: exactly these sections, no ACLs, no wildcard, grants only to the gateway's tags. */
export const tailnetPolicySchema = z
  .strictObject({
    groups: z.record(groupName, z.array(identity)),
    tagOwners: z.record(tagName, z.array(z.union([groupName, z.literal("autogroup:admin")])).min(1)),
    grants: z.array(grant).min(1),
    ssh: z.array(sshRule),
    tests: z.array(test).min(1),
    sshTests: z.array(sshTest),
  })
  .superRefine((p, ctx) => {
    const owned = new Set(Object.keys(p.tagOwners));
    const used = [...p.grants.flatMap((g) => g.dst), ...p.ssh.flatMap((s) => s.dst), ...p.tests.flatMap((t) => [...(t.accept ?? []), ...(t.deny ?? [])].map((d) => d.replace(/:\d+$/, "")))];
    for (const t of new Set(used)) if (!owned.has(t)) ctx.addIssue({ code: "custom", path: ["tagOwners"], message: `${t} has no tagOwners entry` });
    for (const g of new Set([...p.grants.flatMap((x) => x.src), ...p.ssh.flatMap((x) => x.src)])) {
      if (!(g in p.groups)) ctx.addIssue({ code: "custom", path: ["groups"], message: `${g} is used but not defined` });
    }
    // Only operators get HTTPS, only admins get SSH: the two grants the issue allows.
    for (const [i, g] of p.grants.entries()) {
      const port = g.ip[0];
      const expected = port === `tcp:${SERVE_HTTPS_PORT}` ? GROUPS.operators : GROUPS.admins;
      if (g.src.some((s) => s !== expected)) ctx.addIssue({ code: "custom", path: ["grants", i], message: `${port} is granted to ${g.src.join(", ")}; only ${expected} may have it` });
    }
    if (p.ssh.length > 0 && !p.grants.some((g) => g.ip[0] === `tcp:${SSH_PORT}`)) {
      ctx.addIssue({ code: "custom", path: ["ssh"], message: "an ssh rule without a tcp:22 grant can never be used" });
    }
    if (!p.tests.some((t) => (t.accept ?? []).length > 0) || !p.tests.some((t) => (t.deny ?? []).length > 0)) {
      ctx.addIssue({ code: "custom", path: ["tests"], message: "the tests must assert an allowed path and a denied one" });
    }
  });

export type TailnetPolicy = z.infer<typeof tailnetPolicySchema>;

/** Ports nobody may reach on the gateway: the gateway's own port (only Serve may), plain HTTP, and a spread of others. */
function otherPorts(gatewayPort: number): number[] {
  return [...new Set([80, 8080, 8443, gatewayPort, 3128, 41641])].filter((p) => p !== SERVE_HTTPS_PORT && p !== SSH_PORT);
}

/** The kit's tailnet policy for the gateway tags in `options`, with its own tests. */
export function renderTailnetPolicy(options: TailscaleOptions, gatewayPort: number): TailnetPolicy {
  const gateway = options.tags[0];
  const at = (port: number) => options.tags.map((t) => `${t}:${port}`);
  const others = otherPorts(gatewayPort).flatMap(at);
  const firstOperator = options.operators[0];
  const firstAdmin = options.admins[0];
  if (!firstOperator || !firstAdmin) throw new Error("a tailnet policy needs at least one operator and one admin: its tests name them");
  const sshOn = options.ssh;
  const tests = [
    // Operators reach the published gateway and nothing else on it.
    ...options.operators.map((src) => ({
      src,
      accept: at(SERVE_HTTPS_PORT),
      deny: [...(options.admins.includes(src) ? [] : at(SSH_PORT)), ...others],
    })),
    // Admins reach Tailscale SSH (when on) and nothing else, unless they also operate.
    ...options.admins
      .filter((src) => !options.operators.includes(src))
      .map((src) => ({ src, ...(sshOn ? { accept: at(SSH_PORT) } : {}), deny: [...at(SERVE_HTTPS_PORT), ...(sshOn ? [] : at(SSH_PORT)), ...others] })),
    // Viewers (people's untagged devices outside both roles) and the gateway's own tag (another gateway) reach nothing.
    ...[...options.viewers, gateway].map((src) => ({ src, deny: [...at(SERVE_HTTPS_PORT), ...at(SSH_PORT), ...others] })),
  ];
  return {
    groups: { [GROUPS.admins]: options.admins, [GROUPS.operators]: options.operators, [GROUPS.viewers]: options.viewers },
    tagOwners: Object.fromEntries(options.tags.map((t) => [t, [GROUPS.admins]])),
    grants: [
      { src: [GROUPS.operators], dst: options.tags, ip: [`tcp:${SERVE_HTTPS_PORT}` as const] },
      ...(sshOn ? [{ src: [GROUPS.admins], dst: options.tags, ip: [`tcp:${SSH_PORT}` as const] }] : []),
    ],
    ssh: sshOn ? [{ action: "check" as const, src: [GROUPS.admins], dst: options.tags, users: options.sshUsers, checkPeriod: SSH_CHECK_PERIOD }] : [],
    tests,
    sshTests: sshOn
      ? [
          { src: firstAdmin, dst: [gateway], check: options.sshUsers, deny: ["root", "openclaw"] },
          ...(options.admins.includes(firstOperator) ? [] : [{ src: firstOperator, dst: [gateway], deny: [...options.sshUsers, "root"] }]),
        ]
      : [],
  };
}

/** The policy as HuJSON with a header: what `tailscale.Acl` uploads, and what `npm run plan` prints to paste. */
export function tailnetPolicyHujson(policy: TailnetPolicy): string {
  const checked = tailnetPolicySchema.parse(policy);
  return [
    "// clawkeep tailnet policy: operators reach the gateway's HTTPS (Tailscale Serve), admins Tailscale SSH in check mode,",
    "// nobody anything else. Tailscale rejects any edit that breaks the tests below.",
    JSON.stringify(checked, null, 2),
    "",
  ].join("\n");
}

/**
 * The tailnet policy an operator adds by hand when the kit does not manage it (tailscale.managePolicy
 * false): the kit's policy, naming example people where none are configured, for the operator to replace.
 */
export function tailnetPolicySnippet(options: TailscaleOptions, gatewayPort: number): string | undefined {
  if (!options.enabled || options.managePolicy) return undefined;
  const admins = options.admins.length > 0 ? options.admins : ["admin@example.com"];
  const operators = options.operators.length > 0 ? options.operators : ["operator@example.com"];
  return tailnetPolicyHujson(renderTailnetPolicy({ ...options, admins, operators }, gatewayPort));
}
