// SARIF and JUnit from the CLI: the SARIF log is valid against the SARIF 2.1.0 JSON schema (as published
// on npm by Microsoft's SARIF team, @microsoft/jest-sarif), points each finding at the program line that
// constructs the resource, and marks excepted findings as accepted suppressions; JUnit fails the blocking ones.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import { judge } from "../policy/judge";
import { RULES } from "../policy/rules";
import { sarifLog } from "./ciReports";
import { main } from "./cli";

const SCHEMA = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
const PROGRAM = "test/fixtures/programs/policy/ec2.ts";

async function run(argv: string[], stacksDir?: string) {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) }, { stacksDir });
  return { code, out, err };
}

function validator() {
  const ajv = new Ajv({ schemaId: "auto", allErrors: true, format: "full" });
  ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, "utf8")));
}

interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }>;
  suppressions?: Array<{ kind: string; status: string; justification: string }>;
}
const resultsOf = (log: unknown) => (log as { runs: Array<{ results: SarifResult[] }> }).runs[0].results;

describe("--format sarif", () => {
  let program: Awaited<ReturnType<typeof run>>;
  let validate: ReturnType<typeof validator>;
  beforeAll(async () => {
    validate = validator();
    program = await run(["--program", PROGRAM, "--format", "sarif"]);
  });

  it("is valid SARIF 2.1.0, with the verdict's exit code and line", () => {
    expect(program.code).toBe(1);
    expect(program.err).toMatch(/^verdict: refused/m);
    const log = JSON.parse(program.out) as unknown;
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(resultsOf(log).length).toBeGreaterThan(10);
  });

  it("the schema check can fail: a log without a version or with a bad level is refused", () => {
    const log = JSON.parse(program.out) as { version?: string; runs: Array<{ results: Array<{ level: string }> }> };
    const broken = structuredClone(log);
    broken.runs[0].results[0].level = "fatal";
    expect(validate(broken)).toBe(false);
    delete broken.version;
    expect(validate(broken)).toBe(false);
  });

  it("points each finding at the program line that constructs the resource, with its fix", () => {
    const source = fs.readFileSync(PROGRAM, "utf8").split("\n");
    const key = resultsOf(JSON.parse(program.out)).find((r) => r.ruleId === "ec2-no-ssh-key-pair" && r.message.text.startsWith("bad-key"));
    const loc = key?.locations[0].physicalLocation;
    expect(loc?.artifactLocation.uri).toBe(PROGRAM);
    expect(source[(loc?.region?.startLine ?? 0) - 1]).toMatch(/KeyPair\("bad-key"/);
    expect(key?.level).toBe("error");
    expect(key?.message.text).toMatch(/\nFix: /);
  });

  it("an excepted finding is an accepted suppression carrying reason, reviewer and expiry (note, not error)", () => {
    const key = { urn: "urn:pulumi:dev::p::aws:ec2/keyPair:KeyPair::ops-key", type: "aws:ec2/keyPair:KeyPair", name: "ops-key", inputs: {}, state: {}, dependencies: [], site: "keys.ts:7" };
    const expires = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const j = judge({ resources: [key] }, {}, RULES, { exceptions: [{ ruleId: "ec2-no-ssh-key-pair", resource: "ops-key", reason: "break-glass access until the SSM rollout lands", reviewer: "Dana Reviewer", expires }] });
    const log = sarifLog(j, { sites: new Map([[key.urn, key.site]]), fallback: { uri: "Pulumi.dev.yaml" } });
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const [excepted] = resultsOf(log).filter((x) => x.ruleId === "ec2-no-ssh-key-pair");
    expect(excepted.level).toBe("note");
    expect(excepted.suppressions).toEqual([expect.objectContaining({ kind: "external", status: "accepted", justification: `break-glass access until the SSM rollout lands (reviewed by Dana Reviewer; expires ${expires})` })]);
    expect(excepted.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "keys.ts" }, region: { startLine: 7 } });
  });

  it("a stack's expired exception is an error located at clawkeep:policyExceptions in the stack file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-sarif-"));
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const entry = (ruleId: string, resource: string, expires: string) => `    - {ruleId: ${ruleId}, resource: ${resource}, reason: "accepted until the SSM rollout lands", reviewer: Dana Reviewer, expires: "${expires}"}\n`;
    fs.writeFileSync(path.join(dir, "Pulumi.ex.yaml"), `config:\n  clawkeep:trustLevel: 1\n  clawkeep:policyExceptions:\n${entry("ec2-status-check-alarm", "gw-*", day(20))}${entry("kms-key-rotation", "gw-keys-data", day(-1))}`);
    const r = await run(["--stack", "ex", "--format", "sarif"], dir);
    expect(r.code, r.err).toBe(1);
    const log = JSON.parse(r.out) as unknown;
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const expired = resultsOf(log).filter((x) => x.ruleId === "policy-exceptions");
    expect(expired).toHaveLength(1);
    expect(expired[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: path.relative(process.cwd(), path.join(dir, "Pulumi.ex.yaml")) }, region: { startLine: 3 } });
  });
});

describe("--format junit", () => {
  it("one suite per rule; blocking findings fail, with the fix; counts agree", async () => {
    const r = await run(["--program", PROGRAM, "--format", "junit"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="clawkeep policy" tests="\d+" failures="(\d+)"/);
    const failures = Number(/<testsuites [^>]*failures="(\d+)"/.exec(r.out)?.[1]);
    expect((r.out.match(/<failure /g) ?? []).length).toBe(failures);
    expect(failures).toBeGreaterThan(10);
    expect(r.out).toMatch(/<testsuite name="ec2-no-ssh-key-pair" tests="3" failures="3"/);
    expect(r.out).toMatch(/<failure message="key pair &quot;bad-key&quot;: an SSH key pair is created" type="mandatory">Fix: /);
  });
});
