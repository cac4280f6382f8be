// Protects: every resource a resource policy can open to the world — the keys that decrypt the
// gateway's secrets, the queues that feed the agent, buckets, repositories, event buses, file
// systems, log destinations, APIs. A statement for Principal "*" (or everyone but a NotPrincipal)
// with no condition pinning the caller to a bounded account, organization, network or principal lets
// every AWS account (often anonymous callers too) use the resource.
// Checklist: "Network restrictions in place"; "Role-based access control implemented"; "API keys stored in ... secrets manager".
// Fix: name the principals, or add aws:PrincipalAccount / aws:PrincipalOrgID / aws:SourceVpce / aws:SourceArn.
import { parseKnownPolicy, publicStatementMessages } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";
import { readKnown } from "../lib/values";

/**
 * Resource-policy properties by resource type (@pulumi/aws 7.48). SNS topics and Secrets Manager have
 * their own rules (sns-topic-not-public, secret-policy-not-public), Lambda permissions theirs
 * (lambda-not-public); VPC endpoint policies are left out: "*" there is the norm, the endpoint is the bound.
 */
const POLICY_PROPS: Readonly<Record<string, string>> = {
  "aws:kms/key:Key": "policy",
  "aws:kms/keyPolicy:KeyPolicy": "policy",
  "aws:kms/replicaKey:ReplicaKey": "policy",
  "aws:kms/externalKey:ExternalKey": "policy",
  "aws:kms/replicaExternalKey:ReplicaExternalKey": "policy",
  "aws:sqs/queue:Queue": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:s3/bucket:Bucket": "policy",
  "aws:s3/bucketV2:BucketV2": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:s3/accessPoint:AccessPoint": "policy",
  "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
  "aws:s3control/bucketPolicy:BucketPolicy": "policy",
  "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "policy",
  "aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy": "policy",
  "aws:s3/filesFileSystemPolicy:FilesFileSystemPolicy": "policy",
  "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": "policy",
  "aws:s3tables/tableBucketPolicy:TableBucketPolicy": "resourcePolicy",
  "aws:s3tables/tablePolicy:TablePolicy": "resourcePolicy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:ecr/registryPolicy:RegistryPolicy": "policy",
  "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
  "aws:glacier/vault:Vault": "accessPolicy",
  "aws:glacier/vaultLock:VaultLock": "policy",
  "aws:backup/vaultPolicy:VaultPolicy": "policy",
  "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
  "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": "accessPolicy",
  "aws:apigateway/restApi:RestApi": "policy",
  "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
  "aws:apigateway/domainName:DomainName": "policy",
  "aws:lambda/resourcePolicy:ResourcePolicy": "policy",
  "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
  "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
  "aws:glue/resourcePolicy:ResourcePolicy": "policy",
  "aws:codebuild/resourcePolicy:ResourcePolicy": "policy",
  "aws:codeartifact/domainPermissions:DomainPermissions": "policyDocument",
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
  "aws:elasticsearch/domain:Domain": "accessPolicies",
  "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
  "aws:opensearch/domain:Domain": "accessPolicies",
  "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
  "aws:opensearchingest/resourcePolicy:ResourcePolicy": "policy",
  "aws:cloudsearch/domainServiceAccessPolicy:DomainServiceAccessPolicy": "accessPolicy",
  "aws:mediastore/containerPolicy:ContainerPolicy": "policy",
  "aws:msk/clusterPolicy:ClusterPolicy": "policy",
  "aws:networkfirewall/resourcePolicy:ResourcePolicy": "policy",
  "aws:oam/sinkPolicy:SinkPolicy": "policy",
  "aws:redshift/resourcePolicy:ResourcePolicy": "policy",
  "aws:redshiftserverless/resourcePolicy:ResourcePolicy": "policy",
  "aws:schemas/registryPolicy:RegistryPolicy": "policy",
  "aws:ses/identityPolicy:IdentityPolicy": "policy",
  "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy": "policy",
  "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": "resourcePolicy",
  "aws:vpclattice/authPolicy:AuthPolicy": "policy",
  "aws:vpclattice/resourcePolicy:ResourcePolicy": "policy",
  "aws:xray/resourcePolicy:ResourcePolicy": "policyDocument",
  "aws:acmpca/policy:Policy": "policy",
  "aws:amp/resourcePolicy:ResourcePolicy": "policyDocument",
  "aws:dsql/clusterPolicy:ClusterPolicy": "policy",
  "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": "policy",
  "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": "policy",
};

/** Permissions given as a principal string instead of a document: "*" is everyone unless the org field bounds it. */
const PRINCIPAL_PERMISSIONS: Readonly<Record<string, { org?: string; what: string }>> = {
  "aws:cloudwatch/eventPermission:EventPermission": { what: "put events on the event bus" },
  "aws:lambda/layerVersionPermission:LayerVersionPermission": { org: "organizationId", what: "use the Lambda layer (and read its code)" },
};

const nonEmpty = (v: unknown) => typeof v === "string" && v.trim() !== "";

export const resourcePolicyNotPublic: ResourceRule = {
  kind: "resource",
  name: "resource-policy-not-public",
  description:
    'No resource policy (KMS keys, SQS queues, S3 buckets and access points, ECR repositories, EFS, event buses, log destinations, API Gateway, OpenSearch, DynamoDB, Kinesis, Glue, ...) allows Principal "*" or everyone but a NotPrincipal without a condition that pins the caller to a bounded account, organization, network or principal.',
  protects: "keys, queues, buckets and every other resource with a resource policy from every AWS account and anonymous callers",
  checklistItems: ["network-restrictions", "role-based-access", "api-keys-in-secret-store"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    'Replace Principal "*" with the roles or services that need the resource, or add a condition on aws:PrincipalAccount / aws:PrincipalOrgID / aws:SourceVpce / aws:SourceArn / aws:SourceAccount (a concrete value, not a wildcard); for a KMS key keep the account-root statement and name the key users.',
  resourceTypes: [...Object.keys(POLICY_PROPS), ...Object.keys(PRINCIPAL_PERMISSIONS)],
  validateResource(type, props) {
    const permission = PRINCIPAL_PERMISSIONS[type];
    if (permission) {
      if (props.principal !== "*") return [];
      const condition = props.condition;
      if (permission.org ? nonEmpty(props[permission.org]) : condition !== undefined && condition !== null) return [];
      return [`principal "*" may ${permission.what}: every AWS account`];
    }
    const prop = POLICY_PROPS[type];
    const policy = readKnown(props, prop, undefined);
    if (policy === undefined || policy === null || policy === "") return [];
    const doc = parseKnownPolicy(policy, `the resource policy (${prop})`);
    if (doc.error) return [`${prop}: ${doc.error}`];
    return publicStatementMessages(doc, prop);
  },
};
