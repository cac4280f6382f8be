// Issue 16's rules and the resources of test/fixtures/programs/policy/credentials.ts each must flag or
// pass. test/policy-rules-credentials.test.ts runs them; test/policy-rules.test.ts counts them toward
// "every rule has an insecure and a secure case".
export interface RuleCase {
  rule: string;
  /** Resources the rule must flag. */
  bad: string[];
  /** Resources it must not flag. */
  good: string[];
  /** Text each bad resource's message must contain. */
  says?: Record<string, RegExp>;
}

export const CREDENTIAL_RULE_PROGRAM = "credentials";

export const CREDENTIAL_RULE_CASES: RuleCase[] = [
  {
    rule: "ssm-no-shell-document",
    bad: ["bad-shell-policy", "bad-send-anything", "bad-document-wildcard", "bad-interactive-session", "bad-service-star", "bad-shell-target", "bad-shell-association"],
    good: ["good-own-document", "good-own-document-target", "good-service-scoped", "bad-kms-star"],
    says: {
      "bad-shell-policy": /allows ssm:SendCommand on AWS-RunShellScript/,
      "bad-send-anything": /every document, AWS's shell documents included/,
      "bad-document-wildcard": /AWS-RunShellScript, AWS-RunPowerShellScript, AWS-RunRemoteScript/,
      "bad-shell-target": /the rule target runs AWS-RunShellScript/,
    },
  },
  {
    rule: "iam-no-service-wildcard",
    bad: ["bad-service-star", "bad-kms-star"],
    good: ["good-own-document", "good-service-scoped", "bad-send-anything", "bad-shell-policy"],
    says: { "bad-service-star": /allows ssm:\*, iam:\* on Resource "\*"/ },
  },
  {
    rule: "secret-policy-bound-to-host",
    bad: ["bad-unbound-secret", "bad-instance-only-secret"],
    good: ["good-bound-secret", "good-not-readable-secret"],
    says: {
      "bad-unbound-secret": /readable by instance role "host".*off its instance \(ec2:SourceInstanceARN\) or off its network path/,
      "bad-instance-only-secret": /does not refuse that role off its network path/,
    },
  },
  {
    rule: "imds-root-only",
    bad: ["bad-open-imds", "bad-guard-not-loaded", "bad-v6-open", "bad-template-open-imds"],
    good: ["good-kit-guard", "good-iptables-persistent", "good-no-profile", "good-imds-off", "good-bundle-guard"],
    says: {
      "bad-open-imds": /hands its role's credentials to every local user: nothing .* refuses non-root sockets to 169\.254\.169\.254/,
      "bad-guard-not-loaded": /no unit loads it at every boot/,
      "bad-v6-open": /fd00:ec2::254/,
      "bad-template-open-imds": /^launch template/,
    },
  },
];
