// `npm run plan` in-process (main(argv, io)): every bad input exits 2 naming what and why, with no stack
// trace and nothing written; all of a run's problems come at once; --help; and a plan written with
// --out is exactly what the evaluated program registered, replacing only an earlier plan's files.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { unpackBundle } from "../components/host/hostBundle";
import ts from "typescript";
import { main } from "./cli";
import { CONFIG_KEY_MEANINGS } from "./help";
import { MANIFEST } from "./outDir";
import { planStack, type StackPlan } from "./planStack";
import { rawConfigSchema } from "../stacks";

const ROOT = path.join(__dirname, "..");
const tmp = (p = "clawkeep-cli-") => fs.mkdtempSync(path.join(os.tmpdir(), p));

async function run(argv: string[], stacksDir?: string) {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) }, { stacksDir });
  return { code, out, err };
}

/** A folder of stack files: name -> YAML text. */
function stacks(files: Record<string, string>): string {
  const dir = tmp("clawkeep-stacks-");
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
  return dir;
}

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

/** A bad run: exit 2, the messages on stderr, nothing on stdout, no stack trace, nothing planned or written. */
async function expectBad(argv: string[], messages: RegExp[], stacksDir?: string) {
  const out = tmp();
  const r = await run([...argv, "--out", out], stacksDir);
  expect(r.code, r.err).toBe(2);
  for (const m of messages) expect(r.err).toMatch(m);
  expect(r.err).not.toMatch(STACK_TRACE);
  expect(r.err).not.toMatch(/evaluating/);
  expect(r.out).toBe("");
  expect(fs.readdirSync(out)).toEqual([]);
  return r;
}

describe("malformed stack YAML: the file, line and column", () => {
  const dir = stacks({
    indent: "config:\n  aws:region: us-east-1\n  clawkeep:trustLevel: 1\n   clawkeep:cellName: gw\n",
    duplicate: "config:\n  clawkeep:trustLevel: 1\n  clawkeep:trustLevel: 2\n",
    tab: "config:\n  clawkeep:trustLevel: 1\n\tclawkeep:cellName: gw\n",
  });
  it.each<[string, RegExp]>([
    ["indent", /\/Pulumi\.indent\.yaml:3:24: \(yaml\): got "clawkeep:trustLevel: 1"; allowed: valid YAML: Nested mappings are not allowed in compact mappings\n/],
    ["duplicate", /\/Pulumi\.duplicate\.yaml:3:3: \(yaml\): got "clawkeep:trustLevel: 2"; allowed: valid YAML: Map keys must be unique\n/],
    ["tab", /\/Pulumi\.tab\.yaml:3:1: \(yaml\): got "clawkeep:cellName: gw"; allowed: valid YAML: Tabs are not allowed as indentation\n/],
  ])("%s", async (stack, message) => {
    await expectBad(["--stack", stack], [message], dir);
  });
});

describe("an unusable --out names the path and why, before anything is evaluated", () => {
  it("a file where a directory is wanted, a path through a file, a place nobody may write", async () => {
    const base = tmp();
    const file = path.join(base, "plan.txt");
    fs.writeFileSync(file, "mine");
    for (const [out, why] of [
      [file, "is a file, not a directory (ENOTDIR)"],
      [path.join(file, "sub"), "a part of the path is a file, not a directory (ENOTDIR"],
      ["/proc/self/clawkeep-plan", "cannot be created: /proc/self is not writable by this user (E"],
    ]) {
      const r = await run(["--stack", "level1", "--out", out]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`error: --out ${out}: ${why}`);
      expect(r.err).toMatch(/nothing was planned or written\.\n$/);
      expect(r.err).not.toMatch(STACK_TRACE);
      expect(r.err).not.toMatch(/evaluating/);
      expect(r.out).toBe("");
    }
    expect(fs.readFileSync(file, "utf8")).toBe("mine");
  });

  it("a directory with files the kit did not write, and no manifest: refused, naming them", async () => {
    const out = tmp();
    fs.writeFileSync(path.join(out, "notes.md"), "mine");
    const r = await run(["--stack", "level1", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--out ${out}: holds files the kit did not write (notes.md) and no ${MANIFEST}`);
    expect(fs.readdirSync(out)).toEqual(["notes.md"]);
  });
});

const inDays = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const exceptionYaml = (ruleId: string, expires: string, reason = "break-glass access until the SSM rollout lands") =>
  `config:\n  clawkeep:trustLevel: 1\n  clawkeep:policyExceptions:\n    - ruleId: ${ruleId}\n      resource: gw-host\n      reason: ${reason}\n      reviewer: Dana Reviewer\n      expires: "${expires}"\n`;

describe("reviewed exceptions and the pack config: bad input exits 2 naming key, value and what is allowed", () => {
  it("an exception of a rule that takes none, of an unknown rule, too far ahead or with a short reason", async () => {
    const dir = stacks({ none: exceptionYaml("openclaw-gateway-auth", inDays(10)), unknown: exceptionYaml("ec2-no-ssh", inDays(10)), far: exceptionYaml("ec2-no-ssh-key-pair", inDays(120)), short: exceptionYaml("ec2-no-ssh-key-pair", inDays(5), "legacy") });
    await expectBad(["--stack", "none"], [/Pulumi\.none\.yaml:3:3: clawkeep:policyExceptions\.0\.ruleId: got "openclaw-gateway-auth"; allowed: a rule that takes exceptions; openclaw-gateway-auth takes none/], dir);
    await expectBad(["--stack", "unknown"], [/clawkeep:policyExceptions\.0\.ruleId: got "ec2-no-ssh"; allowed: the id of a rule of the pack/], dir);
    await expectBad(["--stack", "far"], [/clawkeep:policyExceptions\.0\.expires: got "\d{4}-\d\d-\d\d"; allowed: a date at most 90 days ahead/], dir);
    await expectBad(["--stack", "short"], [/clawkeep:policyExceptions\.0\.reason: got "legacy"; allowed: at least 20 characters/], dir);
  });

  it("a pack config that weakens a rule that takes no exception, or names no rule", async () => {
    const file = path.join(tmp(), "pack.json");
    fs.writeFileSync(file, JSON.stringify({ "no-plaintext-secrets": "advisory", "ec2-no-ssh-key-pair": "sometimes" }));
    await expectBad(["--stack", "level1", "--policy-pack-config", file], [/policy-pack-config:no-plaintext-secrets: got "advisory"; allowed: mandatory: no-plaintext-secrets takes no exception/, /policy-pack-config:ec2-no-ssh-key-pair: got "sometimes"; allowed: an enforcement level/]);
    const notJson = path.join(tmp(), "pack.json");
    fs.writeFileSync(notJson, "{levels");
    await expectBad(["--stack", "level1", "--policy-pack-config", notJson], [/--policy-pack-config .*pack\.json: .*JSON/]);
  });

  it("--program --stack-file: the stack file's exceptions apply to any program; its bad ones exit 2", async () => {
    const entry = (ruleId: string, resource: string, expires: string) => `    - {ruleId: ${ruleId}, resource: "${resource}", reason: "break-glass access until the SSM rollout lands", reviewer: Dana Reviewer, expires: "${expires}"}\n`;
    const dir = stacks({ dev: `config:\n  clawkeep:policyExceptions:\n${entry("ec2-no-ssh-key-pair", "bad-key", inDays(20))}${entry("ec2-ebs-encrypted", "urn:pulumi:offline::*::bad-volume", inDays(-1))}`, bad: `config:\n  clawkeep:policyExceptions:\n${entry("no-plaintext-secrets", "vm", inDays(20))}` });
    const r = await run(["--program", "test/fixtures/programs/policy/ec2.ts", "--stack-file", path.join(dir, "Pulumi.dev.yaml")]);
    expect(r.code, r.err).toBe(1);
    // The program's own findings, one of them excepted, and the expired exception's own finding; the counts add up.
    const [, total, mandatory, advisory] = (/^Policy: (\d+) findings = (\d+) mandatory \+ (\d+) advisory \+ 1 excepted; /m.exec(r.out) ?? []).map(Number);
    expect(total).toBe(mandatory + advisory + 1);
    expect(mandatory).toBeGreaterThan(1);
    expect(r.out).toMatch(/^  \[excepted\] ec2-no-ssh-key-pair on bad-key \(ec2\/keyPair:KeyPair\)\n.*\n    excepted: until \d{4}-\d\d-\d\d, reviewed by Dana Reviewer; reason: break-glass/m);
    expect(r.out).toMatch(/^  \[mandatory\] policy-exceptions on \(the stack\)\n    exception policyExceptions\.1 \(ec2-ebs-encrypted on urn:pulumi:offline::\*::bad-volume/m);
    await expectBad(["--program", "test/fixtures/programs/policy/ec2.ts", "--stack-file", path.join(dir, "Pulumi.bad.yaml")], [/Pulumi\.bad\.yaml:2:3: clawkeep:policyExceptions\.0\.ruleId: got "no-plaintext-secrets"; allowed: a rule that takes exceptions/]);
    await expectBad(["--stack", "level1", "--stack-file", path.join(dir, "Pulumi.dev.yaml")], [/--stack-file applies to --program only/]);
  });

  it("--format takes text, json, sarif or junit", async () => {
    const r = await run(["--stack", "level1", "--format", "pdf"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--format: got "pdf"; allowed: one of text, json, sarif, junit');
  });
});

describe("all problems of a run at once", () => {
  it("--out, several bad overrides, schema and trust-level issues together", async () => {
    const file = path.join(tmp(), "f");
    fs.writeFileSync(file, "");
    const r = await run(["--stack", "level0", "--out", file, "--config", "novalue", "--config", "openToWorld=true", "--config", "execAllowlist=[/usr/bin/git]", "--config", "gatewayTokenRotationDays=91", "--config", "anthropicApiKey=sk-ant-x", "--config", "logRetentionDays=[1"]);
    expect(r.code).toBe(2);
    for (const m of [
      `--out ${file}: is a file, not a directory`,
      '(--config): got "novalue"; allowed: key=value',
      "clawkeep:anthropicApiKey: got \"(redacted)\"",
      'clawkeep:logRetentionDays: got "[1"; allowed: a YAML value',
      "clawkeep:openToWorld: got true; allowed: no such key",
      "clawkeep:gatewayTokenRotationDays: got 91; allowed: a number <= 90",
      'clawkeep:execAllowlist: got ["/usr/bin/git"]; allowed: [] at trust level 0',
    ]) {
      expect(r.err).toContain(m);
    }
    expect(r.err).not.toContain("sk-ant-x");
  });

  it("schema issues and policy issues of a stack file, each with its line", async () => {
    const dir = stacks({ mixed: "config:\n  clawkeep:trustLevel: 2\n  clawkeep:egressAlowlist: [api.github.com]\n  clawkeep:logRetentionDays: 30\n  clawkeep:gatewayPort: 80\n" });
    await expectBad(
      ["--stack", "mixed"],
      [
        /Pulumi\.mixed\.yaml:3:3: clawkeep:egressAlowlist: got \["api\.github\.com"\]; allowed: no such key; did you mean egressAllowlist\?/,
        /Pulumi\.mixed\.yaml:5:3: clawkeep:gatewayPort: got 80; allowed: a number >= 1024/,
        /Pulumi\.mixed\.yaml:4:3: clawkeep:logRetentionDays: got 30; allowed: at least 90 days/,
        /clawkeep:promotion: got nothing \(the key is missing\); allowed: a recorded review/,
        /clawkeep:alarmEmail: got nothing \(the key is missing\); allowed: an e-mail address \(or an alarmSubscriptions entry: email, https, sqs, lambda\) at trust level 2: its alarms must reach a person/,
        /invalid stack config \(5 problems\)/,
      ],
      dir,
    );
  });

  it("a misspelt namespace is named instead of dropped silently", async () => {
    const dir = stacks({ ns: "config:\n  clawkeep:trustLevel: 1\n  clawkep:egressAllowlist: [api.github.com]\n" });
    await expectBad(["--stack", "ns"], [/Pulumi\.ns\.yaml:3:3: clawkep:egressAllowlist: got \["api\.github\.com"\]; allowed: a key of the clawkeep: namespace \(did you mean clawkeep:egressAllowlist\?\)/], dir);
  });
});

describe("an unknown key suggests the nearest known one", () => {
  it.each<[string, RegExp]>([
    ["egressAllowlst=[]", /clawkeep:egressAllowlst: got \[\]; allowed: no such key; did you mean egressAllowlist\?/],
    ["TRUSTLEVEL=1", /clawkeep:TRUSTLEVEL: got 1; allowed: no such key; did you mean trustLevel\?/],
    ["alarms={authFailurePer10Min: 3}", /clawkeep:alarms\.authFailurePer10Min: got 3; allowed: no such key under alarms; did you mean alarms\.authFailuresPer10Min\?/],
    ["tailscale={managePolicyy: true}", /clawkeep:tailscale\.managePolicyy: got true; allowed: no such key under tailscale; did you mean tailscale\.managePolicy\?/],
    ["access={zzz: []}", /clawkeep:access\.zzz: got \[\]; allowed: no such key under access; known keys are admins, operators, viewers/],
    ["openToWorld=true", /clawkeep:openToWorld: got true; allowed: no such key; `npm run plan -- --help` lists the 48 known keys/],
  ])("%s", async (override, message) => {
    const r = await expectBad(["--stack", "level1", "--config", override], [message]);
    expect(r.err).not.toMatch(/cellName, instanceType/); // not the whole list
  });
});

describe("--help and usage", () => {
  it("lists the stacks, every config key with its meaning, and the exit codes", async () => {
    const dir = stacks({ staging: "config:\n  clawkeep:trustLevel: 1\n", prod: "config:\n  clawkeep:trustLevel: 2\n" });
    const r = await run(["--help"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("stacks (stacks/Pulumi.NAME.yaml): prod, staging");
    expect((await run(["--help"])).out).toContain("stacks (stacks/Pulumi.NAME.yaml): level0, level1, level2, level3");
    const keys = Object.keys(rawConfigSchema.shape);
    expect(Object.keys(CONFIG_KEY_MEANINGS).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(r.out).toMatch(new RegExp(`^  ${k} +\\S.+`, "m"));
    expect(r.out).toMatch(/^ {2}alarms +security alarm thresholds \{authFailuresPer10Min, egressDeniedPer5Min, modelApiConnectionsPerHour, unhealthyMinutes, agentExecsPer5Min\}$/m);
    for (const code of ["0  pass", "1  refused", "2  bad input", "3  internal error"]) expect(r.out).toContain(code);
  });

  it("an unknown flag or a missing one: exit 2 with the usage", async () => {
    for (const [argv, message] of [
      [["--stack", "level1", "--yolo"], "unknown flag or argument: --yolo"],
      [[], "give exactly one of --stack NAME or --program FILE"],
      [["--program", "p.ts", "--config", "a=b"], "--config applies to --stack only"],
    ] as const) {
      const r = await run([...argv]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).toContain("usage: npm run plan");
      expect(r.out).toBe("");
    }
  });

  it("a --program that does not exist", async () => {
    const r = await run(["--program", "test/fixtures/programs/nope.ts"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--program test/fixtures/programs/nope.ts: no such file");
  });
});

describe("what the plan writes is what the program registered", () => {
  let plan: StackPlan;
  const out = path.join(tmp(), "plan");
  let first: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    plan = await planStack("level1");
    first = await run(["--stack", "level1", "--out", out]);
  });

  it("host files, user data, bundle and tailnet snippet, byte for byte, read back from the evaluation", () => {
    const ofType = (t: string) => plan.evaluation.resources.filter((r) => r.type === t);
    const [vm] = ofType("aws:ec2/instance:Instance");
    const userData = zlib.gunzipSync(Buffer.from(String(vm.inputs.userDataBase64), "base64")).toString("utf8");
    const [object] = ofType("aws:s3/bucketObjectv2:BucketObjectv2");
    const gz = Buffer.from(String(object.inputs.contentBase64), "base64");
    const written = (rel: string) => fs.readFileSync(path.join(out, rel));

    expect(first.code, first.err).toBe(0);
    expect(written("user-data.yaml").toString("utf8")).toBe(userData);
    expect(written(path.basename(String(object.inputs.key))).equals(gz)).toBe(true);
    expect(createHash("sha256").update(gz).digest("hex")).toBe(plan.host.bundle.sha256);
    const fromUserData = (parseYaml(userData) as { write_files: Array<{ path: string; content: string }> }).write_files;
    for (const f of [...unpackBundle(gz), ...fromUserData]) expect(written(path.join("host", f.path)).toString("utf8"), f.path).toBe(f.content);
    expect(written("tailnet-policy.hujson").toString("utf8")).toBe(plan.evaluation.outputs.tailnetPolicySnippet);
    const manifest = JSON.parse(written(MANIFEST).toString("utf8")) as { files: string[] };
    expect(manifest.files).toHaveLength(plan.host.files.length + 4);
    // The state on its own volume, backed up: not even an advisory finding.
    expect(first.out.trimEnd().split("\n").pop()).toMatch(/^verdict: pass \(0 violations, \d+ rules applied\)$/);
  });

  it("the plan renders nothing itself: the CLI's imports reach no host renderer", () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const ref of ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true).importedFiles) {
        if (!ref.fileName.startsWith(".")) continue;
        const base = path.join(path.dirname(file), ref.fileName);
        const target = [`${base}.ts`, path.join(base, "index.ts")].find((c) => fs.existsSync(path.join(ROOT, c)));
        if (target) visit(target);
      }
    };
    visit("plan/cli.ts");
    expect(reached.has("plan/planStack.ts")).toBe(true);
    for (const renderer of ["components/host/hostFiles.ts", "components/host/userData.ts", "components/gateway/openclawConfig.ts", "components/tailscale/policy.ts"]) expect(reached.has(renderer), renderer).toBe(false);
  });

  it("a second plan into the same directory removes the first one's files it no longer writes, and nothing else", async () => {
    const before = (JSON.parse(fs.readFileSync(path.join(out, MANIFEST), "utf8")) as { files: string[] }).files;
    fs.writeFileSync(path.join(out, "review.md"), "my notes");
    const r = await run(["--stack", "level1", "--out", out, "--config", "tailscale={enabled: false}", "--json"]);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as { verdict: { line: string }; tailnetPolicySnippet: string | null; hostFiles: Array<{ path: string }> };
    expect(json.verdict.line).toMatch(/^verdict: pass \(0 violations, \d+ rules applied\)$/);
    expect(r.err).toContain(json.verdict.line);
    expect(json.tailnetPolicySnippet).toBeNull();
    expect(fs.existsSync(path.join(out, "tailnet-policy.hujson"))).toBe(false);
    expect(fs.readFileSync(path.join(out, "review.md"), "utf8")).toBe("my notes");
    const manifest = JSON.parse(fs.readFileSync(path.join(out, MANIFEST), "utf8")) as { files: string[] };
    const onDisk = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => path.relative(out, path.join(e.parentPath, e.name)));
    expect(onDisk.sort()).toEqual([...manifest.files, MANIFEST, "review.md"].sort());
    expect(manifest.files.filter((f) => f.startsWith("host/")).sort()).toEqual(json.hostFiles.map((f) => path.join("host", f.path)).sort());
    // The first plan's Tailscale files are gone.
    const dropped = before.filter((f) => !manifest.files.includes(f));
    expect(dropped.length).toBeGreaterThan(1);
    for (const f of dropped) expect(fs.existsSync(path.join(out, f)), f).toBe(false);
  });
});
