// Protects: tag-based access. A tag with no entry in tagOwners has no defined owner, so the policy's
// intent for it is unclear, and an auth key carrying an unowned tag is refused at join time.
// Checklist: "Role-based access control implemented"; best practice 3.
// Fix: add "tag:<name>": ["autogroup:admin"] (or a group) to tagOwners for every tag the policy,
// auth keys and device tags use. Ownership is followed: a tag owned by a tag any member may apply is any member's.
import { ACL, DEVICE_TAGS, TAILNET_KEY, tagsIn, tailnetPolicies } from "../lib/tailscale";
import type { StackRule } from "../lib/types";
import { asStrings } from "../lib/values";

export const tailscaleTagOwners: StackRule = {
  kind: "stack",
  name: "tailscale-tag-owners",
  description: "Every tag used in the Tailscale policy, on auth keys or on devices has an owner in the policy's tagOwners, and no tag that takes in the gateway is owned by everyone (\"*\", autogroup:member, autogroup:danger-all, autogroup:shared, autogroup:tagged), directly or through a chain of owning tags and groups.",
  protects: "who may apply a tag, and so who gets the access that tag carries",
  checklistItems: ["role-based-access", "network-isolation"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: 'Add every used tag to tagOwners with a narrow owner, e.g. "tagOwners": {"tag:openclaw": ["autogroup:admin"]}.',
  resourceTypes: [ACL],
  validateStack(resources) {
    const policies = tailnetPolicies(resources);
    const owned = new Set<string>();
    const out: Array<{ urn: string; message: string }> = [];
    for (const { urn, error, policy } of policies) {
      if (error) continue;
      const mine = new Set(Object.keys(policy.owners));
      mine.forEach((t) => owned.add(t));
      const rest = Object.fromEntries(Object.entries(policy.policy).filter(([k]) => k.toLowerCase() !== "tagowners"));
      const used = new Set([...tagsIn(rest), ...tagsIn(Object.values(policy.owners))]);
      for (const tag of used) if (!mine.has(tag)) out.push({ urn, message: `${tag} is used in the policy but has no tagOwners entry` });
      // A tag that takes in the gateway, owned by everyone: any member's device can become the gateway.
      for (const [tag, owners] of Object.entries(policy.owners)) {
        const broad = owners.map((o) => policy.broadOwner(o)).filter((why): why is string => why !== undefined);
        if (broad.length > 0 && policy.reachesGateway(tag)) out.push({ urn, message: `${tag} may be applied by ${broad.join(", ")}: any such device can join as the gateway and get its access` });
      }
    }
    if (policies.length === 0) return out;
    for (const r of resources.filter((x) => x.type === TAILNET_KEY || x.type === DEVICE_TAGS)) {
      for (const tag of asStrings(r.props.tags)) {
        if (!owned.has(tag)) out.push({ urn: r.urn, message: `${r.name} uses ${tag}, which no tagOwners entry owns` });
      }
    }
    return out;
  },
};
