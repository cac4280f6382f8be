// One index of a stack's resources for the stack rules: by type, and by a handle field (id, arn, name,
// ...) per type, built once per resource list and on first use, so a rule that follows references
// from every resource to another stays linear. A handle is read only when a rule asks for that type,
// so an unknown value in a field no rule needs never makes a rule blind.
import { UNKNOWN, type Known } from "./references";
import type { StackResource } from "./types";
import { CannotJudge } from "./unknown";
import { readKnown } from "./values";

export class StackIndex {
  private readonly byType = new Map<string, StackResource[]>();
  private readonly handles = new Map<string, Map<string, StackResource[]>>();
  readonly byUrn = new Map<string, StackResource>();

  constructor(readonly resources: readonly StackResource[]) {
    for (const r of resources) {
      const list = this.byType.get(r.type);
      if (list) list.push(r);
      else this.byType.set(r.type, [r]);
      this.byUrn.set(r.urn, r);
    }
  }

  /** Every resource of the given types, in program order per type. */
  of(...types: readonly string[]): StackResource[] {
    return types.length === 1 ? (this.byType.get(types[0]) ?? []) : types.flatMap((t) => this.byType.get(t) ?? []);
  }

  has(...types: readonly string[]): boolean {
    return types.some((t) => (this.byType.get(t)?.length ?? 0) > 0);
  }

  private handleMap(type: string, field: string): Map<string, StackResource[]> {
    const key = `${type}|${field}`;
    let map = this.handles.get(key);
    if (map) return map;
    map = new Map();
    for (const r of this.byType.get(type) ?? []) {
      const v = readKnown(r.props, field, undefined);
      if (typeof v !== "string" || v === "") continue;
      const list = map.get(v);
      if (list) list.push(r);
      else map.set(v, [r]);
    }
    this.handles.set(key, map);
    return map;
  }

  /** Resources of `types` whose `fields` (any of them) equal `value`. */
  find(types: readonly string[], fields: readonly string[], value: string): StackResource[] {
    const out: StackResource[] = [];
    for (const t of types) for (const f of fields) for (const r of this.handleMap(t, f).get(value) ?? []) if (!out.includes(r)) out.push(r);
    return out;
  }

  /**
   * What `value`, read from `from`, names among `types`: a known handle, or (under preview, when the
   * value is not known yet) the resources of those types `from` depends on.
   */
  resolve(from: StackResource, value: Known<unknown>, types: readonly string[], fields: readonly string[] = ["id", "arn", "name"]): StackResource[] {
    if (value === UNKNOWN) return from.dependencies.map((u) => this.byUrn.get(u)).filter((r): r is StackResource => r !== undefined && types.includes(r.type));
    if (typeof value !== "string" || value === "") return [];
    return this.find(types, fields, value);
  }
}

const cache = new WeakMap<readonly StackResource[], StackIndex>();

/** The index of this resource list (the judge hands every stack rule the same list when it can). */
export function stackIndex(resources: readonly StackResource[]): StackIndex {
  let index = cache.get(resources);
  if (!index) {
    index = new StackIndex(resources);
    cache.set(resources, index);
  }
  return index;
}

/** props[key] (a path of keys), UNKNOWN when a step is not known yet under preview. */
export function at(props: unknown, ...path: Array<string | number>): Known<unknown> {
  let cur: unknown = props;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = readKnown(cur as Record<string, unknown>, key, UNKNOWN);
    if (cur === UNKNOWN) return UNKNOWN;
  }
  return cur;
}

/**
 * The items of a list of references: each one, or UNKNOWN for an item not known yet (under preview a
 * reference to a new resource); a list that is itself not known yet, or absent, is no list at all.
 */
export function items(v: Known<unknown>): Array<Known<unknown>> {
  if (v === UNKNOWN || v === undefined || v === null) return [];
  if (!Array.isArray(v)) return [v];
  const out: Array<Known<unknown>> = [];
  for (let i = 0; i < v.length; i++) {
    const x = readKnown(v, i, UNKNOWN);
    if (x !== undefined && x !== null) out.push(x);
  }
  return out;
}

/** The value when known, else undefined (unknown during preview reads as "not set"). */
export function known(v: Known<unknown>): unknown {
  return v === UNKNOWN ? undefined : v;
}

/** true/false from a boolean or its string form ("true"/"false", as launch templates take them); undefined otherwise. */
export function flag(v: unknown): boolean | undefined {
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  return undefined;
}

// Modules whose resource names speak for themselves ("instance", not "ec2 instance").
const PLAIN_MODULES = ["ec2", "vpc", "ebs", "s3", "iam", "cloudwatch", "kms", "lb", "alb", "elb", "sns", "cloudtrail", "index"];

/** `launch template "gw"`, `lightsail instance "gw"`: how a message names a resource. */
export const label = (r: StackResource) => {
  // aws:ec2/launchTemplate:LaunchTemplate, or command:local:Command (no module path).
  const [, mod = "", kind = r.type] = /^[^:]+:([^/:]+)(?:\/[^:]+)?:(.+)$/.exec(r.type) ?? [];
  const words = kind.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return `${PLAIN_MODULES.includes(mod) ? "" : `${mod.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase()} `}${words} "${r.name}"`;
};

/**
 * A stack rule judges every resource it can and collects what it cannot; this throws one CannotJudge
 * naming all of them (the verdict is "cannot judge" either way; the list tells the operator what to show it).
 */
export function throwBlind(blind: readonly CannotJudge[]): void {
  if (blind.length === 0) return;
  if (blind.length === 1) throw blind[0];
  throw new CannotJudge([...new Set(blind.map((b) => (b.where ? `${b.what} (${b.where})` : b.what)))].join("; "));
}
