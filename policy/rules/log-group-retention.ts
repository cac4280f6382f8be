// Protects: the audit trail. Security-relevant events must be kept at least 90 days (the guide's
// minimum) so an incident can still be investigated when it is found.
// Question: does any log group, or any S3 bucket the program's audit logs land in, drop them sooner?
// Every CloudWatch log group (retentionInDays); every bucket a CloudTrail trail, a VPC flow log, AWS Config,
// S3 server access logging, Route 53 Resolver query logging or a load balancer writes to, against every
// enabled lifecycle rule that can reach the log keys (BucketLifecycleConfiguration and its V2 alias, inline
// lifecycleRules): expiration days below the minimum, or a fixed expiration date, is a finding. Expiring
// noncurrent versions only is not (the current log objects stay); a rule filtered to tagged objects
// never reaches logs, which their writers do not tag. minRetentionDays is the one home of the number.
// Checklist: "Comprehensive audit logging configured"; best practice 6, monitoring.
// Fix: retentionInDays of 90 or more (or 0/unset: never expire) on every log group; audit buckets' lifecycle expiration.days >= 90.
import { auditDestinations, expiries, reachesLogs, sameBucket } from "../lib/auditBuckets";
import { at, label, stackIndex, throwBlind } from "../lib/stackIndex";
import { UNKNOWN } from "../lib/references";
import type { StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

export const logGroupRetention: StackRule = {
  kind: "stack",
  name: "log-group-retention",
  description:
    "Audit logs are kept at least minRetentionDays: every CloudWatch log group (unset or 0 keeps them forever), and every S3 bucket a CloudTrail trail, VPC flow log, AWS Config, S3 access logging, Resolver query logging or load balancer writes to (no enabled lifecycle rule that reaches the logs expires them sooner or on a fixed date).",
  protects: "the audit trail needed to investigate an incident",
  checklistItems: ["audit-logging", "monitoring-maintenance"],
  severity: "medium",
  enforcementLevel: "mandatory",
  remediation:
    "Set retentionInDays to 90 or more (CloudWatch accepts 90, 120, 150, 180, 365, ...); on buckets that receive audit logs, make every lifecycle expiration at least 90 days (transitions to colder storage are fine), or filter short-lived rules to a prefix outside the logs.",
  configSchema: {
    minRetentionDays: { type: "integer", default: 90, minimum: 1, maximum: 3653, description: "Shortest allowed retention of audit logs (log groups and audit buckets), in days." },
  },
  resourceTypes: [
    LOG_GROUP,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
  ],
  validateStack(resources, config) {
    const index = stackIndex(resources);
    const min = config.minRetentionDays;
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    for (const g of index.of(LOG_GROUP)) {
      const days = at(g.props, "retentionInDays");
      if (days === UNKNOWN) {
        blind.push(new CannotJudge("retentionInDays", label(g)));
        continue;
      }
      if (days === undefined || days === null || days === 0) continue;
      if (typeof days !== "number" || days < min) out.push({ urn: g.urn, message: `${label(g)}: retentionInDays is ${String(days)}; at least ${min} days are required` });
    }
    const destinations = auditDestinations(index);
    if (destinations.length > 0) {
      for (const { bucket, expiry } of expiries(index)) {
        if (expiry.days !== undefined && expiry.days >= min) continue;
        const hit = destinations.find((d) => sameBucket(d.bucket, bucket) && reachesLogs(expiry.prefix, d.keyPrefix));
        if (!hit) continue;
        if (expiry.unseen) {
          blind.push(new CannotJudge(`${expiry.unseen}, in the bucket ${hit.writer} writes its audit logs to`, label(expiry.at)));
          continue;
        }
        const when = expiry.days !== undefined ? `after ${expiry.days} day${expiry.days === 1 ? "" : "s"}` : `on a fixed date (${String(expiry.date)})`;
        out.push({ urn: expiry.at.urn, message: `${label(expiry.at)} ${expiry.where}: expires objects ${when}, in the bucket ${hit.writer} writes its audit logs to; they must be kept at least ${min} days` });
      }
    }
    throwBlind(blind);
    return out;
  },
};
