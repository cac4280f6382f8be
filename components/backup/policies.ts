// The documents of a cell's backups: who may delete recovery points (the vault access policy) and what
// the AWS Backup role may do with the cell's data key. Pure, so tests and the pack read them as written.

type Statement = Record<string, unknown>;

/** Actions that destroy or shorten a recovery point: only the cell's Admin may call them on the vault. */
export const RECOVERY_POINT_DELETE_ACTIONS = ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle", "backup:DisassociateRecoveryPoint"] as const;

/** Actions that change the vault's access policy: the Admin, and whoever deploys the stack (it writes the policy). */
export const VAULT_POLICY_ACTIONS = ["backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVaultAccessPolicy"] as const;

/**
 * The vault access policy: deny deleting (or shortening) recovery points to every principal but the
 * Admin role, and changing this policy to all but the Admin and the deployer. AWS Backup policies take
 * no action wildcards, so the actions are listed.
 */
export function vaultAccessPolicy(adminRoleArn: string, deployerArns: readonly string[]): string {
  const statements: Statement[] = [
    {
      Sid: "OnlyAdminDeletesRecoveryPoints",
      Effect: "Deny",
      Principal: "*",
      Action: [...RECOVERY_POINT_DELETE_ACTIONS],
      Resource: "*",
      Condition: { ArnNotEquals: { "aws:PrincipalArn": [adminRoleArn] } },
    },
    {
      Sid: "OnlyAdminAndDeployerChangeThisPolicy",
      Effect: "Deny",
      Principal: "*",
      Action: [...VAULT_POLICY_ACTIONS],
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalArn": [adminRoleArn, ...deployerArns] } },
    },
  ];
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust: only AWS Backup assumes the backup role. */
export function backupTrustPolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
}

/**
 * What AWS Backup does for an EBS recovery point (the EBS statements of AWSBackupServiceRolePolicyForBackup,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBackupServiceRolePolicyForBackup.html):
 * snapshot the one volume, tag and (at expiry) delete its snapshots, read volumes and snapshots, and write
 * into the cell's vault. Left out: copies (ec2:CopySnapshot), sharing (ModifySnapshotAttribute), the archive
 * tier, AMIs and every other service.
 */
export function backupJobPolicy(volumeArn: string, vaultArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "SnapshotTheStateVolume", Effect: "Allow", Action: "ec2:CreateSnapshot", Resource: [volumeArn, "arn:aws:ec2:*::snapshot/*"] },
      { Sid: "TagAndExpireItsSnapshots", Effect: "Allow", Action: ["ec2:CreateTags", "ec2:DeleteSnapshot"], Resource: "arn:aws:ec2:*::snapshot/*" },
      { Sid: "ReadVolumesAndSnapshots", Effect: "Allow", Action: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:DescribeTags", "tag:GetResources"], Resource: "*" },
      { Sid: "IntoTheCellVault", Effect: "Allow", Action: ["backup:DescribeBackupVault", "backup:CopyIntoBackupVault"], Resource: vaultArn },
    ],
  });
}

/**
 * EBS snapshots keep the volume's key (AWS Backup cannot re-encrypt them), so the role uses that key the way
 * the managed policy's KMS statements do, on this key only: DescribeKey; a grant only for an AWS resource;
 * data keys and re-encryption only through EC2 and only for an EBS encryption context. No kms:Decrypt (the
 * managed policy gives EC2 none either; a restore is the deployer's `pulumi up`, not this role).
 */
export function backupKeyPolicy(dataKeyArn: string, region: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "DescribeTheDataKey", Effect: "Allow", Action: "kms:DescribeKey", Resource: dataKeyArn },
      { Sid: "GrantsOnlyForAnAwsResource", Effect: "Allow", Action: "kms:CreateGrant", Resource: dataKeyArn, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
      {
        Sid: "SnapshotsOfTheStateVolumeThroughEc2",
        Effect: "Allow",
        Action: ["kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
        Resource: dataKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `ec2.${region}.amazonaws.com` }, "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "aws:ebs:id" } },
      },
    ],
  });
}
