// Protects: what a disk or a database of the agent holds (openclaw.json, workspace, memory, transcripts,
// cached credentials) from anyone who can copy a shared image or snapshot, or reach a public database.
// Question: can anyone outside the account launch an image, create a volume or restore a database from a
// snapshot the program makes, or reach one of its databases from the internet? AMI launch permissions for
// the group "all" (ec2.AmiLaunchPermission, Image Builder distribution launchPermission userGroups); RDS
// snapshots, snapshot copies, cluster snapshots and their copies with "all" in sharedAccounts; the AWS
// CLI calls that do it from a command resource or a host's user data (modify-image-attribute /
// modify-snapshot-attribute adding the group "all", modify-db-snapshot-attribute /
// modify-db-cluster-snapshot-attribute adding "all"); a call whose group is a shell variable is a blind spot.
// Databases and brokers with publiclyAccessible true (RDS, Aurora, DocumentDB, Neptune, Redshift, Lightsail,
// Timestream for InfluxDB, Amazon MQ, DMS, whose AWS default is public).
// Checklist: "Network restrictions in place" (no disk or database of the agent readable from outside the account).
// Fix: share with named accounts (accountId) or your organization (organizationArn), never the group "all"; publiclyAccessible false.
import { COMPUTE } from "../lib/launches";
import { COMMAND_FIELDS, COMMAND_TYPES, publicSharingCalls } from "../lib/publicData";
import { at, flag, known, label, stackIndex, throwBlind } from "../lib/stackIndex";
import type { StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { hostPayload } from "../lib/userData";
import { asArray, isRecord } from "../lib/values";

const AMI_LAUNCH_PERMISSION = "aws:ec2/amiLaunchPermission:AmiLaunchPermission";
const IMAGE_BUILDER_DISTRIBUTION = "aws:imagebuilder/distributionConfiguration:DistributionConfiguration";
const RDS_SNAPSHOTS = ["aws:rds/snapshot:Snapshot", "aws:rds/snapshotCopy:SnapshotCopy", "aws:rds/clusterSnapshot:ClusterSnapshot", "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy"];
/** Data stores with a publiclyAccessible switch, and whether AWS makes them public when it is unset. */
const PUBLIC_SWITCH: Readonly<Record<string, boolean>> = {
  "aws:rds/instance:Instance": false,
  "aws:rds/clusterInstance:ClusterInstance": false,
  "aws:rds/shardGroup:ShardGroup": false,
  "aws:docdb/clusterInstance:ClusterInstance": false,
  "aws:neptune/clusterInstance:ClusterInstance": false,
  "aws:redshift/cluster:Cluster": false,
  "aws:redshiftserverless/workgroup:Workgroup": false,
  "aws:lightsail/database:Database": false,
  "aws:timestreaminfluxdb/dbInstance:DbInstance": false,
  "aws:timestreaminfluxdb/dbCluster:DbCluster": false,
  "aws:mq/broker:Broker": false,
  // CreateReplicationInstance: "The default value is true."
  "aws:dms/replicationInstance:ReplicationInstance": true,
};
const USER_DATA_TYPES = [COMPUTE.instance, COMPUTE.spotRequest, COMPUTE.launchTemplate, COMPUTE.launchConfiguration, COMPUTE.spotFleet];

export const noPublicImagesSnapshots: StackRule = {
  kind: "stack",
  name: "no-public-images-snapshots",
  description:
    'No image or snapshot is shared with everyone and no database is public: no AMI launch permission or Image Builder distribution for the group "all", no RDS (cluster) snapshot or copy with "all" in sharedAccounts, no modify-image-attribute / modify-snapshot-attribute / modify-db(-cluster)-snapshot-attribute call adding "all" in a command resource or a host\'s user data, and no database, broker or DMS instance publiclyAccessible.',
  protects: "the agent's disks and databases (config, workspace, memory, transcripts, cached credentials) from being copied or reached by anyone",
  checklistItems: ["network-restrictions"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Share images and snapshots with named accounts (accountId) or your organization (organizationArn / organizationalUnitArn), never the group "all" (RDS: sharedAccounts with account ids only); keep ec2.ImageBlockPublicAccess and ebs.SnapshotBlockPublicAccess on; set publiclyAccessible false on databases, brokers and DMS instances.',
  resourceTypes: [AMI_LAUNCH_PERMISSION, IMAGE_BUILDER_DISTRIBUTION, ...RDS_SNAPSHOTS, ...Object.keys(PUBLIC_SWITCH), ...COMMAND_TYPES, ...USER_DATA_TYPES],
  validateStack(resources) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    for (const p of index.of(AMI_LAUNCH_PERMISSION)) {
      const group = known(at(p.props, "group"));
      if (typeof group === "string" && group.toLowerCase() === "all") out.push({ urn: p.urn, message: `${label(p)}: group "all" lets anyone launch the image` });
    }
    for (const d of index.of(IMAGE_BUILDER_DISTRIBUTION)) {
      asArray(known(at(d.props, "distributions"))).forEach((dist, i) => {
        const groups = asArray(known(at(dist, "amiDistributionConfiguration", "launchPermission", "userGroups")));
        if (groups.some((g) => typeof g === "string" && g.toLowerCase() === "all")) out.push({ urn: d.urn, message: `${label(d)} distributions[${i}]: launchPermission userGroups "all" makes every image it builds public` });
      });
    }
    for (const snap of index.of(...RDS_SNAPSHOTS)) {
      const shared = asArray(known(at(snap.props, "sharedAccounts")));
      if (shared.some((a) => typeof a === "string" && a.toLowerCase() === "all")) out.push({ urn: snap.urn, message: `${label(snap)}: sharedAccounts holds "all", so anyone may restore the database from it` });
    }
    for (const db of index.of(...Object.keys(PUBLIC_SWITCH))) {
      const setting = flag(known(at(db.props, "publiclyAccessible")));
      const isPublic = setting ?? PUBLIC_SWITCH[db.type];
      if (isPublic) out.push({ urn: db.urn, message: `${label(db)}: publiclyAccessible is ${setting === undefined ? "unset, and AWS's default is true" : "true"}, so it gets an internet address` });
    }
    const judgeText = (r: (typeof resources)[number], where: string, text: string) => {
      for (const call of publicSharingCalls(text).filter((x) => x.what === "image" || x.what === "snapshot")) {
        if (call.verdict === "public") out.push({ urn: r.urn, message: `${label(r)} ${where}: ${call.call} adds the group "all", making the ${call.what} public` });
        else blind.push(new CannotJudge(`who ${call.call} in ${where} shares the ${call.what} with (a shell variable)`, label(r)));
      }
    };
    for (const c of index.of(...COMMAND_TYPES)) {
      for (const field of COMMAND_FIELDS) {
        const text = known(at(c.props, field));
        if (typeof text === "string") judgeText(c, field, text);
      }
    }
    for (const h of index.of(...USER_DATA_TYPES)) {
      if (!isRecord(h.props)) continue;
      const payload = hostPayload(h.type, h.props);
      for (const { via, line } of payload.commands) if (/modify-(db-(cluster-)?snapshot|image|snapshot)-attribute/.test(line)) judgeText(h, via, line);
    }
    throwBlind(blind);
    return out;
  },
};
