// Reading resource properties safely. Under `pulumi preview` CrossGuard wraps props in a proxy that
// throws UnknownValueError when a value is not known yet; a rule that reads one field lets that
// throw (the SDK reports "can't run during preview"), while walkers skip the unknown part and go on.

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** undefined and null are "absent"; a scalar is a one-element list. */
export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function asStrings(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === "string");
}

// Matched by name so the rules stay free of the @pulumi/policy runtime (the offline plan never loads it).
function isUnknownValueError(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === "UnknownValueError";
}

/** obj[key], or `skip` when the engine does not know the value yet. */
export function readKnown<T>(obj: Record<string, unknown> | unknown[], key: string | number, skip: T): unknown {
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch (e) {
    if (isUnknownValueError(e)) return skip;
    throw e;
  }
}

const UNKNOWN = Symbol("unknown");

export interface Leaf {
  /** Property path, e.g. ["environment", "variables", "OPENAI_API_KEY"]. */
  path: string[];
  value: string;
}

/** Every known string in a value (object keys included as path parts). Functions and promises are skipped. */
export function* stringLeaves(value: unknown, path: string[] = [], depth = 0): Generator<Leaf> {
  if (depth > 40) return;
  if (typeof value === "string") {
    yield { path, value };
    return;
  }
  if (value === null || typeof value !== "object" || value instanceof Promise) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = readKnown(value, i, UNKNOWN);
      if (v !== UNKNOWN) yield* stringLeaves(v, [...path, String(i)], depth + 1);
    }
    return;
  }
  for (const key of Object.keys(value)) {
    const v = readKnown(value as Record<string, unknown>, key, UNKNOWN);
    if (v !== UNKNOWN) yield* stringLeaves(v, [...path, key], depth + 1);
  }
}

/** Every [key, value] pair at any depth, array elements included (keyed by index). */
export function* entriesDeep(value: unknown, path: string[] = [], depth = 0): Generator<{ path: string[]; key: string; value: unknown }> {
  if (depth > 40 || value === null || typeof value !== "object") return;
  for (const [key, v] of Object.entries(value)) {
    yield { path: [...path, key], key, value: v };
    yield* entriesDeep(v, [...path, key], depth + 1);
  }
}

/** Known string values of a map (unknown ones left out). */
export function knownStrings(map: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(map)) return out;
  for (const k of Object.keys(map)) {
    const v = readKnown(map, k, undefined);
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

/** Tags as a plain map, from `tags` (map) or the `[{key, value}]` list form some resources use. */
export function tagsOf(props: Record<string, unknown>): Record<string, string> {
  const tags = readKnown(props, "tags", undefined);
  if (isRecord(tags)) return knownStrings(tags);
  const out: Record<string, string> = {};
  for (const t of asArray(tags)) {
    const { key, value } = knownStrings(t);
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

export const fmtPath = (path: readonly string[]): string => path.join(".") || "(root)";
