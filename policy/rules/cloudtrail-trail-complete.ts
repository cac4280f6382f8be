// Protects: the account's record of who changed what (the host's role, its secrets, its keys) from
// gaps and silent edits. A trail is that record only when it is complete and tamper-evident.
// Question: does a CloudTrail trail miss regions or IAM/STS, keep no digest files, or store its logs
// without a customer managed key? Every trail: enableLogFileValidation true (digests prove a log was not
// edited or deleted; AWS's default is off) and kmsKeyId (reading the logs then needs kms:Decrypt too, and
// each decrypt is itself recorded). A trail that records management events (no selectors, or selectors
// that include them) also: isMultiRegionTrail true (AWS's default is one region, so activity in any other
// region goes unseen) and includeGlobalServiceEvents not false (IAM, STS and CloudFront log only as global
// events). A data-events-only trail beside a management trail may stay regional.
// Checklist: "Comprehensive audit logging configured"; best practice 6, monitoring.
// Fix: enableLogFileValidation: true, isMultiRegionTrail: true, includeGlobalServiceEvents: true (or unset), kmsKeyId: a CMK.
import { flag } from "../lib/stackIndex";
import type { ResourceRule } from "../lib/types";
import { asArray, isRecord } from "../lib/values";

/** Does the trail record management events at all (read or write)? */
function recordsManagementEvents(props: Record<string, unknown>): boolean {
  const basic = asArray(props.eventSelectors).filter(isRecord);
  const advanced = asArray(props.advancedEventSelectors).filter(isRecord);
  if (basic.length === 0 && advanced.length === 0) return true;
  if (basic.some((s) => flag(s.includeManagementEvents) !== false)) return true;
  const fields = advanced.flatMap((s) => asArray(s.fieldSelectors).filter(isRecord));
  return fields.some((f) => String(f.field).toLowerCase() === "eventcategory" && asArray(f.equals).some((v) => String(v).toLowerCase() === "management"));
}

export const cloudtrailTrailComplete: ResourceRule = {
  kind: "resource",
  name: "cloudtrail-trail-complete",
  description:
    "Every CloudTrail trail is tamper-evident and encrypted (enableLogFileValidation true, kmsKeyId set); a trail that records management events also covers every region (isMultiRegionTrail true) and global services such as IAM and STS (includeGlobalServiceEvents not false).",
  protects: "the completeness and integrity of the record of who changed what in the account",
  checklistItems: ["audit-logging", "monitoring-maintenance"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Set enableLogFileValidation: true, isMultiRegionTrail: true, includeGlobalServiceEvents: true (or leave it unset) and kmsKeyId to a customer managed key whose policy lets cloudtrail.amazonaws.com encrypt for this account.",
  resourceTypes: ["aws:cloudtrail/trail:Trail"],
  validateResource(_type, props) {
    const out: string[] = [];
    if (flag(props.enableLogFileValidation) !== true) out.push(`enableLogFileValidation is ${props.enableLogFileValidation === undefined ? "unset (AWS's default is off)" : String(props.enableLogFileValidation)}: no digest files, so an edited or deleted log file goes unnoticed`);
    if (typeof props.kmsKeyId !== "string" || props.kmsKeyId === "") out.push("kmsKeyId is not set: the logs are not encrypted with a customer managed key");
    if (recordsManagementEvents(props)) {
      if (flag(props.isMultiRegionTrail) !== true) out.push(`isMultiRegionTrail is ${props.isMultiRegionTrail === undefined ? "unset (AWS's default is this region only)" : String(props.isMultiRegionTrail)}: activity in every other region goes unrecorded`);
      if (flag(props.includeGlobalServiceEvents) === false) out.push("includeGlobalServiceEvents is false: IAM, STS and other global services go unrecorded");
    }
    return out;
  },
};
