// Protects: what the program keeps in S3 (the host bundle with openclaw.json, scripts, logs) from
// being read by anyone on the internet.
// Question: can anyone outside the account read (or write) a bucket or object through an ACL? Canned
// ACLs public-read, public-read-write and authenticated-read, and grants to AllUsers or
// AuthenticatedUsers, on buckets (the legacy acl/grants arguments and BucketAcl) and objects
// (BucketObject, BucketObjectv2, ObjectCopy), and the AWS CLI calls that set them from a command
// resource. Counted unless the program itself makes the ACL void: a public access block on the bucket
// or the account that blocks or ignores public ACLs, or object ownership BucketOwnerEnforced.
// (Bucket policies open to everyone are judged by the resource-policy rules.)
// Checklist: "Network restrictions in place" (nothing of the stack readable from the internet).
// Fix: drop the ACL; keep BucketOwnerEnforced and the public access block on; share with a bucket policy naming principals.
import { COMMAND_FIELDS, COMMAND_TYPES, isPublicAcl, isPublicGrantee, publicSharingCalls } from "../lib/publicData";
import { UNKNOWN, type Known } from "../lib/references";
import { at, flag, known, label, stackIndex, throwBlind, type StackIndex } from "../lib/stackIndex";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { asArray } from "../lib/values";

const S3 = {
  buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  acls: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
  objects: ["aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/BucketObject:BucketObject", "aws:s3/objectCopy:ObjectCopy"],
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  accountPublicAccessBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
};

/** The program's bucket a `bucket` argument names (by name or id), when it holds it. */
function bucketOf(index: StackIndex, from: StackResource, ref: Known<unknown>): StackResource | undefined {
  return index.resolve(from, ref, S3.buckets, ["id", "bucket", "arn"])[0];
}

/** What in the program voids a public ACL on this bucket, if anything. */
function aclVoidedBy(index: StackIndex, bucket: StackResource | undefined, ref: Known<unknown>): string | undefined {
  for (const a of index.of(S3.accountPublicAccessBlock)) {
    if (flag(known(at(a.props, "blockPublicAcls"))) === true || flag(known(at(a.props, "ignorePublicAcls"))) === true) return label(a);
  }
  const mine = (r: StackResource) => {
    const b = at(r.props, "bucket");
    return bucket ? bucketOf(index, r, b) === bucket : b !== UNKNOWN && b === ref;
  };
  for (const p of index.of(S3.publicAccessBlock).filter(mine)) {
    if (flag(known(at(p.props, "blockPublicAcls"))) === true || flag(known(at(p.props, "ignorePublicAcls"))) === true) return label(p);
  }
  for (const o of index.of(S3.ownership).filter(mine)) {
    if (known(at(o.props, "rule", "objectOwnership")) === "BucketOwnerEnforced") return `${label(o)} (ACLs disabled)`;
  }
  return undefined;
}

/** Public canned ACL or grants in one resource's props: what it says, or undefined. */
function publicAclOf(props: Record<string, unknown>): string | undefined {
  const acl = known(at(props, "acl"));
  if (isPublicAcl(acl)) return `acl "${acl}"`;
  const grants = [...asArray(known(at(props, "grants"))), ...asArray(known(at(props, "accessControlPolicy", "grants")))];
  for (const g of grants) {
    const uri = known(at(g, "uri")) ?? known(at(g, "grantee", "uri"));
    if (isPublicGrantee(uri)) return `a grant to ${String(uri).split("/").pop()}`;
  }
  return undefined;
}

export const s3NoPublicAcl: StackRule = {
  kind: "stack",
  name: "s3-no-public-acl",
  description:
    "No bucket or object is readable by anyone through an ACL: no public-read, public-read-write or authenticated-read canned ACL and no grant to AllUsers or AuthenticatedUsers (legacy bucket acl/grants, BucketAcl, objects, or an AWS CLI call in a command), unless the program's public access block or BucketOwnerEnforced ownership makes it void.",
  protects: "the host bundle, configs and logs in S3 from being read by anyone on the internet",
  checklistItems: ["network-restrictions"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    'Remove the public ACL or grant; keep object ownership "BucketOwnerEnforced" and a BucketPublicAccessBlock with all four settings true; let hosts read through their IAM role (and a VPC endpoint), never anonymously.',
  resourceTypes: [...S3.buckets, ...S3.acls, ...S3.objects, ...COMMAND_TYPES],
  validateStack(resources) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    for (const b of index.of(...S3.buckets)) {
      const acl = publicAclOf(b.props);
      if (acl && !aclVoidedBy(index, b, undefined)) out.push({ urn: b.urn, message: `${label(b)}: ${acl} makes the bucket public` });
    }
    for (const r of index.of(...S3.acls, ...S3.objects)) {
      const acl = publicAclOf(r.props);
      if (!acl) continue;
      const ref = at(r.props, "bucket");
      const bucket = bucketOf(index, r, ref);
      const voided = aclVoidedBy(index, bucket, ref);
      if (voided) continue;
      const what = S3.acls.includes(r.type) ? "the bucket" : "the object";
      out.push({ urn: r.urn, message: `${label(r)}: ${acl} makes ${what} public${bucket ? ` (${label(bucket)}; no public access block ignores it)` : ""}` });
    }
    for (const c of index.of(...COMMAND_TYPES)) {
      for (const field of COMMAND_FIELDS) {
        const text = known(at(c.props, field));
        if (typeof text !== "string") continue;
        for (const call of publicSharingCalls(text).filter((x) => x.what === "bucket" || x.what === "object")) {
          if (call.verdict === "public") out.push({ urn: c.urn, message: `${label(c)} ${field}: ${call.call} makes a ${call.what} public` });
          else blind.push(new CannotJudge(`who ${call.call} in ${field} shares the ${call.what} with (a shell variable)`, label(c)));
        }
      }
    }
    throwBlind(blind);
    return out;
  },
};
