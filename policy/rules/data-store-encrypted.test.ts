// Encryption at rest of the agent's data stores: AWS's defaults, copies that inherit, and what cannot be encrypted.
import { describe, expect, it } from "vitest";
import { CannotJudge } from "../lib/unknown";
import { dataStoreEncrypted } from "./data-store-encrypted";

const judge = (type: string, props: Record<string, unknown>) => dataStoreEncrypted.validateResource(type, props, {});

describe("data-store-encrypted", () => {
  it("takes AWS's default when the switch is unset", () => {
    expect(judge("aws:rds/instance:Instance", {})).toEqual([expect.stringMatching(/storageEncrypted is unset, and AWS's default is unencrypted/)]);
    expect(judge("aws:redshift/cluster:Cluster", {})).toEqual([]);
    expect(judge("aws:elasticache/replicationGroup:ReplicationGroup", { engine: "valkey" })).toEqual([]);
    expect(judge("aws:elasticache/replicationGroup:ReplicationGroup", {})).toHaveLength(1);
    expect(judge("aws:rds/cluster:Cluster", { engineMode: "serverless" })).toEqual([]);
  });

  it("reads string flags as launch templates and Redshift write them", () => {
    expect(judge("aws:redshift/cluster:Cluster", { encrypted: "false" })).toEqual([expect.stringMatching(/encrypted is false/)]);
    expect(judge("aws:efs/fileSystem:FileSystem", { encrypted: "true" })).toEqual([]);
  });

  it("cannot judge a replica or restore whose source the program does not show, unless it names a key", () => {
    expect(() => judge("aws:rds/instance:Instance", { replicateSourceDb: "memory" })).toThrow(CannotJudge);
    expect(() => judge("aws:rds/cluster:Cluster", { snapshotIdentifier: "snap" })).toThrow(/snapshotIdentifier/);
    expect(judge("aws:rds/instance:Instance", { replicateSourceDb: "memory", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" })).toEqual([]);
    expect(judge("aws:rds/instance:Instance", { replicateSourceDb: "memory", storageEncrypted: false })).toHaveLength(1);
  });

  it("refuses a standalone cache cluster, which cannot encrypt at rest, but not a replication group's member", () => {
    expect(judge("aws:elasticache/cluster:Cluster", { engine: "memcached" })).toEqual([expect.stringMatching(/cannot encrypt its data at rest/)]);
    expect(judge("aws:elasticache/cluster:Cluster", { replicationGroupId: "sessions" })).toEqual([]);
  });
});
