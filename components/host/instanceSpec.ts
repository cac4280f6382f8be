// Pure pieces of the host's EC2 and IAM settings, shared by the component and its tests.

/** Debian's official AWS account, which publishes the Debian cloud team's AMIs. */
export const DEBIAN_AMI_OWNER = "136693071363";
export const DEBIAN_AMI_NAME = "debian-12-amd64-*";

/** IMDSv2 only; a hop limit of 1 keeps the metadata service out of reach of anything one hop away. */
export function metadataOptions() {
  return {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 1,
    instanceMetadataTags: "disabled",
  } as const;
}

export function instanceRoleTrust() {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/**
 * The instance may read exactly its own secrets, and decrypt with the data key only when Secrets
 * Manager asks on its behalf (kms:ViaService), so the key grants nothing on its own.
 */
export function secretReadPolicy(secretArns: string[], dataKeyArn: string, region: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secretArns },
      {
        Sid: "DecryptOnlyThroughSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: dataKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
      },
    ],
  };
}
