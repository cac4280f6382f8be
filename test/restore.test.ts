// The restore command's pure parts (issue 18 item 2): its flags, which snapshot it accepts, and the stack
// file it writes. Against AWS (moto): test/restore.integration.test.ts.
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { UsageError, parseRestoreArgs, snapshotProblem, withSnapshotId } from "../ops/restore";

const good = { State: "completed", Encrypted: true, Tags: [{ Key: "clawkeep:stack", Value: "level1" }, { Key: "clawkeep:cell", Value: "gw" }] } as const;

describe("npm run restore: flags", () => {
  it("takes a stack and a recovery point, and --create-volume with its zone", () => {
    expect(parseRestoreArgs(["--stack", "level1", "--recovery-point", "snap-01234567"])).toEqual({ stack: "level1", recoveryPoint: "snap-01234567", createVolume: false, availabilityZone: undefined, kmsKeyId: undefined });
    expect(parseRestoreArgs(["--stack", "s", "--recovery-point", "snap-01234567", "--create-volume", "--availability-zone", "us-east-1a", "--kms-key-id", "k"])).toMatchObject({ createVolume: true, availabilityZone: "us-east-1a", kmsKeyId: "k" });
  });

  it.each<[string[], RegExp]>([
    [["--recovery-point", "snap-01234567"], /--stack NAME is required/],
    [["--stack", "level1"], /--recovery-point ARN is required/],
    [["--stack", "level1", "--recovery-point"], /--recovery-point needs a value/],
    [["--stack", "level1", "--recovery-point", "snap-01234567", "--create-volume"], /--create-volume and --availability-zone AZ go together/],
    [["--stack", "level1", "--recovery-point", "snap-01234567", "--kms-key-id", "k"], /--kms-key-id applies to --create-volume only/],
    [["--stack", "level1", "--recovery-point", "snap-01234567", "--force"], /unknown flag or argument: --force/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseRestoreArgs(argv)).toThrow(UsageError);
    expect(() => parseRestoreArgs(argv)).toThrow(message);
  });
});

describe("npm run restore: which recovery point", () => {
  it("accepts a completed, encrypted snapshot of the cell", () => {
    expect(snapshotProblem({ ...good, Tags: [...good.Tags] }, "level1", "gw")).toBeUndefined();
  });

  it.each<[string, object, RegExp]>([
    ["still being taken", { State: "pending" }, /is pending, not completed/],
    ["not encrypted", { Encrypted: false }, /is not encrypted/],
    ["another cell's", { Tags: [{ Key: "clawkeep:stack", Value: "level1" }, { Key: "clawkeep:cell", Value: "other" }] }, /belongs to stack level1, cell other, not stack level1, cell gw/],
    ["no cell's at all", { Tags: [] }, /belongs to no cell \(it lacks the clawkeep:stack and clawkeep:cell tags\)/],
  ])("refuses a snapshot %s", (_what, change, message) => {
    expect(snapshotProblem({ ...good, Tags: [...good.Tags], ...change }, "level1", "gw")).toMatch(message);
  });
});

describe("npm run restore: the stack file", () => {
  const file = "# Level 1: comment kept\nconfig:\n  aws:region: us-east-1\n  # the level\n  clawkeep:trustLevel: 1\n";

  it("sets clawkeep:stateVolumeSnapshotId as pulumi config set would, keeping comments and the other keys", () => {
    const out = withSnapshotId(file, "snap-0123456789abcdef0");
    expect(out).toContain("# Level 1: comment kept");
    expect(out).toContain("  # the level\n  clawkeep:trustLevel: 1\n");
    expect(parseDocument(out).toJS()).toEqual({ config: { "aws:region": "us-east-1", "clawkeep:trustLevel": 1, "clawkeep:stateVolumeSnapshotId": "snap-0123456789abcdef0" } });
  });

  it("replaces an earlier restore's snapshot id, and refuses anything that is not one", () => {
    const twice = withSnapshotId(withSnapshotId(file, "snap-01234567"), "snap-89abcdef");
    expect((parseDocument(twice).toJS() as { config: Record<string, unknown> }).config["clawkeep:stateVolumeSnapshotId"]).toBe("snap-89abcdef");
    expect(twice.match(/stateVolumeSnapshotId/g)).toHaveLength(1);
    expect(() => withSnapshotId(file, "vol-01234567")).toThrow(UsageError);
  });
});
