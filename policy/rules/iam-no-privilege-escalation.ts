// Protects: the account from an identity that is not administrator yet can make itself one: write
// its own (or any) identity's policies, trust or boundary, mint credentials for other users, assume
// any role, or run code as any role (pass a role to new compute, replace another function's code).
// iam:* on "*" and IAMFullAccess are such grants, and so is a combination spread over several
// policies; the rule judges everything an identity holds, from every policy and group.
// Checklist: "Role-based access control implemented"; best practice 4, strict access controls.
// A customer managed policy the program attaches but does not define is the account's secret: the
// rule cannot judge it (CannotJudge), unless the identity already escalates without it.
// Fix: grant IAM writes and iam:PassRole only on the named roles the identity manages, never on "*".
import { escalationPaths, IAM_POLICY_TYPES, identitiesOf, GROUP, ROLE, USER } from "../lib/iam";
import { adminGrant, parsePolicy } from "../lib/policyDoc";
import { field } from "../lib/references";
import { CannotJudge } from "../lib/unknown";
import type { StackRule, StackViolation } from "../lib/types";

const MEMBER = ", as a member of group ";

/** Services that run the program's own code with the role they are given. */
const CODE_RUNNING_SERVICES = /^(ec2|lambda|edgelambda|ecs-tasks|pods\.eks|codebuild|glue|sagemaker|states|tasks\.apprunner|build\.apprunner|cloudformation|ssm|scheduler|events|datapipeline|emr-containers)\.amazonaws\.com$/;

/**
 * AWS's service-role managed policies (service-role/, aws-service-role/) on a role only AWS
 * orchestration services assume: AWS wrote them for exactly that (a Spot Fleet or Batch service role
 * launches instances with the role it is handed). Anywhere else they count like any other grant.
 */
function heldByOrchestrationOnly(trust: unknown): boolean {
  const doc = parsePolicy(trust);
  const allows = doc.statements.filter((s) => s.effect === "Allow");
  if (doc.error || allows.length === 0) return false;
  return allows.every((s) => {
    if (s.principal === undefined || s.principal === "*" || s.hasNotPrincipal) return false;
    const kinds = Object.keys(s.principal);
    const services = s.principal.Service ?? [];
    return kinds.every((k) => k === "Service") && services.length > 0 && services.every((svc) => !CODE_RUNNING_SERVICES.test(svc));
  });
}

const SERVICE_ROLE_POLICY = /^AWS managed policy (service-role|aws-service-role)\//;

export const iamNoPrivilegeEscalation: StackRule = {
  kind: "stack",
  name: "iam-no-privilege-escalation",
  description:
    "No role, user or group can make itself administrator through what all its policies together allow: IAM policy, trust or boundary writes on itself or any identity, new policy versions, access keys or passwords for other users, sts:AssumeRole on any role, iam:PassRole on any role with a way to create compute, or replacing any function's code.",
  protects: "the AWS account from an identity that can grant itself more than it was given",
  checklistItems: ["role-based-access", "strict-allowlists"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    'Scope IAM writes, iam:PassRole and sts:AssumeRole to the named ARNs the identity must manage (never "*" or a whole account\'s roles), or deny them explicitly; attach no managed policy such as IAMFullAccess.',
  resourceTypes: [...IAM_POLICY_TYPES, ROLE, USER, GROUP, "aws:iam/groupMembership:GroupMembership", "aws:iam/userGroupMembership:UserGroupMembership"],
  validateStack(resources) {
    const out: StackViolation[] = [];
    const unseen: string[] = [];
    for (const id of identitiesOf(resources)) {
      for (const u of id.unresolved) unseen.push(`${u.arn} (attached to ${id.kind} ${id.label} by ${u.by})`);
      const trust = id.resource ? field(id.resource.props, "assumeRolePolicy") : undefined;
      const grants = id.kind === "role" && typeof trust === "string" && heldByOrchestrationOnly(trust) ? id.grants.filter((g) => !SERVICE_ROLE_POLICY.test(g.from)) : id.grants;
      const statements = grants.map((g) => g.statement);
      if (statements.length === 0) continue;
      // Administrator access itself is iam-no-wildcard-admin's finding (a boundary may leave less).
      if (adminGrant(statements, id.boundary) && !id.boundary) continue;
      const from = new Map(grants.map((g) => [g.statement, g.from]));
      const paths = escalationPaths(statements, { kind: id.kind, arn: id.arn }, id.boundary).map((p) => ({ ...p, sources: p.statements.map((s) => from.get(s) ?? "its permissions boundary") }));
      // A user holding its groups' grants: the group is reported for them.
      const own = id.kind === "user" ? paths.filter((p) => !p.sources.every((s) => s.includes(MEMBER))) : paths;
      if (own.length === 0) continue;
      const hows = own.map((p) => p.how);
      const shown = hows.length > 4 ? `${hows.slice(0, 4).join("; ")}; and ${hows.length - 4} more` : hows.join("; ");
      const sources = [...new Set(own.flatMap((p) => p.sources))];
      out.push({
        urn: id.resource?.urn ?? resources.find((r) => sources.some((s) => s.includes(r.name)))?.urn,
        message: `${id.kind} "${id.label}" can make itself administrator: ${shown} (granted by ${sources.join("; ")})`,
      });
    }
    // What an attached policy of the account grants, only the account knows: a finding stands, a pass would be a guess.
    if (out.length === 0 && unseen.length > 0) throw new CannotJudge(`the documents of customer managed policies the program attaches but does not define: ${[...new Set(unseen)].join("; ")}`);
    return out;
  },
};
