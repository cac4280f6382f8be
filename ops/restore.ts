// `npm run restore -- --stack NAME --recovery-point ARN`: build the cell's state volume from a chosen
// recovery point. The point is checked (an EBS snapshot, completed, encrypted, the cell's own) and its
// snapshot id written to the stack file as clawkeep:stateVolumeSnapshotId, as `pulumi config set` would:
// the next `pulumi up` builds the state volume from it and moves it to the host (README "Restore").
// `--create-volume --availability-zone AZ` builds a detached volume from it instead, for inspection,
// without touching the stack. AWS endpoints follow the SDK's standard variables (AWS_ENDPOINT_URL).
// Exit 0 done, 1 the recovery point is unusable or AWS refused, 2 bad input.
import * as fs from "node:fs";
import { CreateVolumeCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, EC2Client, type Snapshot } from "@aws-sdk/client-ec2";
import { parseDocument } from "yaml";
import { CELL_TAG, STACK_TAG } from "../components/base/names";
import { CONFIG_NAMESPACE, ConfigError, SNAPSHOT_ID, loadStackFile, snapshotIdOfRecoveryPoint, stackFilePath, STACKS_DIR } from "../stacks";

export const USAGE = `usage: npm run restore -- --stack NAME --recovery-point ARN [--create-volume --availability-zone AZ [--kms-key-id KEY]]

  --recovery-point    an EBS recovery point of the cell's state volume: arn:aws:ec2:REGION::snapshot/snap-... or snap-...
                      (aws backup list-recovery-points-by-backup-vault --backup-vault-name VAULT lists them)
  default             check it and set clawkeep:stateVolumeSnapshotId in stacks/Pulumi.NAME.yaml; then \`pulumi up\`
  --create-volume     instead build a detached volume from it in --availability-zone (encrypted with the
                      snapshot's own key, or --kms-key-id), for inspection; the stack is not changed`;

export class UsageError extends Error {}
/** The recovery point cannot be used, or AWS refused: exit 1. `changed` says what was done before it failed. */
export class RestoreError extends Error {
  constructor(
    message: string,
    readonly changed?: string,
  ) {
    super(message);
  }
}

export interface RestoreArgs {
  stack: string;
  recoveryPoint: string;
  createVolume: boolean;
  availabilityZone?: string;
  kmsKeyId?: string;
}

export function parseRestoreArgs(argv: string[]): RestoreArgs {
  const values: Record<string, string> = {};
  let createVolume = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--create-volume") {
      createVolume = true;
      continue;
    }
    if (!["--stack", "--recovery-point", "--availability-zone", "--kms-key-id"].includes(a)) throw new UsageError(`unknown flag or argument: ${a}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
    values[a] = v;
    i++;
  }
  if (!values["--stack"]) throw new UsageError("--stack NAME is required");
  if (!values["--recovery-point"]) throw new UsageError("--recovery-point ARN is required");
  if (createVolume !== Boolean(values["--availability-zone"])) throw new UsageError("--create-volume and --availability-zone AZ go together");
  if (values["--kms-key-id"] && !createVolume) throw new UsageError("--kms-key-id applies to --create-volume only");
  return { stack: values["--stack"], recoveryPoint: values["--recovery-point"], createVolume, availabilityZone: values["--availability-zone"], kmsKeyId: values["--kms-key-id"] };
}

const tag = (s: Snapshot, key: string) => s.Tags?.find((t) => t.Key === key)?.Value;

/** Why a snapshot is not a recovery point of this cell's state, or undefined. */
export function snapshotProblem(s: Snapshot, stack: string, cellName: string): string | undefined {
  if (s.State !== "completed") return `is ${s.State ?? "in an unknown state"}, not completed`;
  if (!s.Encrypted) return "is not encrypted: a cell's recovery points always are (they keep the state volume's key)";
  const [ownStack, ownCell] = [tag(s, STACK_TAG), tag(s, CELL_TAG)];
  if (ownStack !== stack || ownCell !== cellName) {
    return `belongs to ${ownStack && ownCell ? `stack ${ownStack}, cell ${ownCell}` : "no cell (it lacks the clawkeep:stack and clawkeep:cell tags)"}, not stack ${stack}, cell ${cellName}`;
  }
  return undefined;
}

/** The stack file with clawkeep:stateVolumeSnapshotId set (comments and order kept), as `pulumi config set` writes it. */
export function withSnapshotId(stackFileText: string, snapshotId: string): string {
  if (!SNAPSHOT_ID.test(snapshotId)) throw new UsageError(`not a snapshot id: ${snapshotId}`);
  const doc = parseDocument(stackFileText);
  doc.setIn(["config", `${CONFIG_NAMESPACE}:stateVolumeSnapshotId`], snapshotId);
  return doc.toString();
}

async function waitAvailable(ec2: EC2Client, volumeId: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes?.[0];
    if (v?.State === "available") return;
    if (v?.State === "error") throw new RestoreError(`volume ${volumeId} failed to build from the snapshot (state error)`, `volume ${volumeId} was created: delete it`);
    if (Date.now() > deadline) throw new RestoreError(`volume ${volumeId} not available after ${timeoutMs / 1000} s (state ${v?.State ?? "unknown"})`, `volume ${volumeId} was created`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export interface RestoreOutcome {
  snapshotId: string;
  /** The stack file written (default mode). */
  stackFile?: string;
  /** The volume built (--create-volume). */
  volumeId?: string;
  lines: string[];
}

export async function restore(args: RestoreArgs, ec2: EC2Client, stacksDir = STACKS_DIR): Promise<RestoreOutcome> {
  let model;
  try {
    model = loadStackFile(args.stack, [], stacksDir);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const snapshotId = snapshotIdOfRecoveryPoint(args.recoveryPoint);
  if (!snapshotId) throw new UsageError(`--recovery-point ${args.recoveryPoint}: expected an EBS recovery point, arn:aws:ec2:REGION::snapshot/snap-... or snap-...`);
  const arnRegion = /^arn:[^:]+:ec2:([^:]+):/.exec(args.recoveryPoint)?.[1];
  if (arnRegion && arnRegion !== model.region) throw new UsageError(`--recovery-point is in ${arnRegion}; stack ${args.stack} runs in ${model.region} (copy the point to ${model.region} first)`);

  let snapshot: Snapshot | undefined;
  try {
    snapshot = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots?.[0];
  } catch (e) {
    if ((e as { name?: string }).name === "InvalidSnapshot.NotFound") throw new RestoreError(`recovery point ${snapshotId} not found in ${model.region}`);
    throw new RestoreError(`describing ${snapshotId} failed: ${(e as Error).message}`);
  }
  if (!snapshot) throw new RestoreError(`recovery point ${snapshotId} not found in ${model.region}`);
  const problem = snapshotProblem(snapshot, args.stack, model.cellName);
  if (problem) throw new RestoreError(`recovery point ${snapshotId} ${problem}`);
  const taken = snapshot.StartTime ? ` (taken ${snapshot.StartTime.toISOString()})` : "";

  if (args.createVolume) {
    const kmsKeyId = args.kmsKeyId ?? snapshot.KmsKeyId;
    if (!kmsKeyId) throw new RestoreError(`recovery point ${snapshotId} names no KMS key; pass --kms-key-id (the cell's data key)`);
    let volumeId: string | undefined;
    try {
      const created = await ec2.send(
        new CreateVolumeCommand({
          SnapshotId: snapshotId,
          AvailabilityZone: args.availabilityZone,
          VolumeType: "gp3",
          Encrypted: true,
          KmsKeyId: kmsKeyId,
          TagSpecifications: [
            { ResourceType: "volume", Tags: [{ Key: STACK_TAG, Value: args.stack }, { Key: CELL_TAG, Value: model.cellName }, { Key: "clawkeep:restored-from", Value: snapshotId }] },
          ],
        }),
      );
      volumeId = created.VolumeId;
    } catch (e) {
      throw new RestoreError(`building a volume from ${snapshotId} failed: ${(e as Error).message}`);
    }
    if (!volumeId) throw new RestoreError(`building a volume from ${snapshotId}: AWS returned no volume id`);
    await waitAvailable(ec2, volumeId);
    return {
      snapshotId,
      volumeId,
      lines: [
        `restored ${snapshotId}${taken} into ${volumeId} in ${args.availabilityZone} (available, detached, key ${kmsKeyId})`,
        "the stack is unchanged: attach the volume to an inspection host, or delete it when done",
      ],
    };
  }

  const file = stackFilePath(args.stack, stacksDir);
  fs.writeFileSync(file, withSnapshotId(fs.readFileSync(file, "utf8"), snapshotId));
  return {
    snapshotId,
    stackFile: file,
    lines: [
      `recovery point ${snapshotId}${taken} checked: completed, encrypted, stack ${args.stack}, cell ${model.cellName}`,
      `set ${CONFIG_NAMESPACE}:stateVolumeSnapshotId: ${snapshotId} in ${file}`,
      "next:",
      `  1. npm run plan -- --stack ${args.stack}            # review: the state volume is rebuilt from the point, the host moves to it`,
      "  2. pulumi state unprotect <URN of the state volume>  # `pulumi stack --show-urns` lists it; the volume is protected",
      `  3. pulumi up --stack ${args.stack}                   # in CI the deploy waits for a reviewer (the state volume is replaced)`,
      "  4. the replaced volume is retained, detached: delete it once the restored state is confirmed",
    ],
  };
}

export async function main(argv: string[], ec2Factory: (region: string) => EC2Client = (region) => new EC2Client({ region }), stacksDir?: string): Promise<number> {
  let args: RestoreArgs;
  try {
    args = parseRestoreArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const region = loadStackFile(args.stack, [], stacksDir).region;
    const outcome = await restore(args, ec2Factory(region), stacksDir);
    process.stdout.write(`${outcome.lines.join("\n")}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RestoreError) {
      process.stderr.write(`error: ${e.message}\n${e.changed ?? "nothing was changed."}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(3);
    },
  );
}
