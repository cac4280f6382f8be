// Issue 17's escape table. Part 1: each level's allowlist against OpenClaw 2026.9.6's own exec evaluator
// (its exec tool in allowlist mode, approvals set by the real CLI, "needs a human" answered by nobody).
// Part 2 (agent-node.integration.test.ts): the same attempts against the live gateway and node host
// under the kit's units. An attempt that escapes fails the test; the table is printed with its counts.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitFrontElf, renderGitWrapperScript } from "../components/agent/gitWrapper";
import { CREDENTIALS_DIR, TOKEN_CREDENTIAL } from "../components/base/layout";
import { GATEWAY_AUDIT_LOG } from "../components/host/cloudwatchAgent";
import { renderExecApprovals } from "../components/gateway/openclawConfig";
import { AGENT_GIT } from "../stacks/execAllowlist";
import { loadStackFile } from "../stacks/load";
import { ATTEMPTS, formatTable, type Attempt, type EscapeContext, type Outcome, type Row } from "./support/escapeTable";
import { NODE_BIN, createSandbox, ensureOpenclaw, openclawEnv, runOpenclaw, type OpenclawInstall, type Sandbox } from "./support/openclaw";
import { needTools } from "./support/tools";

/** Drives OpenClaw's exec tool as the gateway does in allowlist mode; nonInteractiveApproval: nobody answers "ask". */
const DRIVER = String.raw`
import * as fs from "node:fs";
import * as path from "node:path";
const { oc, cases, cwd } = JSON.parse(fs.readFileSync(0, "utf8"));
const dist = path.join(oc, "dist");
const file = fs.readdirSync(dist).find((f) => /^bash-tools-.*\.mjs$/.test(f) && /createExecTool as \w+/.test(fs.readFileSync(path.join(dist, f), "utf8")));
const mod = await import(path.join(dist, file));
const name = /createExecTool as (\w+)/.exec(fs.readFileSync(path.join(dist, file), "utf8"))[1];
const tool = mod[name]({ host: "gateway", security: "allowlist", ask: "on-miss", strictInlineEval: true, agentId: "main", sessionKey: "agent:main:main",
  nonInteractiveApproval: true, cwd, allowBackground: false, timeoutSec: 30, notifyOnExit: false });
for (const c of cases) {
  let out;
  try {
    const r = await tool.execute("t" + c.id, { command: c.command, workdir: c.workdir });
    const d = r.details ?? {};
    out = { id: c.id, status: d.status, failureKind: d.failureKind ?? null, exitCode: d.exitCode ?? null, text: (r.content ?? []).map((x) => x.text ?? "").join(" ").slice(0, 2000) };
  } catch (e) {
    out = { id: c.id, status: "error", failureKind: "threw", exitCode: null, text: String(e?.message ?? e).slice(0, 500) };
  }
  console.log(JSON.stringify(out));
}
process.exit(0);
`;

interface Ran {
  id: string;
  status: string;
  failureKind: string | null;
  exitCode: number | null;
  text: string;
}

/** Lays out what an attempt needs in the workspace, as the agent's file tools could. */
export function arrange(attempt: Attempt, ctx: EscapeContext, ws: string, gitInit: (dir: string) => void): void {
  for (const item of attempt.arrange?.(ctx) ?? []) {
    const p = path.join(ws, item.path);
    if (item.gitConfig) {
      const repo = path.dirname(p);
      fs.mkdirSync(repo, { recursive: true });
      gitInit(repo);
      for (const [k, v] of Object.entries(item.gitConfig)) spawnSync("git", ["config", k, v], { cwd: repo, env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", GIT_CONFIG_NOSYSTEM: "1" } });
    } else if (item.symlinkTo) {
      fs.symlinkSync(item.symlinkTo, p);
    } else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, item.content ?? "", { mode: item.mode ?? 0o644 });
    }
  }
}

/** What the evidence says: an escape, or the layer that refused it. */
export function judge(attempt: Attempt, ctx: EscapeContext, ran: Ran, evidence: { exists(p: string): boolean; auditLog(): string }): { outcome: Outcome; detail: string } {
  const markerHit = attempt.marker ? evidence.exists(attempt.marker) : false;
  const leakHit = attempt.leak ? ran.text.includes(attempt.leak(ctx)) : false;
  const forgedHit = attempt.forged ? evidence.auditLog().includes(attempt.forged) : false;
  const detail = ran.text.replace(/\s+/g, " ").slice(0, 160);
  if (markerHit || leakHit || forgedHit) return { outcome: "escaped", detail: `evidence: ${markerHit ? `${attempt.marker} exists` : leakHit ? "secret in the output" : "forged line in the audit log"}; ${detail}` };
  if (ran.failureKind === "approval_required" || /exec denied|approval|SYSTEM_RUN_DENIED/i.test(ran.text) && ran.status !== "completed") return { outcome: "asked a human (denied: no approver)", detail };
  if (/git \(clawkeep\): refused/.test(ran.text)) return { outcome: "refused by the git wrapper", detail };
  if (/Permission denied|Read-only file system|EACCES|EROFS|No such file or directory|Operation not permitted/.test(ran.text)) return { outcome: "refused by the sandbox", detail };
  if (/403|Forbidden|Proxy CONNECT aborted|CONNECT tunnel failed|Received HTTP code 403/.test(ran.text)) return { outcome: "refused by the proxy", detail };
  return { outcome: "ran, nothing escaped", detail };
}

const LEVELS = ["level2", "level3"] as const;

describe.skipIf(!needTools("git", "npm"))("escape table, part 1: OpenClaw's own exec evaluator with each level's allowlist", () => {
  let oc: OpenclawInstall;
  const sandboxes: Sandbox[] = [];
  const tables: string[] = [];
  beforeAll(async () => {
    oc = await ensureOpenclaw(loadStackFile("level2").host.openclawVersion);
  });
  afterAll(() => {
    for (const t of tables) console.log(t);
    for (const sb of sandboxes) sb.cleanup();
    for (const d of ["/var/tmp/clawkeep-escape-W1"]) fs.rmSync(d, { recursive: true, force: true });
  });

  for (const stack of LEVELS) {
    it(`${stack}: every attempt is sent to a human (denied) or refused; none escapes`, async () => {
      const model = loadStackFile(stack);
      const sb = createSandbox("clawkeep-escape-");
      sandboxes.push(sb);
      const ws = sb.workspaceDir;
      // The kit's wrapper, installed where this test may write; the approvals name it instead of the host path.
      const tools = path.join(sb.root, "tools");
      fs.mkdirSync(path.join(tools, "bin"), { recursive: true });
      fs.writeFileSync(path.join(tools, "git-wrapper.sh"), renderGitWrapperScript(ws));
      const git = path.join(tools, "bin", "git");
      fs.writeFileSync(git, gitFrontElf(path.join(tools, "git-wrapper.sh")), { mode: 0o755 });
      const approvals = renderExecApprovals(model);
      for (const e of approvals.agents.main.allowlist) if (e.pattern === AGENT_GIT) e.pattern = git;
      const approvalsFile = path.join(sb.root, "approvals.json");
      fs.writeFileSync(approvalsFile, JSON.stringify(approvals));
      const set = await runOpenclaw(oc, sb, ["approvals", "set", "--file", approvalsFile]);
      expect(set.code, set.stderr).toBe(0);

      const ctx: EscapeContext = { git, credential: `${CREDENTIALS_DIR}/${TOKEN_CREDENTIAL}`, secret: "not-on-this-machine", auditLog: GATEWAY_AUDIT_LOG, imds: "169.254.169.254", offList: "exfil.example.net" };
      const attempts = ATTEMPTS.filter((a) => a.tier === "both");
      const gitInit = (dir: string) => spawnSync("git", ["init", "-q", dir], { env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", GIT_CONFIG_NOSYSTEM: "1" } });
      for (const a of attempts) arrange(a, ctx, ws, gitInit);

      const input = JSON.stringify({ oc: path.dirname(oc.entry), cwd: ws, cases: attempts.map((a) => ({ id: a.id, command: a.command(ctx), workdir: a.cwd ? path.join(ws, a.cwd) : ws })) });
      const res = spawnSync(NODE_BIN, ["--input-type=module", "-e", DRIVER], { input, encoding: "utf8", env: openclawEnv(sb), cwd: ws, timeout: 300_000, maxBuffer: 64 << 20 });
      const ran = new Map<string, Ran>(
        res.stdout
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Ran)
          .map((r) => [r.id, r]),
      );
      expect(ran.size, `${res.stderr.slice(-2000)}`).toBe(attempts.length);
      const rows: Row[] = attempts.map((a) => {
        const r = ran.get(a.id) as Ran;
        const verdict = judge(a, ctx, r, { exists: (p) => fs.existsSync(path.isAbsolute(p) ? p : path.join(ws, p)), auditLog: () => (fs.existsSync(GATEWAY_AUDIT_LOG) ? fs.readFileSync(GATEWAY_AUDIT_LOG, "utf8") : "") });
        return { id: a.id, category: a.category, command: a.command(ctx).replace(git, "$GIT"), ...verdict };
      });
      tables.push(formatTable(`escape table (${stack}, OpenClaw's exec evaluator, allowlist ${model.execAllowlist.map((e) => e.path).join(", ")}):`, rows));
      const escaped = rows.filter((r) => r.outcome === "escaped");
      expect(escaped, JSON.stringify(escaped, null, 2)).toEqual([]);
      // Each refusal is the layer meant to refuse it: OpenClaw asks for commands off the list; the wrapper refuses what its pin lets through.
      for (const r of rows) expect(["asked a human (denied: no approver)", "refused by the git wrapper", "ran, nothing escaped"], `${r.id}: ${r.detail}`).toContain(r.outcome);
      // The fsmonitor and hook escapes reach the wrapper (the pin lets `status` and `commit` through) and stop there.
      expect(rows.find((r) => r.id === "R6")?.outcome).toBe("refused by the git wrapper");
      expect(rows.find((r) => r.id === "R7")?.outcome).toBe("ran, nothing escaped");
    });
  }

  it("the evaluator is no pushover: the shipped allowlists of old (git, jq, make with no pins) let the escapes through", async () => {
    const sb = createSandbox("clawkeep-escape-old-");
    sandboxes.push(sb);
    const ws = sb.workspaceDir;
    const policy = { security: "allowlist", ask: "on-miss", askFallback: "deny", autoAllowSkills: false };
    const approvalsFile = path.join(sb.root, "approvals.json");
    fs.writeFileSync(approvalsFile, JSON.stringify({ version: 1, defaults: policy, agents: { main: { ...policy, allowlist: [{ pattern: "/usr/bin/git" }, { pattern: "/usr/bin/jq" }, { pattern: "/usr/bin/make" }] } } }));
    expect((await runOpenclaw(oc, sb, ["approvals", "set", "--file", approvalsFile])).code).toBe(0);
    spawnSync("git", ["init", "-q", ws], { env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" } });
    fs.writeFileSync(path.join(ws, "Makefile"), "all:\n\ttouch pwned-make\n");
    const cases = [
      { id: "git-alias", command: `/usr/bin/git -c alias.x='!touch pwned-git' x`, workdir: ws },
      { id: "make", command: "/usr/bin/make", workdir: ws },
    ];
    const res = spawnSync(NODE_BIN, ["--input-type=module", "-e", DRIVER], { input: JSON.stringify({ oc: path.dirname(oc.entry), cwd: ws, cases }), encoding: "utf8", env: openclawEnv(sb), cwd: ws, timeout: 300_000 });
    expect(res.status, res.stderr.slice(-2000)).toBe(0);
    expect(fs.existsSync(path.join(ws, "pwned-git"))).toBe(true);
    expect(fs.existsSync(path.join(ws, "pwned-make"))).toBe(true);
  });
});
