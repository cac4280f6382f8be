// IAM-style policy documents (IAM, Secrets Manager, SNS, KMS), given as a JSON string or an object,
// normalized so rules can ask "who may do what on which resource, under which condition".
import { asStrings, isRecord } from "./values";

export interface Statement {
  sid?: string;
  effect: "Allow" | "Deny";
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  /** "*" or a map such as {AWS: [...], Service: [...]}; undefined for identity policies. */
  principal?: "*" | Record<string, string[]>;
  hasNotPrincipal: boolean;
  condition: Record<string, Record<string, unknown>>;
}

/** One shape, not a tagged union: the pack is also compiled by Pulumi's ts-node without strictNullChecks. */
export interface ParsedPolicy {
  statements: Statement[];
  error?: string;
}

function principalOf(p: unknown): Statement["principal"] {
  if (p === undefined || p === null) return undefined;
  if (p === "*") return "*";
  if (!isRecord(p)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(p)) out[k] = asStrings(v);
  return out;
}

export function parsePolicy(doc: unknown): ParsedPolicy {
  let value: unknown = doc;
  if (typeof doc === "string") {
    if (doc.trim() === "") return { statements: [] };
    try {
      value = JSON.parse(doc);
    } catch (e) {
      return { statements: [], error: `the policy is not valid JSON (${(e as Error).message})` };
    }
  }
  if (!isRecord(value)) return { statements: [], error: "the policy is not a JSON object" };
  const raw = Array.isArray(value.Statement) ? value.Statement : value.Statement === undefined ? [] : [value.Statement];
  const statements: Statement[] = [];
  for (const s of raw) {
    if (!isRecord(s)) continue;
    statements.push({
      sid: typeof s.Sid === "string" ? s.Sid : undefined,
      effect: s.Effect === "Deny" ? "Deny" : "Allow",
      actions: asStrings(s.Action),
      notActions: asStrings(s.NotAction),
      resources: asStrings(s.Resource),
      notResources: asStrings(s.NotResource),
      principal: principalOf(s.Principal),
      hasNotPrincipal: s.NotPrincipal !== undefined,
      condition: isRecord(s.Condition) ? (s.Condition as Record<string, Record<string, unknown>>) : {},
    });
  }
  return { statements };
}

/** IAM wildcard match (`*` and `?`), case-insensitive as IAM action names are. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(value);
}

/** Does an Allow statement grant `action` (honouring NotAction)? */
export function grantsAction(s: Statement, action: string): boolean {
  if (s.effect !== "Allow") return false;
  if (s.notActions.length > 0) return !s.notActions.some((p) => globMatch(p, action));
  return s.actions.some((p) => globMatch(p, action));
}

export function principalIsEveryone(p: Statement["principal"]): boolean {
  if (p === "*") return true;
  if (!p) return false;
  return Object.values(p).some((ids) => ids.includes("*"));
}

/** Condition keys that narrow *who* may act (a condition on TLS alone does not). */
const RESTRICTING_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:principalservicename",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:sourceip",
  "aws:userid",
  "aws:username",
];

export function hasRestrictingCondition(s: Statement): boolean {
  return Object.values(s.condition).some(
    (block) => isRecord(block) && Object.keys(block).some((k) => RESTRICTING_KEYS.includes(k.toLowerCase())),
  );
}

export function label(s: Statement, index: number): string {
  return s.sid ? `statement "${s.sid}"` : `statement ${index + 1}`;
}

/** A statement anyone at all may use: Principal "*" with no condition that narrows who. */
export function isPublicGrant(s: Statement): boolean {
  return s.effect === "Allow" && principalIsEveryone(s.principal) && !hasRestrictingCondition(s);
}
