// Protects: the secrets an EC2 instance role reads. The instance role's credentials are served to the
// host by the metadata service; copied off the host (a process that reached IMDS, a log, a core dump)
// they work from anywhere unless the secret's own policy refuses them elsewhere. The condition keys AWS
// sets for EC2 role credentials (ec2:SourceInstanceARN) and for the network path (aws:SourceVpc,
// aws:SourceVpce, aws:VpcSourceIp, aws:SourceIp) make that refusal possible.
// Checklist: "API keys stored in ... secrets manager"; best practice 5, production host.
// Fix: in the secret's resource policy, Deny the role unless ec2:SourceInstanceARN is its instance, and
// unless the request comes through the cell's own VPC endpoint (aws:SourceVpc / aws:SourceVpce).
import { field, refersTo } from "../lib/references";
import { globMatch, grantsAction, parsePolicy, type Statement } from "../lib/policyDoc";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { asStrings } from "../lib/values";

const ROLE = "aws:iam/role:Role";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy";
const INSTANCE_KEY = "ec2:sourceinstancearn";
const NETWORK_KEYS = ["aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip", "aws:sourceip"];

/** Every condition key a statement tests (lower case), with its operator. */
function conditionKeys(s: Statement): Array<{ op: string; key: string; values: string[] }> {
  return Object.entries(s.condition).flatMap(([op, block]) => Object.entries(block ?? {}).map(([key, v]) => ({ op, key: key.toLowerCase(), values: asStrings(v) })));
}

/** Does this Deny apply to `roleArn` (by Principal or by aws:PrincipalArn)? */
function denyCoversRole(s: Statement, roleArn: string): boolean {
  if (s.effect !== "Deny" || !grantsAction({ ...s, effect: "Allow" }, "secretsmanager:GetSecretValue")) return false;
  const byPrincipal = s.principal === "*" || (s.principal && Object.values(s.principal).some((ids) => ids.some((id) => id === "*" || globMatch(id, roleArn))));
  if (!byPrincipal) return false;
  const principalConds = conditionKeys(s).filter((c) => c.key === "aws:principalarn");
  // No principal condition: the Deny applies to everyone, the role included.
  return principalConds.every((c) => /^(ArnEquals|ArnLike|StringEquals|StringLike)$/.test(c.op) && c.values.some((v) => globMatch(v, roleArn)));
}

/** A negated test on the key (so requests without it, or with another value, are refused). */
const negated = (op: string) => /Not/.test(op) && !/IfExists$/.test(op);

function instanceRoles(resources: readonly StackResource[]): StackResource[] {
  const profiles = resources.filter((r) => r.type === PROFILE);
  return resources.filter((r) => r.type === ROLE && (JSON.stringify(parsePolicy(r.props.assumeRolePolicy).statements.map((s) => s.principal)).includes("ec2.amazonaws.com") || profiles.some((p) => refersTo(p, field(p.props, "role"), r))));
}

/** Resource patterns of secretsmanager:GetSecretValue the role's own policies allow. */
function readablePatterns(role: StackResource, resources: readonly StackResource[]): string[] {
  const docs = resources.filter((r) => r.type === ROLE_POLICY && refersTo(r, field(r.props, "role"), role)).map((r) => parsePolicy(r.props.policy));
  for (const inline of Array.isArray(role.props.inlinePolicies) ? role.props.inlinePolicies : []) {
    if (inline && typeof inline === "object" && "policy" in inline) docs.push(parsePolicy((inline as { policy: unknown }).policy));
  }
  return docs.flatMap((d) => d.statements.filter((s) => grantsAction(s, "secretsmanager:GetSecretValue")).flatMap((s) => s.resources));
}

/** Does a Resource pattern cover the secret? By its ARN, or (not known yet under preview) by its name and AWS's 6-character suffix. */
function covers(pattern: string, secret: StackResource): boolean {
  if (pattern === "*") return true;
  const arn = field(secret.props, "arn");
  if (typeof arn === "string") return globMatch(pattern, arn);
  const name = field(secret.props, "name");
  const at = pattern.indexOf(":secret:");
  return typeof name === "string" && at >= 0 && globMatch(pattern.slice(at + ":secret:".length), `${name}-AbCdEf`);
}

export const secretPolicyBoundToHost: StackRule = {
  kind: "stack",
  name: "secret-policy-bound-to-host",
  description: "Every secret an EC2 instance role may read has a resource policy that refuses that role off its own instance (ec2:SourceInstanceARN) and outside its own network path (aws:SourceVpc, aws:SourceVpce, aws:VpcSourceIp or aws:SourceIp).",
  protects: "the host's secrets from instance-role credentials copied off the host",
  checklistItems: ["api-keys-in-secret-store", "production-host"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    'In the secret\'s policy add Deny statements for the instance role (Principal "*", ArnEquals aws:PrincipalArn = the role): one with StringNotEquals ec2:SourceInstanceARN = its instance, one with StringNotEquals aws:SourceVpc = the VPC whose Secrets Manager endpoint it uses.',
  resourceTypes: [ROLE, PROFILE, ROLE_POLICY, SECRET, SECRET_POLICY],
  validateStack(resources) {
    const out: StackViolation[] = [];
    const secrets = resources.filter((r) => r.type === SECRET);
    const secretPolicies = resources.filter((r) => r.type === SECRET_POLICY);
    for (const role of instanceRoles(resources)) {
      const roleArn = field(role.props, "arn");
      if (typeof roleArn !== "string") continue;
      const patterns = readablePatterns(role, resources);
      for (const secret of secrets) {
        if (!patterns.some((p) => covers(p, secret))) continue;
        const statements = [
          ...secretPolicies.filter((p) => refersTo(p, field(p.props, "secretArn"), secret)).flatMap((p) => parsePolicy(p.props.policy).statements),
          ...(secret.props.policy ? parsePolicy(secret.props.policy).statements : []),
        ];
        const denies = statements.filter((s) => denyCoversRole(s, roleArn));
        const onInstance = denies.some((s) => conditionKeys(s).some((c) => c.key === INSTANCE_KEY && negated(c.op)));
        const onNetwork = denies.some((s) => conditionKeys(s).some((c) => NETWORK_KEYS.includes(c.key) && negated(c.op)));
        const missing = [onInstance ? "" : "its instance (ec2:SourceInstanceARN)", onNetwork ? "" : "its network path (aws:SourceVpc / aws:SourceVpce / aws:VpcSourceIp / aws:SourceIp)"].filter(Boolean);
        if (missing.length > 0) out.push({ urn: secret.urn, message: `secret "${secret.name}" is readable by instance role "${role.name}", but its policy does not refuse that role off ${missing.join(" or off ")}: copied credentials read it from anywhere` });
      }
    }
    return out;
  },
};
