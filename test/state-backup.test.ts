// StateBackup (issue 18 item 2) under the mock runtime, on a fixture cell with a CMK state volume:
// what it registers, the vault policy's effect, the alarms, what a destroy keeps, and the pack's verdict.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BACKUP_SCHEDULE, RECOVERY_POINT_DELETE_ACTIONS, STALE_AFTER_HOURS, VAULT_POLICY_ACTIONS, vaultAccessPolicy } from "../components/backup";
import { evaluateProgram, type Evaluation, type PlannedResource } from "../plan/evaluate";
import { judge, verdictOf } from "../policy/judge";
import { unwrapSecrets } from "../policy/lib/engineValues";

const PROGRAM = path.join(__dirname, "fixtures/programs/backup/cell.ts");
const run = (config: Record<string, string> = {}) => evaluateProgram({ program: PROGRAM, project: "backuptest", stack: "dev", config });

let kept: Evaluation;
let dropped: Evaluation;
beforeAll(async () => {
  kept = await run();
  dropped = await run({ "backup:keepBackups": "false", "backup:retentionDays": "35" });
}, 120_000);

const all = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);
const one = (ev: Evaluation, type: string): PlannedResource => {
  const found = all(ev, type);
  expect(found, type).toHaveLength(1);
  return found[0];
};
const input = (r: PlannedResource, key: string) => unwrapSecrets(r.inputs[key]);
const stateOf = (ev: Evaluation, name: string) => ev.resources.find((r) => r.name === name)?.state ?? {};

describe("StateBackup on a cell with a state volume", () => {
  it("evaluates without errors and the pack passes it (the state-volume rules included)", () => {
    expect(kept.errors).toEqual([]);
    const j = judge(kept);
    expect(j.violations).toEqual([]);
    expect(j.applied).toEqual(expect.arrayContaining(["ec2-state-volume-cmk", "ec2-state-volume-backed-up", "ec2-state-volume-kept", "ec2-state-volume-separate"]));
    expect(verdictOf(j).exitCode).toBe(0);
  });

  it("keeps recovery points in a vault under the cell's data key", () => {
    const vault = one(kept, "aws:backup/vault:Vault");
    expect(input(vault, "kmsKeyArn")).toBe(stateOf(kept, "gw-keys-data").arn);
    // Auto-named: a re-created stack never collides with a vault an earlier one kept.
    expect(input(vault, "name")).toBeUndefined();
  });

  it("backs up daily with the retention it is given, tagging each point with the cell", () => {
    const rules = input(one(kept, "aws:backup/plan:Plan"), "rules") as Array<Record<string, unknown>>;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      schedule: BACKUP_SCHEDULE.cron,
      startWindow: 60,
      completionWindow: 180,
      lifecycle: { deleteAfter: 14 },
      recoveryPointTags: { "clawkeep:stack": "dev", "clawkeep:cell": "gw", "clawkeep:recovery-point": "state-volume" },
    });
    expect((input(one(dropped, "aws:backup/plan:Plan"), "rules") as Array<{ lifecycle: unknown }>)[0].lifecycle).toEqual({ deleteAfter: 35 });
  });

  it("selects exactly the state volume, by ARN, with a role only AWS Backup assumes", () => {
    const selection = one(kept, "aws:backup/selection:Selection");
    expect(input(selection, "resources")).toEqual([stateOf(kept, "gw-state").arn]);
    expect(input(selection, "selectionTags")).toBeUndefined();
    const role = kept.resources.find((r) => r.name === "gw-backup-role");
    expect(JSON.parse(String(input(role as PlannedResource, "assumeRolePolicy"))).Statement).toEqual([{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    const keyUse = JSON.parse(String(input(kept.resources.find((r) => r.name === "gw-backup-role-data-key") as PlannedResource, "policy")));
    const dataKey = stateOf(kept, "gw-keys-data").arn;
    expect(keyUse.Statement.every((st: { Resource: unknown }) => st.Resource === dataKey)).toBe(true);
    expect(keyUse.Statement.find((st: { Sid: string }) => st.Sid === "SnapshotsOfTheStateVolumeThroughEc2")).toMatchObject({ Condition: { StringEquals: { "kms:ViaService": "ec2.us-east-1.amazonaws.com" } } });
  });

  it("lets only the Admin role delete or shorten a recovery point; the deployer may only rewrite the policy", () => {
    const doc = JSON.parse(String(input(one(kept, "aws:backup/vaultPolicy:VaultPolicy"), "policy"))) as { Statement: Array<Record<string, unknown>> };
    const admin = String(stateOf(kept, "gw-admin").arn);
    const [deletes, policy] = doc.Statement;
    expect(deletes).toMatchObject({ Effect: "Deny", Principal: "*", Action: [...RECOVERY_POINT_DELETE_ACTIONS], Condition: { ArnNotEquals: { "aws:PrincipalArn": [admin] } } });
    expect(policy).toMatchObject({ Effect: "Deny", Principal: "*", Action: [...VAULT_POLICY_ACTIONS] });
    const exempt = (policy.Condition as { ArnNotLike: Record<string, string[]> }).ArnNotLike["aws:PrincipalArn"];
    expect(exempt[0]).toBe(admin);
    expect(exempt.slice(1)).toEqual([expect.stringMatching(/^arn:aws:(iam|sts)::/)]);
    // The check can fail: a policy with another principal exempt from deletes is told apart.
    expect(vaultAccessPolicy("arn:aws:iam::1:role/other", [])).not.toContain(admin);
  });

  it("alarms when a job fails (failureAlarm) and when none completed in 26 hours, missing data counting as none", () => {
    const alarms = all(kept, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => input(a, "namespace") === "AWS/Backup");
    const byMetric = Object.fromEntries(alarms.map((a) => [String(input(a, "metricName")), a.inputs]));
    const topic = stateOf(kept, "gw-alerts-topic").arn;
    const vaultName = stateOf(kept, one(kept, "aws:backup/vault:Vault").name).name;
    expect(byMetric.NumberOfBackupJobsFailed).toMatchObject({ threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", statistic: "Sum", dimensions: { BackupVaultName: vaultName }, alarmActions: [topic] });
    expect(byMetric.NumberOfBackupJobsCompleted).toMatchObject({
      period: 3600,
      evaluationPeriods: STALE_AFTER_HOURS,
      datapointsToAlarm: STALE_AFTER_HOURS,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      dimensions: { BackupVaultName: vaultName },
      alarmActions: [topic],
    });
    // CloudWatch: period x evaluation periods at most 7 days.
    expect(3600 * STALE_AFTER_HOURS).toBeLessThanOrEqual(604_800);
    const rule = one(kept, "aws:cloudwatch/eventRule:EventRule");
    expect(JSON.parse(String(input(rule, "eventPattern")))).toEqual({ source: ["aws.backup"], "detail-type": ["Backup Job State Change"], detail: { state: ["FAILED", "ABORTED", "EXPIRED"], backupVaultName: [vaultName] } });
    expect(input(one(kept, "aws:cloudwatch/eventTarget:EventTarget"), "arn")).toBe(topic);
  });

  it("a destroy keeps the vault and its policy with teardown.keepBackups, and empties the vault without it", () => {
    const vault = one(kept, "aws:backup/vault:Vault");
    expect([vault.retainOnDelete, input(vault, "forceDestroy")]).toEqual([true, false]);
    expect(one(kept, "aws:backup/vaultPolicy:VaultPolicy").retainOnDelete).toBe(true);
    const gone = one(dropped, "aws:backup/vault:Vault");
    expect([gone.retainOnDelete, input(gone, "forceDestroy")]).toEqual([false, true]);
    expect(one(dropped, "aws:backup/vaultPolicy:VaultPolicy").retainOnDelete).toBe(false);
  });
});
