// The fail-closed contract between the offline evaluation and the rules. Where an offline run cannot
// know a value (a lookup of something that exists only in the account, a secret's value), it puts a
// marker string in its place; a rule that needs such a value throws CannotJudge, and the judge reports
// a blind spot instead of a pass. Online (CrossGuard) no marker ever appears, so the rules run unchanged.

/** Opens every marker: `[unknown: <what>]`. */
export const UNKNOWN_OPEN = "[unknown: ";
const MARKER = /\[unknown: ([^\]]*)\]/g;

/** A stand-in for a value the offline evaluation cannot know; `what` names it for the report. */
export function unknownValue(what: string): string {
  return `${UNKNOWN_OPEN}${what.replace(/[[\]]/g, "")}]`;
}

/** The `what` of every marker in a string (markers survive interpolation into larger strings). */
export function unknownsInText(text: string): string[] {
  return [...text.matchAll(MARKER)].map((m) => m[1]);
}

/** The `what` of every marker anywhere inside a value (strings, arrays, objects, object keys). */
export function unknownsIn(value: unknown, found: string[] = [], depth = 0): string[] {
  if (depth > 64) return found;
  if (typeof value === "string") {
    if (value.includes(UNKNOWN_OPEN)) found.push(...unknownsInText(value));
  } else if (Array.isArray(value)) {
    for (const v of value) unknownsIn(v, found, depth + 1);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes(UNKNOWN_OPEN)) found.push(...unknownsInText(k));
      unknownsIn(v, found, depth + 1);
    }
  }
  return found;
}

export function containsUnknown(value: unknown): boolean {
  return unknownsIn(value).length > 0;
}

/** Thrown by a rule that needs a value the offline evaluation could not know. Never a violation, never a pass. */
export class CannotJudge extends Error {
  constructor(
    /** What the rule needed and could not see, e.g. "the CIDR of VPC vpc-0abc (looked up by tag)". */
    readonly what: string,
    /** Where the value sits (a resource name or property path); the judge adds the resource. */
    readonly where?: string,
  ) {
    super(`cannot judge offline: ${what}${where ? ` (${where})` : ""}`);
    this.name = "CannotJudge";
  }
}

/** `value` itself, or CannotJudge when it is (or holds) a marker. For rules: `requireKnown(props.cidrBlocks, "ingress CIDRs")`. */
export function requireKnown<T>(value: T, what: string): T {
  const unknowns = unknownsIn(value);
  if (unknowns.length > 0) throw new CannotJudge(`${what}: ${[...new Set(unknowns)].join("; ")}`);
  return value;
}

/** Something the judge could not see: which rule (if one), what it needed, and where. */
export interface BlindSpot {
  rule?: string;
  what: string;
  /** A resource (type and name), a program location (file:line) or both. */
  where: string;
}

/** The key the judge's tracking proxy answers with the object it wraps (judge.ts `tracked`). */
export const UNTRACKED = Symbol.for("clawkeep.untracked");

/**
 * `value` without the judge's read tracking, for a rule that does not need a value the offline plan
 * cannot know: the strength of a secret the operator sets with `pulumi config set --secret` is not a
 * question about the program. The caller sees any marker and must skip it itself (containsUnknown).
 * Online (CrossGuard) nothing is tracked and `value` comes back as it is.
 */
export function untracked<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const raw = (value as Record<symbol, unknown>)[UNTRACKED];
  return raw !== null && typeof raw === "object" ? (raw as T) : value;
}
