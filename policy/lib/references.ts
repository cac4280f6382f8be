// "Does this resource point at that one?" for stack rules. Under `pulumi preview` a new resource's
// id, ARN and generated name are unknown, so a reference that cannot be read falls back to the
// dependency the engine records for every input that came from another resource.
import type { StackResource } from "./types";
import { readKnown } from "./values";

export const UNKNOWN = Symbol("unknown during preview");
export type Known<T> = T | typeof UNKNOWN;

/** props.a.b.c, UNKNOWN when a step is not known yet, undefined when absent. */
export function field(props: Record<string, unknown>, ...path: string[]): Known<unknown> {
  let cur: unknown = props;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = readKnown(cur as Record<string, unknown>, key, UNKNOWN);
    if (cur === UNKNOWN) return UNKNOWN;
  }
  return cur;
}

/** The id, ARN and name a resource can be referred to by (those that are known). */
export function handles(r: StackResource): string[] {
  return ["id", "arn", "name"].map((k) => field(r.props, k)).filter((v): v is string => typeof v === "string" && v !== "");
}

/** Does `value` (read from `from`) name `to`? */
export function refersTo(from: StackResource, value: Known<unknown>, to: StackResource): boolean {
  if (value === UNKNOWN) return from.dependencies.includes(to.urn);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (refersTo(from, readKnown(value, i, UNKNOWN), to)) return true;
    return false;
  }
  return typeof value === "string" && handles(to).includes(value);
}
