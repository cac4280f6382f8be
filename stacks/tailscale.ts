// The stack config of the Tailscale access (`clawkeep:tailscale`), as a zod schema with its defaults
// and limits; stacks/schema.ts embeds it, the component and the renderers take the parsed options.
import { z } from "zod";
import { DEFAULT_TAILSCALE_VERSION } from "./pins";

/** Tailscale's tag syntax: `tag:` and a lower-case name. */
const tag = z.string().regex(/^tag:[a-z0-9][a-z0-9-]{0,62}$/, "a Tailscale tag such as tag:openclaw");
/** A tailnet user (login e-mail) or a provisioned group; never `*` or an autogroup. */
const member = z.string().regex(/^([^\s@*]+@[^\s@*]+|group:[a-z0-9][a-z0-9-]*)$/, "a tailnet login (user@example.com) or group:<name>");
/** A local Linux account Tailscale SSH may log in as: never root, never the gateway's service user. */
const sshUser = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "a Linux user name")
  .refine((u) => u !== "root" && u !== "openclaw", "neither root nor the gateway's service user");

export const tailscaleOptionsSchema = z
  .strictObject({
    /** Join the tailnet at all; off means the gateway is reachable only through SSM port forwarding. */
    enabled: z.boolean().default(true),
    /** The node's identity in the tailnet; the first one is the policy's gateway tag. */
    tags: z.array(tag).min(1).max(5).default(["tag:openclaw"]),
    /** How the host proves itself: a one-shot auth key via Secrets Manager, or AWS workload identity federation (no stored secret). */
    auth: z.enum(["auth-key", "workload-identity"]).default("auth-key"),
    /** Lifetime of the single-use auth key: long enough for first boot, no longer. */
    authKeyExpirySeconds: z.number().int().min(300).max(86_400).default(3600),
    /** An ephemeral node is removed from the tailnet when it goes offline (disposable hosts). */
    ephemeral: z.boolean().default(false),
    /** Run Tailscale SSH on the node (the policy lets only admins in, in check mode). */
    ssh: z.boolean().default(true),
    /** Local accounts admins may log in as through Tailscale SSH. */
    sshUsers: z.array(sshUser).min(1).default(["admin"]),
    /** Replace the whole tailnet policy with the kit's (tailscale.Acl). Off: `npm run plan` prints the snippet to add. */
    managePolicy: z.boolean().default(false),
    admins: z.array(member).default([]),
    operators: z.array(member).default([]),
    viewers: z.array(member).default([]),
    /** The AWS account's outbound web identity federation issuer (https://<id>.tokens.sts.global.api.aws). */
    wifIssuer: z.url({ protocol: /^https$/ }).optional(),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "an exact Tailscale version such as 1.98.10").default(DEFAULT_TAILSCALE_VERSION),
  })
  .superRefine((o, ctx) => {
    if (o.auth === "workload-identity" && !o.wifIssuer) {
      ctx.addIssue({ code: "custom", path: ["wifIssuer"], message: "required with auth workload-identity: the account's outbound identity federation issuer URL" });
    }
    if (o.managePolicy && (o.admins.length === 0 || o.operators.length === 0)) {
      ctx.addIssue({ code: "custom", path: ["managePolicy"], message: "a managed policy needs at least one admin and one operator (its tests name them)" });
    }
    // Viewers are the people the policy's tests prove cannot reach the gateway; an admin may also operate.
    const both = o.viewers.filter((v) => o.operators.includes(v) || o.admins.includes(v));
    if (both.length > 0) ctx.addIssue({ code: "custom", path: ["viewers"], message: `a viewer cannot also be an operator or admin: ${both.join(", ")}` });
  });

export type TailscaleOptions = z.output<typeof tailscaleOptionsSchema>;
export type TailscaleOptionsInput = z.input<typeof tailscaleOptionsSchema>;

/** Parsed options with every default applied. */
export function tailscaleOptions(input: TailscaleOptionsInput = {}): TailscaleOptions {
  return tailscaleOptionsSchema.parse(input);
}
