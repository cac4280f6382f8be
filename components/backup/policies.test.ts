// The backup role against AWS's own AWSBackupServiceRolePolicyForBackup: no action AWS does not give its
// own backup role for EBS, every action an EBS backup into a vault uses, and each left-out one named.
import { describe, expect, it } from "vitest";
import { backupJobPolicy, backupKeyPolicy } from "./policies";

/**
 * The EBS, KMS-for-EC2, tagging and vault actions of AWSBackupServiceRolePolicyForBackup (policy version v30,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBackupServiceRolePolicyForBackup.html),
 * with what the managed policy attaches to each (resource kind and condition keys).
 */
const MANAGED_EBS: Record<string, { resource: string; conditions: string[] }> = {
  "ec2:CreateSnapshot": { resource: "volume or snapshot", conditions: [] },
  "ec2:DeleteSnapshot": { resource: "snapshot", conditions: [] },
  "ec2:CreateTags": { resource: "snapshot", conditions: [] },
  "ec2:CopySnapshot": { resource: "snapshot", conditions: [] },
  "ec2:DescribeVolumes": { resource: "*", conditions: [] },
  "ec2:DescribeSnapshots": { resource: "*", conditions: [] },
  "ec2:DescribeTags": { resource: "*", conditions: [] },
  "ec2:ModifySnapshotAttribute": { resource: "*", conditions: ["aws:ResourceTag/aws:backup:source-resource"] },
  "ec2:ModifySnapshotTier": { resource: "snapshot", conditions: ["aws:ResourceTag/aws:backup:source-resource"] },
  "ec2:DescribeSnapshotTierStatus": { resource: "*", conditions: [] },
  "tag:GetResources": { resource: "*", conditions: [] },
  "kms:DescribeKey": { resource: "*", conditions: [] },
  "kms:CreateGrant": { resource: "*", conditions: ["kms:GrantIsForAWSResource"] },
  "kms:GenerateDataKeyWithoutPlaintext": { resource: "key", conditions: ["kms:ViaService", "kms:EncryptionContextKeys"] },
  "kms:ReEncryptFrom": { resource: "key", conditions: ["kms:ViaService", "kms:EncryptionContextKeys"] },
  "kms:ReEncryptTo": { resource: "key", conditions: ["kms:ViaService", "kms:EncryptionContextKeys"] },
  "backup:DescribeBackupVault": { resource: "vault", conditions: [] },
  "backup:CopyIntoBackupVault": { resource: "vault", conditions: [] },
};
/** Granted by the managed policy, not by the kit's role, and why. */
const LEFT_OUT: Record<string, string> = {
  "ec2:CopySnapshot": "no cross-region or cross-account copy",
  "ec2:ModifySnapshotAttribute": "no snapshot is shared",
  "ec2:ModifySnapshotTier": "no archive tier",
  "ec2:DescribeSnapshotTierStatus": "no archive tier",
};

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
const VOLUME = "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0";
const VAULT = "arn:aws:backup:us-east-1:123456789012:backup-vault:clawkeep-level1-gw";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const statements = (): Statement[] => [...JSON.parse(backupJobPolicy(VOLUME, VAULT)).Statement, ...JSON.parse(backupKeyPolicy(KEY, "us-east-1")).Statement];
const actions = (st: Statement): string[] => (Array.isArray(st.Action) ? st.Action : [st.Action]);
const conditionKeys = (st: Statement): string[] => Object.values(st.Condition ?? {}).flatMap((c) => Object.keys(c));

describe("the backup role against AWSBackupServiceRolePolicyForBackup", () => {
  it("grants no action the managed policy does not give AWS Backup for EBS", () => {
    const granted = statements().flatMap(actions);
    expect(granted.filter((a) => !(a in MANAGED_EBS))).toEqual([]);
  });

  it("grants every EBS action of the managed policy but the ones left out for a reason", () => {
    const granted = new Set(statements().flatMap(actions));
    const missing = Object.keys(MANAGED_EBS).filter((a) => !granted.has(a) && !(a in LEFT_OUT));
    expect(missing).toEqual([]);
    for (const a of Object.keys(LEFT_OUT)) expect(granted.has(a), a).toBe(false);
  });

  it("keeps every condition the managed policy puts on an action, and narrows '*' to the one key, volume or vault", () => {
    for (const st of statements()) {
      for (const a of actions(st)) {
        for (const key of MANAGED_EBS[a].conditions) expect(conditionKeys(st), `${a} keeps ${key}`).toContain(key);
        const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
        if (a.startsWith("kms:")) expect(resources, a).toEqual([KEY]);
        if (a.startsWith("backup:")) expect(resources, a).toEqual([VAULT]);
        if (a === "ec2:CreateSnapshot") expect(resources, a).toContain(VOLUME);
        if (resources.includes("*")) expect(a, `${a} on *`).toMatch(/^(ec2:Describe|tag:GetResources$)/);
      }
    }
  });

  it("leaves kms:Decrypt out and uses the key through EC2 only for an EBS encryption context", () => {
    expect(statements().flatMap(actions)).not.toContain("kms:Decrypt");
    const ec2 = statements().find((st) => st.Sid === "SnapshotsOfTheStateVolumeThroughEc2");
    expect(ec2?.Condition).toEqual({ StringEquals: { "kms:ViaService": "ec2.us-east-1.amazonaws.com" }, "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "aws:ebs:id" } });
  });
});
