// Where the program's audit logs land in S3 (trails, VPC flow logs, AWS Config, S3 server access logs,
// Route 53 Resolver query logs, load balancer access logs), and the lifecycle rules that expire objects
// in those buckets (BucketLifecycleConfiguration, its V2 alias, inline lifecycleRules on Bucket/BucketV2).
import { UNKNOWN, type Known } from "./references";
import { at, flag, items, known, label, type StackIndex } from "./stackIndex";
import type { StackResource } from "./types";
import { asArray, isRecord } from "./values";

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const LIFECYCLES = ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"];

export interface AuditDestination {
  /** e.g. `trail "gw"`. */
  writer: string;
  /** The bucket, as a resource of the program or a name. */
  bucket: BucketRef;
  /** Key prefix its log objects start with ("" when any key may hold them). */
  keyPrefix: string;
}

type BucketRef = { resources: StackResource[]; name?: string; unknown: boolean };

/** A bucket named by id, name or ARN (an ARN may carry a key prefix: arn:aws:s3:::bucket/prefix). */
function bucketRef(index: StackIndex, from: StackResource, value: Known<unknown>): BucketRef & { pathPrefix: string } {
  if (value === UNKNOWN) return { resources: index.resolve(from, UNKNOWN, BUCKETS), unknown: true, pathPrefix: "" };
  if (typeof value !== "string" || value === "") return { resources: [], unknown: false, pathPrefix: "" };
  const arn = /^arn:[\w-]+:s3:::([^/]+)(?:\/(.*))?$/.exec(value);
  const name = arn ? arn[1] : value;
  const resources = [...new Set([...index.find(BUCKETS, ["id", "bucket"], name), ...(arn ? index.find(BUCKETS, ["arn"], value.split("/")[0]) : [])])];
  return { resources, name, unknown: false, pathPrefix: arn?.[2] ? `${arn[2].replace(/\/+$/, "")}/` : "" };
}

const under = (prefix: unknown) => (typeof prefix === "string" && prefix !== "" ? `${prefix.replace(/\/+$/, "")}/` : "");

/** Every S3 bucket the program sends audit logs to. */
export function auditDestinations(index: StackIndex): AuditDestination[] {
  const out: AuditDestination[] = [];
  const add = (r: StackResource, value: Known<unknown>, prefix: (path: string) => string) => {
    const ref = bucketRef(index, r, value);
    if (ref.resources.length > 0 || ref.name !== undefined || ref.unknown) out.push({ writer: label(r), bucket: ref, keyPrefix: prefix(ref.pathPrefix) });
  };
  for (const t of index.of("aws:cloudtrail/trail:Trail")) add(t, at(t.props, "s3BucketName"), () => `${under(known(at(t.props, "s3KeyPrefix")))}AWSLogs/`);
  for (const f of index.of("aws:ec2/flowLog:FlowLog")) {
    if (known(at(f.props, "logDestinationType")) === "s3") add(f, at(f.props, "logDestination"), (p) => `${p}AWSLogs/`);
  }
  for (const c of index.of("aws:cfg/deliveryChannel:DeliveryChannel")) add(c, at(c.props, "s3BucketName"), () => `${under(known(at(c.props, "s3KeyPrefix")))}AWSLogs/`);
  for (const q of index.of("aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig")) {
    const dest = at(q.props, "destinationArn");
    if (dest === UNKNOWN || (typeof dest === "string" && dest.includes(":s3:::"))) add(q, dest, (p) => `${p}AWSLogs/`);
  }
  for (const lb of index.of("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")) {
    const logs = known(at(lb.props, "accessLogs"));
    if (isRecord(logs) && flag(known(at(logs, "enabled"))) !== false) add(lb, at(logs, "bucket"), () => `${under(known(at(logs, "prefix")))}AWSLogs/`);
  }
  for (const l of index.of("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")) {
    add(l, at(l.props, "targetBucket"), () => String(known(at(l.props, "targetPrefix")) ?? ""));
  }
  for (const b of index.of(...BUCKETS)) {
    for (const logging of asArray(known(at(b.props, "logging"))).concat(asArray(known(at(b.props, "loggings"))))) {
      if (isRecord(logging)) add(b, at(logging, "targetBucket"), () => String(known(at(logging, "targetPrefix")) ?? ""));
    }
  }
  return out;
}

export interface Expiry {
  at: StackResource;
  /** e.g. `rules[0] ("cost")`. */
  where: string;
  /** Days after which current objects expire, or a fixed date. */
  days?: number;
  date?: string;
  /** The rule's key prefix filter ("" for every key); undefined when a tag filter keeps it off untagged log objects. */
  prefix: string | undefined;
  /** What preview does not show yet (the rules, or a rule's days): judged only if the bucket receives audit logs. */
  unseen?: string;
}

/** A lifecycle rule's key prefix, or undefined when it only matches tagged objects (log writers tag nothing). */
function rulePrefix(rule: unknown, inline: boolean): string | undefined {
  if (inline) {
    const tags = known(at(rule, "tags"));
    if (isRecord(tags) && Object.keys(tags).length > 0) return undefined;
    return String(known(at(rule, "prefix")) ?? "");
  }
  const filter = known(at(rule, "filter"));
  const and = known(at(filter, "and"));
  if (isRecord(known(at(filter, "tag")))) return undefined;
  const andTags = known(at(and, "tags"));
  if (isRecord(andTags) && Object.keys(andTags).length > 0) return undefined;
  return String(known(at(and, "prefix")) ?? known(at(filter, "prefix")) ?? known(at(rule, "prefix")) ?? "");
}

/** Enabled lifecycle rules that expire current objects, per bucket reference, and rules preview does not show yet. */
export function expiries(index: StackIndex): Array<{ bucket: BucketRef; expiry: Expiry }> {
  const out: Array<{ bucket: BucketRef; expiry: Expiry }> = [];
  const push = (r: StackResource, bucket: BucketRef, rule: unknown, i: number, inline: boolean) => {
    const id = known(at(rule, "id"));
    const where = `${inline ? "lifecycleRules" : "rules"}[${i}]${typeof id === "string" && id !== "" ? ` ("${id}")` : ""}`;
    const enabled = inline ? flag(known(at(rule, "enabled"))) !== false : known(at(rule, "status")) !== "Disabled";
    if (!enabled) return;
    const expirations = inline ? [known(at(rule, "expiration")), ...asArray(known(at(rule, "expirations")))] : [known(at(rule, "expiration"))];
    for (const e of expirations.filter(isRecord)) {
      const days = known(at(e, "days"));
      const date = known(at(e, "date"));
      if (at(e, "days") === UNKNOWN) out.push({ bucket, expiry: { at: r, where, prefix: "", unseen: `the expiration days of ${where}` } });
      else if (typeof days === "number" && days > 0) out.push({ bucket, expiry: { at: r, where, days, prefix: rulePrefix(rule, inline) } });
      else if (typeof date === "string" && date !== "") out.push({ bucket, expiry: { at: r, where, date, prefix: rulePrefix(rule, inline) } });
    }
  };
  for (const lc of index.of(...LIFECYCLES)) {
    const rules = at(lc.props, "rules");
    const bucket = bucketRef(index, lc, at(lc.props, "bucket"));
    if (rules === UNKNOWN) {
      out.push({ bucket, expiry: { at: lc, where: "rules", prefix: "", unseen: "its lifecycle rules" } });
      continue;
    }
    asArray(rules).forEach((rule, i) => push(lc, bucket, rule, i, false));
  }
  for (const b of index.of(...BUCKETS)) {
    const rules = at(b.props, "lifecycleRules");
    if (rules === UNKNOWN) {
      out.push({ bucket: { resources: [b], unknown: false }, expiry: { at: b, where: "lifecycleRules", prefix: "", unseen: "its lifecycle rules" } });
      continue;
    }
    items(rules).forEach((rule, i) => push(b, { resources: [b], unknown: false }, rule, i, true));
  }
  return out;
}

/** Do two references name the same bucket (the same resource, or the same name)? */
export function sameBucket(a: BucketRef, b: BucketRef): boolean {
  if (a.resources.some((r) => b.resources.includes(r))) return true;
  return a.name !== undefined && a.name === b.name;
}

/** Can a rule with this key prefix touch objects under the log key prefix? */
export const reachesLogs = (rulePrefix: string | undefined, logPrefix: string) =>
  rulePrefix !== undefined && (logPrefix.startsWith(rulePrefix) || rulePrefix.startsWith(logPrefix));
