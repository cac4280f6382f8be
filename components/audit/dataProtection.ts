// The CloudWatch Logs data-protection policy of every cell log group: credentials and personal data
// are masked when read (only logs:Unmask, which the kit gives Admin alone, shows them) and each
// finding is audited. OpenClaw redacts its own logs too; this catches what other writers leak.
import { BEARER_TOKEN_MASK, SECRET_SHAPES } from "../../stacks/secretShapes";

/** AWS managed data identifiers: credentials and the personal data an agent's logs can carry. */
export const MANAGED_IDENTIFIERS = [
  "AwsSecretKey",
  "OpenSshPrivateKey",
  "PgpPrivateKey",
  "PkcsPrivateKey",
  "PuttyPrivateKey",
  "EmailAddress",
  "CreditCardNumber",
] as const;

/**
 * Custom identifiers for the secret shapes that have a log mask (stacks/secretShapes.ts). CloudWatch
 * allows names of [A-Za-z0-9_-] and regexes of at most 200 characters from a small character set (no
 * parentheses), so each is checked by customIdentifierProblems.
 */
export const CUSTOM_IDENTIFIERS: ReadonlyArray<{ Name: string; Regex: string }> = [
  ...SECRET_SHAPES.flatMap((s) => (s.logMask ? [s.logMask] : [])),
  BEARER_TOKEN_MASK,
].map((m) => ({ Name: m.name, Regex: m.regex }));

const NAME = /^[A-Za-z0-9_-]{1,128}$/;
const REGEX_CHARS = /^[A-Za-z0-9_#=@/;, ^$?[\]{}|\\*+.-]{1,200}$/;

export function customIdentifierProblems(ids: ReadonlyArray<{ Name: string; Regex: string }>): string[] {
  const problems: string[] = [];
  if (ids.length > 10) problems.push("at most 10 custom data identifiers per policy");
  for (const id of ids) {
    if (!NAME.test(id.Name)) problems.push(`${id.Name}: names are 1-128 of [A-Za-z0-9_-]`);
    if ((MANAGED_IDENTIFIERS as readonly string[]).includes(id.Name)) problems.push(`${id.Name}: clashes with a managed identifier`);
    if (!REGEX_CHARS.test(id.Regex)) problems.push(`${id.Name}: regex uses characters CloudWatch does not accept, or is over 200 characters`);
  }
  return problems;
}

export function dataProtectionPolicy(name: string, partition = "aws"): string {
  const problems = customIdentifierProblems(CUSTOM_IDENTIFIERS);
  if (problems.length > 0) throw new Error(`data protection policy: ${problems.join("; ")}`);
  const identifiers = [...MANAGED_IDENTIFIERS.map((id) => `arn:${partition}:dataprotection::aws:data-identifier/${id}`), ...CUSTOM_IDENTIFIERS.map((c) => c.Name)];
  return JSON.stringify({
    Name: name,
    Description: "clawkeep: mask credentials and personal data in this log group",
    Version: "2021-06-01",
    Configuration: { CustomDataIdentifier: CUSTOM_IDENTIFIERS },
    Statement: [
      { Sid: "audit", DataIdentifier: identifiers, Operation: { Audit: { FindingsDestination: {} } } },
      { Sid: "redact", DataIdentifier: identifiers, Operation: { Deidentify: { MaskConfig: {} } } },
    ],
  });
}
