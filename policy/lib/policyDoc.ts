// IAM-style policy documents (identity, trust and resource policies of every AWS service), given as a
// JSON string or an object, normalized so rules can ask "who may do what on which resource, under
// which condition" — and answer it the way IAM evaluates, not the way the document happens to be spelt.
import { requireKnown } from "./unknown";
import { asStrings, isRecord } from "./values";

export type Principal = "*" | Record<string, string[]>;

/** One condition test: `operator` as written (e.g. "ForAnyValue:StringLike"), one key, its values. */
export interface ConditionEntry {
  operator: string;
  key: string;
  values: string[];
}

export interface Statement {
  sid?: string;
  effect: "Allow" | "Deny";
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  /** "*" or a map such as {AWS: [...], Service: [...]}; undefined for identity policies. */
  principal?: Principal;
  notPrincipal?: Principal;
  hasNotPrincipal: boolean;
  condition: Record<string, Record<string, unknown>>;
}

/** One shape, not a tagged union: the pack is also compiled by Pulumi's ts-node without strictNullChecks. */
export interface ParsedPolicy {
  statements: Statement[];
  error?: string;
}

function principalOf(p: unknown): Principal | undefined {
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
      notPrincipal: principalOf(s.NotPrincipal),
      hasNotPrincipal: s.NotPrincipal !== undefined,
      condition: isRecord(s.Condition) ? (s.Condition as Record<string, Record<string, unknown>>) : {},
    });
  }
  return { statements };
}

/** parsePolicy of a document the rule must see whole: CannotJudge when any part is only known to the account. */
export function parseKnownPolicy(doc: unknown, what: string): ParsedPolicy {
  return parsePolicy(requireKnown(doc, what));
}

const globCache = new Map<string, RegExp>();
/** IAM wildcard match (`*` and `?`), case-insensitive as IAM action names are. */
export function globMatch(pattern: string, value: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "is");
    if (globCache.size > 5000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(value);
}

export const hasWildcard = (s: string): boolean => /[*?]/.test(s);

export function conditionEntries(s: Statement): ConditionEntry[] {
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(s.condition)) {
    if (!isRecord(block)) continue;
    for (const [key, v] of Object.entries(block)) out.push({ operator, key, values: asArray(v).map((x) => (typeof x === "string" ? x : JSON.stringify(x))) });
  }
  return out;
}

const asArray = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Does the statement's Action/NotAction cover `action` (whatever its effect)? */
export function coversAction(s: Statement, action: string): boolean {
  if (s.notActions.length > 0) return !s.notActions.some((p) => globMatch(p, action));
  return s.actions.some((p) => globMatch(p, action));
}

/** Does the statement's Resource/NotResource cover `resource`? A statement with neither (trust and some resource policies) covers it. */
export function coversResource(s: Statement, resource: string): boolean {
  if (s.notResources.length > 0) return !s.notResources.some((p) => globMatch(p, resource));
  if (s.resources.length === 0) return true;
  return s.resources.some((p) => globMatch(p, resource));
}

/** Does an Allow statement grant `action` (honouring NotAction)? */
export function grantsAction(s: Statement, action: string): boolean {
  return s.effect === "Allow" && coversAction(s, action);
}

export function principalIsEveryone(p: Principal | undefined): boolean {
  if (p === "*") return true;
  if (!p) return false;
  return Object.values(p).some((ids) => ids.includes("*"));
}

// ---------------------------------------------------------------------------------------------
// Conditions that narrow WHO may act. A statement open to Principal "*" is public unless one of its
// conditions pins the caller to a bounded set: an account, an organization, a VPC or endpoint, an IP
// range smaller than the internet, one principal. The key alone is not enough: StringLike
// aws:PrincipalArn "arn:aws:iam::*:role/*" names a restricting key and still matches every role of
// every account; so do negated operators, ForAllValues (true when the key is absent) and IfExists on
// keys a caller can simply not send.

type KeyKind = "account" | "org" | "orgPath" | "arn" | "vpc" | "vpce" | "ip" | "userId";

const WHO_KEYS: Readonly<Record<string, KeyKind>> = {
  "aws:principalaccount": "account",
  "aws:sourceaccount": "account",
  "aws:sourceowner": "account",
  "aws:vpceaccount": "account",
  "kms:calleraccount": "account",
  "aws:principalorgid": "org",
  "aws:sourceorgid": "org",
  "aws:vpceorgid": "org",
  "aws:principalorgpaths": "orgPath",
  "aws:sourceorgpaths": "orgPath",
  "aws:vpceorgpaths": "orgPath",
  "aws:principalarn": "arn",
  "aws:sourcearn": "arn",
  "aws:sourcevpcarn": "arn",
  "aws:sourcevpc": "vpc",
  "aws:ec2instancesourcevpc": "vpc",
  "aws:sourcevpce": "vpce",
  "aws:sourceip": "ip",
  "aws:userid": "userId",
};

/** Keys every request carries, so "IfExists" cannot be dodged by leaving them out. */
const ALWAYS_PRESENT = new Set(["aws:principalaccount", "aws:principalarn", "aws:userid"]);

interface Operator {
  /** StringLike, ArnLike and ArnEquals read `*` and `?` as wildcards; StringEquals compares literally. */
  wildcards: boolean;
  positive: boolean;
  forAllValues: boolean;
  ifExists: boolean;
  ip: boolean;
}

function parseOperator(op: string): Operator | undefined {
  const forAllValues = /^ForAllValues:/i.test(op);
  const bare = op.replace(/^For(AnyValue|AllValues):/i, "");
  const ifExists = /IfExists$/i.test(bare);
  const base = bare.replace(/IfExists$/i, "").toLowerCase();
  const positive = ["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"].includes(base);
  if (!positive) return undefined;
  return { wildcards: base === "stringlike" || base.startsWith("arn"), positive, forAllValues, ifExists, ip: base === "ipaddress" };
}

/** A value that names one bounded thing: no policy variable, and no wildcard where the operator reads one. */
function literal(value: string, op: Operator): boolean {
  return !value.includes("${") && !(op.wildcards && hasWildcard(value));
}

/** Is an IP range smaller than "the internet"? A /0 and anything wider than a /8 (IPv4) or /16 (IPv6) is not. */
function boundedCidr(value: string): boolean {
  const m = /^([0-9a-f.:]+)(?:\/(\d{1,3}))?$/i.exec(value.trim());
  if (!m) return false;
  const v6 = m[1].includes(":");
  const len = m[2] === undefined ? (v6 ? 128 : 32) : Number(m[2]);
  return v6 ? len >= 16 : len >= 8;
}

function boundedValue(kind: KeyKind, value: string, op: Operator): boolean {
  const lit = (v: string) => literal(v, op);
  switch (kind) {
    case "account":
      return !value.includes("${") && (/^\d{12}$/.test(value) || (!op.wildcards && value !== ""));
    case "org":
      return lit(value) && value !== "";
    case "orgPath":
      // o-abc/r-1/ou-2/* pins the organization; */* does not.
      return lit(value.split("/")[0] ?? "") && /^o-/.test(value);
    case "arn": {
      const parts = value.split(":");
      if (parts.length < 6 || parts[0] !== "arn") return false;
      // S3 bucket ARNs have no account: the bucket name (global) is the bound.
      if (parts[2] === "s3" && parts[4] === "") return lit(parts.slice(5).join(":").split("/")[0]);
      return lit(parts[4]) && parts[4] !== "";
    }
    case "vpc":
    case "vpce":
      return lit(value) && value !== "";
    case "ip":
      return boundedCidr(value);
    case "userId":
      return lit(value.split(":")[0]) && value !== "";
  }
}

/**
 * The values a caller's `key` must match under `s`'s positive tests (StringEquals/Like, ArnEquals/Like,
 * IpAddress, also ForAnyValue: and IfExists when `keyAlwaysSent`); `wildcards` says whether `*` and `?`
 * match anything. Negated tests and ForAllValues (true when the key is absent) narrow nothing.
 */
export function positiveConditionValues(s: Statement, key: string, keyAlwaysSent = false): Array<{ values: string[]; wildcards: boolean }> {
  const out: Array<{ values: string[]; wildcards: boolean }> = [];
  for (const e of conditionEntries(s)) {
    if (e.key.toLowerCase() !== key.toLowerCase()) continue;
    const op = parseOperator(e.operator);
    if (!op || op.forAllValues || (op.ifExists && !keyAlwaysSent)) continue;
    out.push({ values: requireKnown(e.values, `the ${e.key} condition of a policy statement`), wildcards: op.wildcards });
  }
  return out;
}

const LIKE: Operator = { wildcards: true, positive: true, forAllValues: false, ifExists: false, ip: false };

/** Does an ARN (read with wildcards, as sourceArn and ArnLike are) name resources of one account (or one S3 bucket)? */
export function boundedArn(value: string): boolean {
  return boundedValue("arn", value, LIKE);
}

/** The condition entries of `s` that pin the caller to a bounded set (empty: the statement does not narrow who). */
export function whoRestrictions(s: Statement): ConditionEntry[] {
  return conditionEntries(s).filter((e) => {
    const kind = WHO_KEYS[e.key.toLowerCase()];
    const op = parseOperator(e.operator);
    if (!kind || !op || op.forAllValues) return false;
    if (op.ifExists && !ALWAYS_PRESENT.has(e.key.toLowerCase())) return false;
    if (op.ip !== (kind === "ip")) return false;
    const values = requireKnown(e.values, `the ${e.key} condition of a policy statement`);
    return values.length > 0 && values.every((v) => boundedValue(kind, v, op));
  });
}

export function hasRestrictingCondition(s: Statement): boolean {
  return whoRestrictions(s).length > 0;
}

export function label(s: Statement, index: number): string {
  return s.sid ? `statement "${s.sid}"` : `statement ${index + 1}`;
}

/** A statement anyone at all may use: Principal "*" (or everyone but NotPrincipal) with no condition that narrows who. */
export function isPublicGrant(s: Statement): boolean {
  return s.effect === "Allow" && (principalIsEveryone(s.principal) || s.hasNotPrincipal) && !hasRestrictingCondition(s);
}

/** "Principal "*"" or "everyone but NotPrincipal", for messages. */
export function whoLabel(s: Statement): string {
  return s.hasNotPrincipal && !principalIsEveryone(s.principal) ? "everyone but its NotPrincipal" : 'Principal "*"';
}

/** One message per statement of `doc` that is open to everyone; `where` names the property. */
export function publicStatementMessages(doc: ParsedPolicy, where: string): string[] {
  return doc.statements.flatMap((s, i) => {
    if (!isPublicGrant(s)) return [];
    const what = s.notActions.length > 0 ? `every action but ${s.notActions.join(", ")}` : s.actions.join(", ") || "actions";
    const conditions = conditionEntries(s).length > 0 ? " (its conditions do not narrow who: no bounded account, organization, VPC, endpoint, IP range or principal)" : " with no condition that narrows who";
    return [`${where} ${label(s, i)} allows ${what} to ${whoLabel(s)}${conditions}`];
  });
}

// ---------------------------------------------------------------------------------------------
// Identity-policy evaluation for the questions the rules ask ("can this identity do A on any B?").
// An Allow counts when its conditions only describe the caller's session (MFA, source network,
// time, region, the caller's own tags): those never limit WHAT it may touch. Any other condition
// key (resource tags, iam:PolicyARN, kms:ViaService, ...) narrows the target and is given the
// benefit of the doubt. A Deny counts only without conditions: a conditional Deny may not apply.

const SESSION_KEY_PREFIXES = [
  "aws:multifactorauth",
  "aws:sourceip",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:vpcsourceip",
  "aws:requestedregion",
  "aws:currenttime",
  "aws:epochtime",
  "aws:securetransport",
  "aws:principaltag/",
  "aws:principaltype",
  "aws:principalarn",
  "aws:principalaccount",
  "aws:principalorg",
  "aws:principalisawsservice",
  "aws:principalservicename",
  "aws:userid",
  "aws:username",
  "aws:calledvia",
  "aws:viaawsservice",
  "aws:tokenissuetime",
  "aws:sourceidentity",
  "aws:federatedprovider",
  "aws:useragent",
  "aws:referer",
  "aws:ec2instancesource",
  "ec2:sourceinstancearn",
  "ec2:sourceinstanceprivateipv4",
  "sts:",
];

/** Condition keys that limit only which role is passed to which service, never which role. */
const PASSROLE_SESSION_KEYS = ["iam:passedtoservice", "iam:associatedresourcearn"];

function onlySessionConditions(s: Statement, extra: readonly string[] = []): boolean {
  return conditionEntries(s).every((e) => {
    const k = e.key.toLowerCase();
    return SESSION_KEY_PREFIXES.some((p) => k.startsWith(p)) || extra.includes(k);
  });
}

function allowedBy(statements: readonly Statement[], action: string, resource: string): Statement | undefined {
  const extra = action.toLowerCase() === "iam:passrole" ? PASSROLE_SESSION_KEYS : [];
  const denied = statements.some((s) => s.effect === "Deny" && conditionEntries(s).length === 0 && coversAction(s, action) && coversResource(s, resource));
  if (denied) return undefined;
  return statements.find((s) => s.effect === "Allow" && coversAction(s, action) && coversResource(s, resource) && onlySessionConditions(s, extra));
}

/**
 * The Allow statement that lets its holder do `action` on `resource` whatever the target's tags or
 * other target conditions, unless an unconditional Deny in `statements` takes it away, or a permissions
 * `boundary` (when given) does not allow it too; else undefined.
 */
export function grantOf(statements: readonly Statement[], action: string, resource: string, boundary?: readonly Statement[]): Statement | undefined {
  const s = allowedBy(statements, action, resource);
  return s && (!boundary || allowedBy(boundary, action, resource)) ? s : undefined;
}

/**
 * A resource of `service` that the program never named, in the partition and account `pattern` itself
 * names (wildcards filled in): if a Resource pattern matches it, the pattern covers every resource of
 * that kind, not only the program's own. `resource` is the ARN's tail, e.g. "role/zz-unnamed-probe".
 */
export function probeArn(pattern: string, service: string, resource: string, regional = true): string {
  const parts = pattern.split(":");
  const fill = (i: number, fallback: string) => (parts.length > 5 && parts[i] !== undefined && parts[i] !== "" ? parts[i].replace(/[*?]/g, "x") : fallback);
  return `arn:${fill(1, "aws")}:${service}:${regional ? fill(3, "us-east-1") : ""}:${fill(4, "123456789012")}:${resource}`;
}

/** The probe ARNs (one per Resource pattern of the statements) for a kind of resource nobody named. */
export function probesFor(statements: readonly Statement[], service: string, resource: string, regional = true): string[] {
  const patterns = statements.flatMap((s) => (s.notResources.length > 0 ? s.notResources : s.resources));
  return [...new Set([probeArn("*", service, resource, regional), ...patterns.map((p) => probeArn(p, service, resource, regional))])];
}

/** Does some Allow grant `action` on a resource of `service` that nobody named (so on every one)? */
export function grantOnAny(statements: readonly Statement[], action: string, service: string, resource: string, regional = true, boundary?: readonly Statement[]): Statement | undefined {
  for (const probe of probesFor(statements, service, resource, regional)) {
    const s = grantOf(statements, action, probe, boundary);
    if (s) return s;
  }
  return undefined;
}

/** An action no service defines: a statement that grants it grants every action of every service. */
const ANY_SERVICE_ACTION = "zzunnamedservice:ZzUnnamedAction";

/**
 * The Allow statement that makes its holder an administrator: every action of (almost) every service
 * ("*", "*:*", NotAction) on every resource (Resource "*", NotResource, "arn:*"), else undefined.
 */
export function adminGrant(statements: readonly Statement[], boundary?: readonly Statement[]): Statement | undefined {
  return grantOnAny(statements, ANY_SERVICE_ACTION, "zzunnamedservice", "thing/zz-unnamed-probe", true, boundary);
}
