// The deploy's gate (issue 18 item 8) on `pulumi preview --json` output: routine updates pass, anything
// that replaces the host or touches the state volume, its backups or a key waits for a reviewer.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { gate, guardReason, main, typeOfUrn } from "../ops/previewGate";

const urn = (type: string, name: string, parent = "clawkeep:cell:GatewayCell$clawkeep:host:HardenedHost") => `urn:pulumi:level1::clawkeep::${parent}$${type}::${name}`;
const preview = (steps: Array<[string, string, string]>) => JSON.stringify({ steps: steps.map(([op, type, name]) => ({ op, urn: urn(type, name) })), changeSummary: {} });
const INSTANCE = "aws:ec2/instance:Instance";

describe("preview gate", () => {
  it("reads the resource type of a child's URN", () => {
    expect(typeOfUrn(urn(INSTANCE, "gw-host-vm"))).toBe(INSTANCE);
    expect(typeOfUrn("urn:pulumi:s::p::aws:kms/key:Key::k")).toBe("aws:kms/key:Key");
  });

  it("passes a routine update: alarms, policies, an in-place instance change, a first instance", () => {
    const r = gate(preview([["same", INSTANCE, "gw-host-vm"], ["update", INSTANCE, "gw-host-vm"], ["create", INSTANCE, "gw-other"], ["update", "aws:cloudwatch/metricAlarm:MetricAlarm", "a"], ["replace", "aws:iam/rolePolicy:RolePolicy", "p"], ["update", "aws:kms/key:Key", "k"]]));
    expect(r.guarded).toEqual([]);
    expect(r.markdown).toContain("Routine: nothing replaces the host");
    expect(r.counts).toEqual({ same: 1, update: 3, create: 1, replace: 1 });
  });

  it("holds a host replacement, any state volume change, an attachment move, the vault policy, a vault or key replaced", () => {
    const r = gate(
      preview([
        ["create-replacement", INSTANCE, "gw-host-vm"],
        ["replace", INSTANCE, "gw-host-vm"],
        ["delete-replaced", INSTANCE, "gw-host-vm"],
        ["update", "aws:ebs/volume:Volume", "gw-state"],
        ["replace", "aws:ec2/volumeAttachment:VolumeAttachment", "gw-state-attach"],
        ["update", "aws:backup/vaultPolicy:VaultPolicy", "gw-backup-vault-policy"],
        ["delete", "aws:backup/vault:Vault", "gw-backup-vault"],
        ["replace", "aws:kms/key:Key", "gw-keys-data"],
      ]),
    );
    expect(r.guarded.map((g) => `${g.op} ${g.name}`)).toEqual([
      "create-replacement gw-host-vm",
      "replace gw-host-vm",
      "delete-replaced gw-host-vm",
      "update gw-state",
      "replace gw-state-attach",
      "update gw-backup-vault-policy",
      "delete gw-backup-vault",
      "replace gw-keys-data",
    ]);
    expect(r.markdown).toMatch(/\*\*Needs a reviewer\*\* \(environment `production-host-change`\)/);
    expect(guardReason("aws:ebs/volume:Volume", "create")).toMatch(/state volume/);
    expect(guardReason("aws:ebs/volume:Volume", "refresh")).toBeUndefined();
  });

  it("exits 0 routine, 3 guarded, 2 for anything that is not a preview", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-gate-"));
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    let err = "";
    const run = (...argv: string[]) => main(argv, () => {}, (t) => (err += t));
    expect(run(file("routine.json", preview([["update", "aws:sns/topic:Topic", "t"]])))).toBe(0);
    expect(run(file("guarded.json", preview([["replace", INSTANCE, "gw-host-vm"]])))).toBe(3);
    expect(run(file("text.json", "Previewing update (level1)"))).toBe(2);
    expect(err).toMatch(/not JSON .*pulumi preview --json/);
    expect(run(file("nosteps.json", JSON.stringify({ diagnostics: [] })))).toBe(2);
    expect(err).toMatch(/no "steps" list/);
    expect(run(file("bad-step.json", JSON.stringify({ steps: [{ op: "update" }] })))).toBe(2);
    expect(run(path.join(dir, "missing.json"))).toBe(2);
    expect(run()).toBe(2);
  });
});
