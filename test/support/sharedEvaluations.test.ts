// The unit tier's shared evaluations: a stored evaluation comes back as the program produced it (assets,
// secrets, undefined fields), once per input; what cannot be stored is evaluated by every caller.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, describe, expect, it } from "vitest";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE } from "../../policy/lib/engineValues";
import { type EvaluateOptions, type Evaluation } from "../../plan/evaluate";
import { sharedEvaluation } from "./sharedEvaluations";

const KIT = path.join(__dirname, "..", "..", "index.ts");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const runDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-shared-test-"));
  dirs.push(d);
  return d;
};

/** A stand-in for evaluateProgram that counts its calls and returns `make()`. */
function counting(make: () => Evaluation): { calls: () => number; evaluate: (o: EvaluateOptions) => Promise<Evaluation> } {
  let n = 0;
  return { calls: () => n, evaluate: async () => (n++, make()) };
}

const evaluation = (): Evaluation => ({
  resources: [
    {
      urn: "urn:pulumi:level1::clawkeep::aws:lambda/function:Function::fn",
      type: "aws:lambda/function:Function",
      name: "fn",
      parent: "",
      custom: true,
      inputs: { code: new pulumi.asset.FileArchive("/tmp/rotation.zip"), environment: { variables: { TOKEN: { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value: "s3cret" } } }, kmsKeyArn: undefined },
      state: { arn: "arn:aws:lambda:us-east-1:123456789012:function:fn" },
      dependencies: [],
    },
  ],
  outputs: { instanceId: "i-0123", nothing: undefined },
  errors: [],
  blind: [],
  lookups: [],
});

const opts = (config: Record<string, string>, program = KIT): EvaluateOptions => ({ program, project: "clawkeep", stack: "level1", config });

describe("shared evaluations", () => {
  it("evaluates an input once and hands every later caller the same evaluation, assets and secrets intact", async () => {
    const dir = runDir();
    const fake = counting(evaluation);
    const first = await sharedEvaluation(dir, opts({ "clawkeep:trustLevel": "1" }), fake.evaluate);
    const again = await sharedEvaluation(dir, opts({ "clawkeep:trustLevel": "1" }), fake.evaluate);
    expect(fake.calls()).toBe(1);
    const code = again.resources[0]?.inputs.code;
    expect(code).toBeInstanceOf(pulumi.asset.FileArchive);
    expect(await (code as pulumi.asset.FileArchive).path).toBe("/tmp/rotation.zip");
    const plain = (ev: Evaluation) => ev.resources.map((r) => ({ ...r, inputs: { ...r.inputs, code: undefined } }));
    expect(plain(again)).toStrictEqual(plain(first));
    expect(again.outputs).toStrictEqual(first.outputs);
    expect(again.errors).toEqual([]);
    // Another config is another input.
    await sharedEvaluation(dir, opts({ "clawkeep:trustLevel": "2" }), fake.evaluate);
    expect(fake.calls()).toBe(2);
  });

  it("never stores an evaluation with errors, one it cannot copy, or another program's", async () => {
    const dir = runDir();
    const failing = counting(() => ({ ...evaluation(), errors: [new Error("boom")] }));
    for (let i = 0; i < 2; i++) expect((await sharedEvaluation(dir, opts({}), failing.evaluate)).errors).toHaveLength(1);
    expect(failing.calls()).toBe(2);

    class Opaque {}
    const opaque = counting(() => ({ ...evaluation(), outputs: { handle: new Opaque() } }));
    for (let i = 0; i < 2; i++) await sharedEvaluation(dir, opts({ other: "1" }), opaque.evaluate);
    expect(opaque.calls()).toBe(2);

    const fixture = counting(evaluation);
    for (let i = 0; i < 2; i++) await sharedEvaluation(dir, opts({}, path.join(__dirname, "..", "fixtures", "programs", "open-ssh.ts")), fixture.evaluate);
    expect(fixture.calls()).toBe(2);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
