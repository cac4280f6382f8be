// Reviewed exceptions (`clawkeep:policyExceptions`), applied the same way by the offline judge and the
// CrossGuard pack: a finding an active exception covers stays in every report as "excepted" with its
// reason, reviewer and expiry and no longer blocks; an expired exception is a finding of its own; the
// rules below take no exception at all.
import { todayUtc, type PolicyException } from "../../stacks/policyExceptions";
import type { ConfigIssue } from "../../stacks/schema";

export type { PolicyException };

/** The pack-level rule that reports expired exceptions (not a file of rules/: it judges the config, not resources). */
export const EXCEPTIONS_RULE = "policy-exceptions";
export const EXCEPTIONS_REMEDIATION =
  "Review the exception again: renew it with a new expiry (at most 90 days ahead) and the reviewer's name, or fix the finding and remove the exception from clawkeep:policyExceptions.";

/**
 * Rules no exception may switch off, and why: each guards a boundary whose failure hands the whole cell
 * (its credentials or its operator control plane) to someone else, so no local reason outweighs it.
 */
export const NO_EXCEPTION_RULES: Readonly<Record<string, string>> = {
  "openclaw-gateway-auth": "a gateway without token auth gives any caller the operator control plane",
  "openclaw-gateway-loopback": "a gateway bound beyond loopback is reachable from every network the host is on",
  "openclaw-no-funnel": "Funnel publishes the gateway to the whole internet",
  "no-public-ingress": "a host open to the internet is a public gateway",
  "no-plaintext-secrets": "a secret in clear text is readable by everyone who can read the resource",
  "no-credential-in-state": "a provider credential in the program or its state is readable by everyone who can read the state",
  "imds-root-only": "an open metadata service hands the instance role's credentials to the agent",
  "ec2-imdsv2-required": "IMDSv1 hands the instance role's credentials to any SSRF",
  "iam-no-wildcard-admin": "an identity with unlimited power is the whole account",
  "secret-policy-not-public": "a secret readable by every AWS account is public",
};

export const takesExceptions = (ruleId: string): boolean => !(ruleId in NO_EXCEPTION_RULES);

/** Rule ids that are unknown or take no exception: config issues (exit 2), named by key, value and what is allowed. */
export function exceptionIssues(exceptions: readonly PolicyException[], ruleIds: readonly string[]): ConfigIssue[] {
  const known = new Set(ruleIds);
  const issues: ConfigIssue[] = [];
  exceptions.forEach((e, i) => {
    const key = `policyExceptions.${i}.ruleId`;
    if (!known.has(e.ruleId)) issues.push({ key, given: e.ruleId, allowed: "the id of a rule of the pack (its file name under policy/rules; RULES.md lists them)" });
    else if (!takesExceptions(e.ruleId)) {
      issues.push({ key, given: e.ruleId, allowed: `a rule that takes exceptions; ${e.ruleId} takes none (${NO_EXCEPTION_RULES[e.ruleId]}); RULES.md lists which do` });
    }
  });
  return issues;
}

const escapeRe = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map(escapeRe).join(".*")}$`);

/** Does the exception's resource (a name, or a URN pattern when it starts with urn:) name this resource? */
export function coversResource(e: PolicyException, urn: string, name: string): boolean {
  if (urn === "" && name === "") return e.resource === "(stack)";
  return e.resource.startsWith("urn:") ? glob(e.resource).test(urn) : glob(e.resource).test(name);
}

export const isExpired = (e: PolicyException, today: string = todayUtc()): boolean => e.expires < today;

/** The active exception of `ruleId` that covers the resource, if any (an expired one covers nothing). */
export function activeException(exceptions: readonly PolicyException[], ruleId: string, urn: string, name: string, today: string = todayUtc()): PolicyException | undefined {
  if (!takesExceptions(ruleId)) return undefined;
  return exceptions.find((e) => e.ruleId === ruleId && !isExpired(e, today) && coversResource(e, urn, name));
}

/** The finding's message as both sides report an excepted finding. */
export const exceptedMessage = (e: PolicyException, message: string): string =>
  `excepted until ${e.expires} (reviewer ${e.reviewer}; reason: ${e.reason}): ${message}`;

/** One finding per expired exception, naming it. */
export function expiredFindings(exceptions: readonly PolicyException[], today: string = todayUtc()): string[] {
  return exceptions
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => isExpired(e, today))
    .map(({ e, i }) => `exception policyExceptions.${i} (${e.ruleId} on ${e.resource}, reviewer ${e.reviewer}) expired on ${e.expires}; it no longer excepts anything`);
}
