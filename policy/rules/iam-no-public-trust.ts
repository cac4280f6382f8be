// Protects: roles from being assumed by principals nobody meant. A trust policy with Principal "*"
// (or NotPrincipal) lets every AWS principal of any account assume the role unless a condition pins
// the caller to a bounded account, organization or principal; a web-identity trust without a bounded
// `sub` lets every identity of the provider in (any GitHub repository, any GitLab project, any
// Terraform Cloud organization, any Cognito identity pool).
// Checklist: "Role-based access control implemented".
// Fix: trust the service, the account/role ARN, or the provider with a `sub` naming your own repository.
import { positiveConditionValues, hasWildcard, label, parseKnownPolicy, principalIsEveryone, coversAction, whoRestrictions, type Statement } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"];

/** Issuers shared by every customer, and the claim prefix a `sub` must pin (a literal owner) to name only one customer. */
const MULTI_TENANT: ReadonlyArray<{ host: string; tenant: RegExp; what: string }> = [
  { host: "token.actions.githubusercontent.com", tenant: /^repo:([^:/]+)\//, what: "GitHub repository" },
  { host: "gitlab.com", tenant: /^project_path:([^:/]+)\//, what: "GitLab project" },
  { host: "app.terraform.io", tenant: /^organization:([^:]+):/, what: "Terraform Cloud workspace" },
];

/** The OIDC issuer a Federated principal names: the host of an oidc-provider ARN, or the provider itself ("cognito-identity.amazonaws.com"). */
function issuerOf(federated: string, s: Statement): string | undefined {
  const m = /:oidc-provider\/(.+)$/.exec(federated);
  if (m) return m[1].replace(/^https?:\/\//, "");
  if (!federated.startsWith("arn:")) return federated;
  // An ARN that does not show the issuer (e.g. a provider resource's output): the condition keys name it.
  const keyed = Object.values(s.condition).flatMap((block) => Object.keys(block ?? {})).find((k) => /:(sub|aud|amr)$/i.test(k));
  return keyed?.replace(/:(sub|aud|amr)$/i, "");
}

/** Why a web-identity trust lets in more than one workload of the issuer, or undefined when `sub` (or Cognito's `aud`) pins it. */
function openWebIdentity(issuer: string | undefined, s: Statement): string | undefined {
  if (issuer === undefined) return "it has no condition on the token's subject (sub): every identity the provider issues tokens for may assume it";
  const claim = issuer === "cognito-identity.amazonaws.com" ? "aud" : "sub";
  const tests = positiveConditionValues(s, `${issuer}:${claim}`, true);
  if (tests.length === 0) {
    const who = issuer === "cognito-identity.amazonaws.com" ? "every Cognito identity pool of every account" : MULTI_TENANT.find((t) => t.host === issuer) ? `every ${MULTI_TENANT.find((t) => t.host === issuer)?.what} on ${issuer}` : `every identity ${issuer} issues tokens for`;
    return `it has no condition on ${issuer}:${claim}: ${who} may assume it`;
  }
  // Conditions are ANDed: one test whose every value is bounded is enough.
  const tenant = MULTI_TENANT.find((t) => t.host === issuer);
  const bounded = (v: string, wildcards: boolean) => {
    if (!wildcards || !hasWildcard(v)) return v !== "";
    if (tenant) return tenant.tenant.test(v) && !hasWildcard(tenant.tenant.exec(v)?.[1] ?? "*");
    return !/^[*?]*$/.test(v);
  };
  if (tests.some((t) => t.values.length > 0 && t.values.every((v) => bounded(v, t.wildcards)))) return undefined;
  const values = tests.flatMap((t) => t.values).map((v) => JSON.stringify(v)).join(", ");
  return `its ${issuer}:${claim} condition (${values}) matches ${tenant ? `any ${tenant.what} of any owner` : "every subject"}`;
}

export const iamNoPublicTrust: ResourceRule = {
  kind: "resource",
  name: "iam-no-public-trust",
  description:
    'No IAM role trusts Principal "*" (or everyone but a NotPrincipal) without a condition pinning the caller to a bounded account, organization or principal, and no web-identity trust (GitHub Actions, GitLab, Terraform Cloud, Cognito, any OIDC provider) leaves its subject open.',
  protects: "the role's permissions from principals of any account and workloads of any repository",
  checklistItems: ["role-based-access"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    'Name the trusted principal: a service such as "ec2.amazonaws.com", or an account/role ARN (with sts:ExternalId for third parties); for GitHub Actions add StringEquals/StringLike "token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:ref:refs/heads/main" (or :environment:<name>).',
  resourceTypes: ["aws:iam/role:Role"],
  validateResource(_type, props) {
    if (props.assumeRolePolicy === undefined) return [];
    const doc = parseKnownPolicy(props.assumeRolePolicy, "the trust policy");
    if (doc.error) return [`assumeRolePolicy: ${doc.error}`];
    const out: string[] = [];
    doc.statements.forEach((s, i) => {
      if (s.effect !== "Allow" || !ASSUME_ACTIONS.some((a) => coversAction(s, a))) return;
      if ((principalIsEveryone(s.principal) || s.hasNotPrincipal) && whoRestrictions(s).length === 0) {
        out.push(`assumeRolePolicy ${label(s, i)} trusts ${s.hasNotPrincipal && !principalIsEveryone(s.principal) ? "everyone but its NotPrincipal" : 'Principal "*"'} with no condition pinning the caller to a bounded account, organization or principal`);
        return;
      }
      const federated = s.principal === "*" || s.principal === undefined ? [] : (s.principal.Federated ?? []);
      for (const f of federated) {
        if (f.includes(":saml-provider/")) continue;
        const why = openWebIdentity(issuerOf(f, s), s);
        if (why) out.push(`assumeRolePolicy ${label(s, i)} trusts web identities of ${f}, but ${why}`);
      }
    });
    return out;
  },
};
