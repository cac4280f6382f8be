// Protects: the account from the agent host. An instance profile hands its role's credentials to
// every process on the host (through IMDS), so an admin-level role there makes a prompt-injected
// agent an account administrator.
// Checklist: "Role-based access control implemented"; best practice 5, production host.
// Fix: give the instance role only AmazonSSMManagedInstanceCore plus scoped inline policies.
import { field, refersTo } from "../lib/references";
import type { StackRule } from "../lib/types";
import { asStrings } from "../lib/values";

const ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];
const ROLE = "aws:iam/role:Role";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const SHARED_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
const EXCLUSIVE_ATTACHMENTS = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";

function adminPolicyName(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const m = /^arn:[^:]+:iam::aws:policy\/(?:job-function\/)?(.+)$/.exec(arn);
  return m && ADMIN_POLICIES.includes(m[1]) ? m[1] : undefined;
}

export const iamNoAdminInstanceRole: StackRule = {
  kind: "stack",
  name: "iam-no-admin-instance-role",
  description: "No role used by an EC2 instance profile has AdministratorAccess, PowerUserAccess or IAMFullAccess attached.",
  protects: "the AWS account from whatever runs on the agent host",
  checklistItems: ["role-based-access", "production-host"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: "Detach the admin-level managed policy; attach AmazonSSMManagedInstanceCore and inline policies scoped to the host's own secrets, logs and parameters.",
  resourceTypes: [ROLE, PROFILE, ATTACHMENT, SHARED_ATTACHMENT, EXCLUSIVE_ATTACHMENTS],
  validateStack(resources) {
    const roles = resources.filter((r) => r.type === ROLE);
    const profiles = resources.filter((r) => r.type === PROFILE);
    const out: Array<{ urn: string; message: string }> = [];
    for (const role of roles) {
      if (!profiles.some((p) => refersTo(p, field(p.props, "role"), role))) continue;
      const attached = new Set<string>();
      for (const arn of asStrings(role.props.managedPolicyArns)) {
        const n = adminPolicyName(arn);
        if (n) attached.add(`${n} (managedPolicyArns)`);
      }
      for (const r of resources) {
        const mine =
          (r.type === ATTACHMENT && refersTo(r, field(r.props, "role"), role)) ||
          (r.type === SHARED_ATTACHMENT && refersTo(r, field(r.props, "roles"), role)) ||
          (r.type === EXCLUSIVE_ATTACHMENTS && refersTo(r, field(r.props, "roleName"), role));
        if (!mine) continue;
        for (const arn of [...asStrings(r.props.policyArn), ...asStrings(r.props.policyArns)]) {
          const n = adminPolicyName(arn);
          if (n) attached.add(`${n} (${r.name})`);
        }
      }
      for (const a of attached) out.push({ urn: role.urn, message: `instance role "${role.name}" has ${a} attached` });
    }
    return out;
  },
};
