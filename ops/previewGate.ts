// The deploy's gate (issue 18 item 8): read `pulumi preview --json` and say whether the update replaces or
// deletes the host, touches the state volume or its attachment, or replaces the backups or a cell key.
// Such a change waits for a reviewer (the workflow's `production-host-change` environment).
// `npx tsx ops/previewGate.ts PREVIEW.json` prints a Markdown summary; exit 0 routine, 3 guarded, 2 bad input.
import * as fs from "node:fs";
import { EFFECT_MEANING, resourceLifecycleEffect } from "../components/base/changeEffects";

/** The engine's step ops that remove a resource or put a new one in its place (apitype/history.go). */
const REPLACING = new Set(["replace", "create-replacement", "delete-replaced", "delete", "discard", "discard-replaced", "import-replacement", "read-replacement"]);
/** Ops that change nothing in the cloud. */
const QUIET = new Set(["same", "read", "refresh"]);

/** What about a step needs a reviewer, or undefined. The state volume and who may delete backups: any change. */
export function guardReason(type: string, op: string): string | undefined {
  if (QUIET.has(op)) return undefined;
  switch (type) {
    case "aws:ebs/volume:Volume":
      return `${op} of the state volume: ${EFFECT_MEANING["state-replaced"]}`;
    case "aws:backup/vaultPolicy:VaultPolicy":
      return `${op} of the backup vault's policy: who may delete recovery points`;
    case "aws:ec2/instance:Instance":
      return REPLACING.has(op) ? `${op} of the host: ${resourceLifecycleEffect(type, "created").action}; the state volume moves to it` : undefined;
    case "aws:ec2/volumeAttachment:VolumeAttachment":
      return REPLACING.has(op) ? `${op} of the state volume's attachment: the old host stops and the volume detaches` : undefined;
    case "aws:backup/vault:Vault":
      return REPLACING.has(op) ? `${op} of the backup vault: its recovery points` : undefined;
    case "aws:kms/key:Key":
      return REPLACING.has(op) ? `${op} of a cell key: whatever it encrypts (state, backups, secrets, logs)` : undefined;
    default:
      return undefined;
  }
}

/** The resource type in a URN: the last `$`-separated part of its type (a child of a component included). */
export function typeOfUrn(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

export interface GateResult {
  guarded: Array<{ op: string; type: string; name: string; why: string }>;
  counts: Record<string, number>;
  markdown: string;
}

/** Thrown for input that is not a preview: exit 2. */
export class GateInputError extends Error {}

export function gate(previewJson: string): GateResult {
  let doc: { steps?: unknown };
  try {
    doc = JSON.parse(previewJson) as { steps?: unknown };
  } catch (e) {
    throw new GateInputError(`not JSON (${(e as Error).message}): give the output of \`pulumi preview --json\``);
  }
  if (doc === null || typeof doc !== "object" || !Array.isArray(doc.steps)) throw new GateInputError('no "steps" list: give the output of `pulumi preview --json`');
  const steps = (doc.steps as Array<{ op?: unknown; urn?: unknown }>).map((s, i) => {
    if (typeof s?.op !== "string" || typeof s.urn !== "string") throw new GateInputError(`steps[${i}] has no op and urn`);
    return { op: s.op, urn: s.urn };
  });
  const counts: Record<string, number> = {};
  for (const s of steps) counts[s.op] = (counts[s.op] ?? 0) + 1;
  const guarded = steps.flatMap((s) => {
    const type = typeOfUrn(s.urn);
    const why = guardReason(type, s.op);
    return why ? [{ op: s.op, type, name: s.urn.split("::").pop() ?? s.urn, why }] : [];
  });
  const lines = ["### Preview gate", "", `steps: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`, ""];
  if (guarded.length === 0) lines.push("Routine: nothing replaces the host or touches the state volume, the backups or a key.");
  else lines.push("**Needs a reviewer** (environment `production-host-change`):", ...guarded.map((g) => `- \`${g.type}\` ${g.name}: ${g.why}`));
  return { guarded, counts, markdown: `${lines.join("\n")}\n` };
}

export function main(argv: string[], out: (t: string) => void = (t) => process.stdout.write(t), err: (t: string) => void = (t) => process.stderr.write(t)): number {
  const file = argv[0];
  if (!file || argv.length > 1) {
    err("usage: npx tsx ops/previewGate.ts PREVIEW.json   (the output of pulumi preview --json)\n");
    return 2;
  }
  try {
    const r = gate(fs.readFileSync(file, "utf8"));
    out(r.markdown);
    return r.guarded.length > 0 ? 3 : 0;
  } catch (e) {
    if (e instanceof GateInputError || (e as NodeJS.ErrnoException).code === "ENOENT") {
      err(`previewGate: ${file}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
