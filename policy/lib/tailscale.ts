// The Tailscale policy file held by a tailscale.Acl resource (HuJSON), and the tags it uses.
import { parseHujson } from "./hujson";
import { entriesDeep, isRecord } from "./values";

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

export function tagOwners(policy: Record<string, unknown>): Set<string> {
  return new Set(isRecord(policy.tagOwners) ? Object.keys(policy.tagOwners) : []);
}
