// What makes data public outside the account, in the forms a program can write it: S3 canned ACLs and
// grants to everyone, AMI launch permissions and snapshot volume permissions for the group "all", and
// the AWS CLI calls that do the same from a command resource or a host's script (the provider has no
// switch for a public snapshot, so programs shell out). A command the pack cannot read is a blind spot.

/** Canned ACLs that let anyone (or any AWS account) read or write. */
export const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"] as const;

/** Grantee URIs for everyone and for every AWS account. */
export const PUBLIC_GRANTEES = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"] as const;

export function isPublicAcl(acl: unknown): acl is string {
  return typeof acl === "string" && (PUBLIC_CANNED_ACLS as readonly string[]).includes(acl.trim().toLowerCase());
}

export function isPublicGrantee(uri: unknown): boolean {
  return typeof uri === "string" && (PUBLIC_GRANTEES as readonly string[]).some((g) => uri.trim().replace(/^https:/, "http:") === g);
}

export interface SharingCall {
  /** e.g. "aws ec2 modify-snapshot-attribute". */
  call: string;
  /** "public" when it shares with everyone; "unknown" when who it shares with is a variable the text does not resolve. */
  verdict: "public" | "unknown";
  what: "snapshot" | "image" | "bucket" | "object";
}

// One logical command line: continuation backslashes joined.
const logicalLines = (text: string) => text.replace(/\\\r?\n/g, " ").split(/\r?\n|;|&&|\|\|/);

/**
 * AWS CLI calls in a script or command line that make a snapshot, image, bucket or object public:
 * modify-snapshot-attribute / modify-image-attribute adding the group "all", modify-db-snapshot-attribute /
 * modify-db-cluster-snapshot-attribute adding "all" to the accounts that may restore, put-bucket-acl /
 * put-object-acl / s3 cp|sync|mv with a public canned ACL or an AllUsers grant.
 */
export function publicSharingCalls(text: string): SharingCall[] {
  const out: SharingCall[] = [];
  for (const raw of logicalLines(text)) {
    const line = raw.trim();
    if (!/\baws\b/.test(line) && !/modify-(db-(cluster-)?snapshot|snapshot|image)-attribute|put-(bucket|object)-acl/.test(line)) continue;
    const variable = /\$\{?[A-Za-z_]|`|\$\(/;
    // RDS shares a DB (cluster) snapshot with everyone when "all" is among the accounts that may restore it.
    const db = /modify-db-(cluster-)?snapshot-attribute/.exec(line);
    if (db) {
      const call = `aws rds ${db[0]}`;
      const added = /--values-to-add[=\s]+((?:(?!--)\S+\s*)+)/.exec(line)?.[1] ?? "";
      const values = added.split(/[\s,[\]"']+/).filter((v) => v !== "");
      if (values.some((v) => v.toLowerCase() === "all")) out.push({ call, verdict: "public", what: "snapshot" });
      else if (values.some((v) => variable.test(v))) out.push({ call, verdict: "unknown", what: "snapshot" });
      continue;
    }
    const attr = /modify-(snapshot|image)-attribute/.exec(line);
    if (attr) {
      const what = attr[1] === "snapshot" ? "snapshot" : "image";
      if (/--operation-type\s+["']?remove/i.test(line) || (/\bRemove=/i.test(line) && !/\bAdd=/i.test(line))) continue;
      const groupArg = /--(?:group-names|user-groups)\s+(["']?)([^\s"']+)\1/i.exec(line)?.[2];
      const addJson = /\bAdd=\[?\{?[^\]]*Group=([^\s,}\]"']+)/i.exec(line)?.[1] ?? /"Group"\s*:\s*"([^"]+)"/i.exec(line)?.[1];
      const group = groupArg ?? addJson;
      if (group === undefined) continue;
      if (group.toLowerCase() === "all") out.push({ call: `aws ec2 ${attr[0]}`, verdict: "public", what });
      else if (variable.test(group)) out.push({ call: `aws ec2 ${attr[0]}`, verdict: "unknown", what });
      continue;
    }
    const acl = /(put-bucket-acl|put-object-acl|\bs3\s+(?:cp|sync|mv))\b/.exec(line);
    if (acl) {
      const what = acl[1] === "put-bucket-acl" ? "bucket" : "object";
      const canned = /--acl\s+(["']?)([^\s"']+)\1/i.exec(line)?.[2];
      const grant = /--grant-(?:read|write|read-acp|write-acp|full-control)\s+(["']?)[^"'\n]*?(AllUsers|AuthenticatedUsers)/i.test(line);
      const call = acl[1].startsWith("put") ? `aws s3api ${acl[1]}` : `aws ${acl[1].replace(/\s+/, " ")}`;
      if (isPublicAcl(canned) || grant) out.push({ call, verdict: "public", what });
      else if (canned !== undefined && variable.test(canned)) out.push({ call, verdict: "unknown", what });
    }
  }
  return out;
}

/** Command resources (@pulumi/command) and the fields that hold the shell they run. */
export const COMMAND_TYPES = ["command:local:Command", "command:remote:Command"] as const;
export const COMMAND_FIELDS = ["create", "update", "delete"] as const;
