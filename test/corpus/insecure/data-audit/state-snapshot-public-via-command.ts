// breaks: "Data exposure" (guide: agent data, memory and transcripts are not exposed): a snapshot of the agent's state volume is never public
// how: the provider has no "public" switch for snapshots, so a @pulumi/command local.Command runs aws ec2 modify-snapshot-attribute --group-names all on a snapshot of the state volume
// expect: violation
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";

// The state volume of the running gateway (managed by the host stack).
const snapshot = new aws.ebs.Snapshot("gw-state-before-upgrade", { volumeId: "vol-0f1e2d3c4b5a69788", description: "openclaw state before 2026.12 upgrade" });
new command.local.Command("share-state-snapshot", {
  create: snapshot.id.apply((id) => `aws ec2 modify-snapshot-attribute --snapshot-id ${id} --attribute createVolumePermission --operation-type add --group-names all`),
});
