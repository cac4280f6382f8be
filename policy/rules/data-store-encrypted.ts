// Protects: what the agent keeps beside its host (long-term memory, transcripts, workspace files,
// caches, search indexes) from anyone who gets a snapshot, a backup or the storage underneath.
// Question: does the program create a data store that holds its data unencrypted at rest? RDS
// instances and clusters (Aurora, Multi-AZ) and global clusters (storageEncrypted: AWS's default is false,
// except Aurora Serverless v1), DocumentDB and Neptune clusters (storageEncrypted, default false), EFS
// (encrypted, default false in the API), ElastiCache replication groups (atRestEncryptionEnabled, default false
// for Redis, true for Valkey) and standalone cache clusters (which cannot encrypt at rest), Redshift
// (encrypted, default true), OpenSearch and Elasticsearch domains (encryptAtRest, default off), DAX
// (serverSideEncryption, default off). A replica or a restore that takes its encryption from a source the
// program does not show, and names no key, cannot be judged. Always encrypted, not judged: DynamoDB,
// S3, FSx, MemoryDB, ElastiCache Serverless, Redshift Serverless, OpenSearch Serverless. EBS: ec2-ebs-encrypted.
// Checklist: best practice 5, production deployment architecture (hardened host, encrypted storage).
// Fix: storageEncrypted / encrypted / atRestEncryptionEnabled / encryptAtRest.enabled true, with kmsKeyId a customer managed key.
import { flag } from "../lib/stackIndex";
import type { Props, ResourceRule } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { isRecord } from "../lib/values";

interface Store {
  /** Where the switch lives, e.g. `storageEncrypted`, `encryptAtRest.enabled`. */
  field: string;
  read(props: Props): unknown;
  /** What AWS does when the switch is unset. */
  defaultOn(props: Props): boolean;
  /** Fields that make the store a copy of another (replica, restore), whose encryption it inherits. */
  copiedFrom?: readonly string[];
}

const storageEncrypted = (copiedFrom: readonly string[], defaultOn: (p: Props) => boolean = () => false): Store => ({ field: "storageEncrypted", read: (p) => p.storageEncrypted, defaultOn, copiedFrom });
const nested = (block: string, key = "enabled"): Store => ({ field: `${block}.${key}`, read: (p) => (isRecord(p[block]) ? p[block][key] : undefined), defaultOn: () => false });

const STORES: Readonly<Record<string, Store>> = {
  "aws:rds/instance:Instance": storageEncrypted(["replicateSourceDb", "snapshotIdentifier", "restoreToPointInTime"]),
  // Aurora Serverless v1 is always encrypted.
  "aws:rds/cluster:Cluster": storageEncrypted(["snapshotIdentifier", "replicationSourceIdentifier", "restoreToPointInTime", "globalClusterIdentifier", "s3Import"], (p) => p.engineMode === "serverless"),
  "aws:rds/globalCluster:GlobalCluster": storageEncrypted(["sourceDbClusterIdentifier"]),
  "aws:docdb/cluster:Cluster": storageEncrypted(["snapshotIdentifier", "restoreToPointInTime", "globalClusterIdentifier"]),
  "aws:neptune/cluster:Cluster": storageEncrypted(["snapshotIdentifier", "replicationSourceIdentifier", "globalClusterIdentifier"]),
  "aws:efs/fileSystem:FileSystem": { field: "encrypted", read: (p) => p.encrypted, defaultOn: () => false },
  "aws:elasticache/replicationGroup:ReplicationGroup": {
    field: "atRestEncryptionEnabled",
    read: (p) => p.atRestEncryptionEnabled,
    defaultOn: (p) => String(p.engine ?? "redis").toLowerCase() === "valkey",
    copiedFrom: ["globalReplicationGroupId"],
  },
  "aws:redshift/cluster:Cluster": { field: "encrypted", read: (p) => p.encrypted, defaultOn: () => true, copiedFrom: ["snapshotIdentifier", "snapshotArn"] },
  "aws:opensearch/domain:Domain": nested("encryptAtRest"),
  "aws:elasticsearch/domain:Domain": nested("encryptAtRest"),
  "aws:dax/cluster:Cluster": nested("serverSideEncryption"),
};
const CACHE_CLUSTER = "aws:elasticache/cluster:Cluster";

export const dataStoreEncrypted: ResourceRule = {
  kind: "resource",
  name: "data-store-encrypted",
  description:
    "Every data store that can hold the agent's data is encrypted at rest: RDS instances, clusters and global clusters, DocumentDB, Neptune (storageEncrypted), EFS (encrypted), ElastiCache replication groups (atRestEncryptionEnabled; a standalone cache cluster cannot encrypt), Redshift (encrypted), OpenSearch/Elasticsearch (encryptAtRest), DAX (serverSideEncryption); unset takes AWS's default, which is off for most.",
  protects: "the agent's memory, transcripts and workspace kept outside the host, and their snapshots",
  checklistItems: ["production-host"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Turn encryption at rest on when the store is created (it cannot be added later to RDS, DocumentDB, Neptune, EFS or ElastiCache): storageEncrypted / encrypted / atRestEncryptionEnabled / encryptAtRest.enabled / serverSideEncryption.enabled true, with kmsKeyId a customer managed key; put cached data in an ElastiCache replication group, not a standalone cache cluster.",
  resourceTypes: [...Object.keys(STORES), CACHE_CLUSTER],
  validateResource(type, props) {
    if (type === CACHE_CLUSTER) {
      // A member of a replication group is judged with its group.
      if (typeof props.replicationGroupId === "string" && props.replicationGroupId !== "") return [];
      return [`a standalone ${String(props.engine ?? "cache")} cluster cannot encrypt its data at rest; use an ElastiCache replication group with atRestEncryptionEnabled true`];
    }
    const store = STORES[type];
    const on = flag(store.read(props));
    if (on === true) return [];
    if (on === false) return [`${store.field} is false: the data is stored unencrypted`];
    if (store.defaultOn(props)) return [];
    const source = store.copiedFrom?.find((k) => props[k] !== undefined && props[k] !== null && props[k] !== "");
    if (source) {
      // A copy names a key to encrypt with, or takes the source's encryption, which only the account knows.
      if (typeof props.kmsKeyId === "string" && props.kmsKeyId !== "") return [];
      throw new CannotJudge(`whether the source named by ${source} is encrypted (${store.field} is unset and no kmsKeyId is given)`);
    }
    return [`${store.field} is unset, and AWS's default is unencrypted`];
  },
};
