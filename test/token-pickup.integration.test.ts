// pickup-token and fetch-token, run unchanged against moto and the real pinned gateway. There is no systemd
// PID 1 here, so a supervisor in this process plays the two systemd behaviours the scripts rely on:
// LoadCredential= copies the staged token and provider-key directory to the gateway only when the unit
// starts, and `systemctl is-active/try-restart` report on and restart the running unit. A fake Anthropic
// API on loopback records the key each model call carries, so the test sees which key the running
// gateway uses. The test measures how long the gateway is unavailable while it takes a new token or key,
// and checks that no token or key ever reaches a child process's argv or environment.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderOpenclawConfig } from "../components/gateway";
import { GATEWAY_UNIT, PROVIDER_KEYS_CREDENTIAL, PROVIDER_KEYS_SUBDIR, providerKeyCredential, providerKeyFileName } from "../components/base/layout";
import { renderBootScripts } from "../components/host/bootScripts";
import { GATEWAY_STOPPED_EXIT, HEALTH_WAIT_SECONDS, PICKUP_SCRIPT_PATH, PICKUP_TIMER, PICKUP_UNIT, pickupUnitFiles, renderPickupToken } from "../components/host/pickupToken";
import { analyzeUnit, verifyUnits } from "../components/host/systemdUnits";
import { loadStackFile } from "../stacks/load";
import { MOTO_REGION, startMoto, type MotoServer } from "./support/moto";
import { OPENCLAW_BUDGET_MS, createSandbox, ensureOpenclaw, freePort, startGateway, type GatewayHandle, type OpenclawInstall, type Sandbox } from "./support/openclaw";
import { needTools } from "./support/tools";

const MODEL = loadStackFile("level0");
const SECRET_NAME = "clawkeep/test/main/gateway-token";
/** level0's one model provider, and its key's secret. */
const PROVIDER = "anthropic";
const KEY_SECRET_NAME = "clawkeep/test/main/anthropic-api-key";
const POLL_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const newToken = () => randomBytes(32).toString("base64url");

/** Every external command pickup-token and fetch-token run: each goes through a logging wrapper first on their PATH. */
const WRAPPED = ["aws", "curl", "python3", "flock", "mktemp", "install", "dirname", "wc", "mv", "rm", "date", "head", "base64", "sleep", "cmp", "sha256sum", "cat"];

describe("pickup-token, judged by shellcheck and systemd-analyze", () => {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const tmp = (prefix: string) => {
    const d = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", prefix));
    made.push(d);
    return d;
  };

  it.skipIf(!needTools("shellcheck"))("the script is shellcheck-clean (style and up)", () => {
    const file = path.join(tmp("clawkeep-pickup-sc-"), "pickup-token");
    fs.writeFileSync(file, renderPickupToken());
    const res = spawnSync("shellcheck", ["--shell=bash", "--severity=style", file], { encoding: "utf8" });
    expect(res.stdout + res.stderr).toBe("");
    expect(res.status).toBe(0);
  });

  it.skipIf(!needTools("systemd-analyze"))("the timer and its oneshot verify without a warning, and a typo fails", () => {
    const root = tmp("clawkeep-pickup-verify-");
    fs.cpSync("/usr/lib/systemd/system", path.join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
    const files = pickupUnitFiles();
    const exe = path.join(root, PICKUP_SCRIPT_PATH);
    fs.mkdirSync(path.dirname(exe), { recursive: true });
    fs.writeFileSync(exe, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const install = (text: (f: (typeof files)[number]) => string) => {
      for (const f of files) {
        fs.mkdirSync(path.join(root, path.dirname(f.path)), { recursive: true });
        fs.writeFileSync(path.join(root, f.path), text(f));
      }
    };
    install((f) => f.content);
    const ok = verifyUnits(root, [PICKUP_UNIT, PICKUP_TIMER]);
    expect(ok.output).toBe("");
    expect(ok.ok).toBe(true);
    const report = analyzeUnit(path.join(root, files[0].path));
    console.log(`${PICKUP_UNIT}: systemd-analyze security --offline=yes scores ${report.score} ${report.exposure}`);
    expect(report.score).toBeLessThan(3);

    install((f) => f.content.replace("OnUnitActiveSec=", "OnUnitActiveSecs=").replace("ProtectSystem=strict", "ProtectSystem=strictly"));
    const bad = verifyUnits(root, [PICKUP_UNIT, PICKUP_TIMER]);
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/OnUnitActiveSecs/);
    expect(bad.output).toMatch(/strictly/);
  });
});

const FAKE_REPLY = "pong from the fake provider";

/**
 * A stand-in for Anthropic's Messages API on loopback: answers every model call with one short streamed
 * reply and keeps the key each call carried, for the test to compare (never to print).
 */
async function startFakeProvider(): Promise<{ url: string; keys: string[]; close(): Promise<void> }> {
  const keys: string[] = [];
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/messages") return void res.writeHead(404).end();
      keys.push(String(req.headers["x-api-key"] ?? ""));
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        [
          event("message_start", { message: { id: "msg_test", type: "message", role: "assistant", model: "test", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } }),
          event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
          event("content_block_delta", { index: 0, delta: { type: "text_delta", text: FAKE_REPLY } }),
          event("content_block_stop", { index: 0 }),
          event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 1 } }),
          event("message_stop", {}),
        ].join(""),
      );
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, keys, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * systemd's part, played in this process. start(): copy the staged token file and every file of the
 * staged key directory into the unit's credentials (at start only, as LoadCredential= does; a missing
 * token file fails the start) and spawn the real gateway, its provider pointed at the fake.
 * Served on a unix socket to the `systemctl` stub: is-active, try-restart (a no-op when stopped).
 */
class GatewaySupervisor {
  starts = 0;
  /** How long the last stop took (SIGTERM to exit). */
  lastStopMs = 0;
  private current: Promise<GatewayHandle> | undefined;
  private server: http.Server | undefined;

  constructor(
    private readonly oc: OpenclawInstall,
    private readonly sb: Sandbox,
    private readonly port: number,
    private readonly stagedFile: string,
    private readonly providerUrl: string,
  ) {}

  /** The gateway's copy of the provider key: what systemd handed it at its last start. */
  get keyCredential(): string {
    return path.join(path.dirname(this.sb.tokenFile), providerKeyCredential(PROVIDER));
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Resolves once the gateway answers /healthz (startGateway's own wait). */
  ready(): Promise<GatewayHandle> {
    if (!this.current) throw new Error("the gateway is not running");
    return this.current;
  }

  start(): void {
    // startGateway writes the credential (sandbox.tokenFile) with a trailing newline; the gateway's file
    // provider trims it, as it would the exact copy systemd makes. Spawning happens before its first await.
    const token = fs.readFileSync(this.stagedFile, "utf8");
    const credentials = path.dirname(this.sb.tokenFile);
    this.dropKeyCredentials();
    // LoadCredential=provider-keys:DIR hands over each file of DIR as the credential provider-keys_<file>.
    const keyDir = path.join(path.dirname(this.stagedFile), PROVIDER_KEYS_SUBDIR);
    for (const f of fs.existsSync(keyDir) ? fs.readdirSync(keyDir) : []) {
      fs.copyFileSync(path.join(keyDir, f), path.join(credentials, `${PROVIDER_KEYS_CREDENTIAL}_${f}`));
    }
    const rendered = renderOpenclawConfig(loadStackFile("level0", [`gatewayPort=${this.port}`]), {
      tokenFile: this.sb.tokenFile,
      providerKeyDir: credentials,
      workspaceDir: this.sb.workspaceDir,
      logFile: `${this.sb.logDir}/openclaw.log`,
    });
    // Test-only: the provider's API is the loopback fake, and one endpoint turns a request into a model call.
    const config = {
      ...rendered,
      gateway: { ...rendered.gateway, http: { endpoints: { chatCompletions: { enabled: true } } } },
      models: { ...rendered.models, providers: { [PROVIDER]: { ...rendered.models.providers[PROVIDER], baseUrl: this.providerUrl } } },
    };
    this.starts += 1;
    const starting = startGateway({ install: this.oc, sandbox: this.sb, config, token, port: this.port });
    starting.catch(() => undefined);
    this.current = starting;
  }

  async stop(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    const gw = await current?.catch(() => undefined);
    const stopping = Date.now();
    await gw?.stop();
    this.lastStopMs = Date.now() - stopping;
    // systemd removes a unit's credentials when it stops.
    fs.rmSync(this.sb.tokenFile, { force: true });
    this.dropKeyCredentials();
  }

  private dropKeyCredentials(): void {
    const credentials = path.dirname(this.sb.tokenFile);
    for (const f of fs.readdirSync(credentials)) if (f.startsWith(`${PROVIDER_KEYS_CREDENTIAL}_`)) fs.rmSync(path.join(credentials, f));
  }

  listen(socket: string): Promise<void> {
    const handle = async (verb: string | undefined): Promise<number> => {
      if (verb === "is-active") return this.running ? 200 : 409;
      if (verb !== "try-restart") return 404;
      if (this.running) {
        await this.stop();
        this.start();
      }
      return 200;
    };
    this.server = http.createServer((req, res) => {
      handle(req.url?.slice(1)).then(
        (code) => res.writeHead(code).end(),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    return new Promise((resolve) => this.server?.listen(socket, resolve));
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * A test here may restart the real gateway once, as the script does: it waits up to HEALTH_WAIT_SECONDS
 * for /healthz and as long again for the new token, around its own AWS CLI calls (a restart took 15-25 s
 * on two idle cores, up to ~115 s at load 15). The boot hook installs nothing (globalSetup did) but starts one gateway.
 */
const RESTART_TEST_MS = 2 * HEALTH_WAIT_SECONDS * 1000 + 60_000;

describe.skipIf(!needTools("moto_server", "aws", "curl", "python3", "flock", "npm"))(`pickup-token against moto and openclaw@${MODEL.host.openclawVersion}`, { timeout: RESTART_TEST_MS }, () => {
  let moto: MotoServer;
  let provider: Awaited<ReturnType<typeof startFakeProvider>>;
  let sm: SecretsManagerClient;
  let sb: Sandbox;
  let supervisor: GatewaySupervisor;
  let base = "";
  let work = "";
  let stagedFile = "";
  let keyFile = "";
  let binDir = "";
  let execLog = "";
  /** Every token and provider key the test made: none may show up in an output, argv or environment. */
  const tokens: string[] = [];
  /** The provider keys the scenario puts, in order: A (boot), B (put while running), C (put during a rotation), D (while stopped). */
  const k = { a: "", b: "", c: "", d: "" };
  const gaps: Array<{ run: string; healthzMs: number; authMs: number; pickupMs: number; stopMs: number; startMs: number }> = [];

  /** A fresh token, remembered so that no output, argv or environment may ever contain it. */
  const token = (): string => {
    const t = newToken();
    tokens.push(t);
    return t;
  };
  /** A fresh stand-in provider key (shaped like no real provider's key), remembered the same way. */
  const apiKey = (): string => {
    const k = `test-${PROVIDER}-${randomBytes(24).toString("base64url")}`;
    tokens.push(k);
    return k;
  };

  beforeAll(async () => {
    const oc = await ensureOpenclaw(MODEL.host.openclawVersion);
    moto = await startMoto();
    provider = await startFakeProvider();
    sm = new SecretsManagerClient(moto.clientConfig);
    sb = createSandbox("clawkeep-pickup-");
    work = sb.root;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    stagedFile = path.join(work, "run-clawkeep", "gateway-token");
    keyFile = path.join(path.dirname(stagedFile), PROVIDER_KEYS_SUBDIR, providerKeyFileName(PROVIDER));
    fs.mkdirSync(path.dirname(stagedFile), { mode: 0o700 });

    // The script's PATH: the systemctl stub and logging wrappers around every command it runs.
    binDir = path.join(work, "bin");
    execLog = path.join(work, "exec.log");
    fs.mkdirSync(binDir);
    const socket = path.join(work, "systemd.sock");
    fs.writeFileSync(
      path.join(binDir, "systemctl"),
      `#!/bin/bash
# Test stand-in: forwards exactly the calls pickup-token makes to the test's supervisor.
set -euo pipefail
case "$*" in
  "is-active --quiet ${GATEWAY_UNIT}") verb=is-active ;;
  "try-restart ${GATEWAY_UNIT}") verb=try-restart ;;
  *) echo "systemctl stub: unexpected call: $*" >&2; exit 64 ;;
esac
printf 'systemctl %s\\n' "$*" >>${JSON.stringify(execLog)}
[[ $(curl -s -o /dev/null -w '%{http_code}' --unix-socket ${JSON.stringify(socket)} -X POST "http://systemd/$verb") == 200 ]]
`,
      { mode: 0o755 },
    );
    for (const cmd of WRAPPED) {
      const real = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).stdout.trim();
      if (!real) throw new Error(`${cmd} not found`);
      fs.writeFileSync(
        path.join(binDir, cmd),
        `#!/bin/bash\n{ printf '%s' ${cmd}; printf ' %q' "$@"; printf '\\n'; env; } >>${JSON.stringify(execLog)}\nexec ${real} "$@"\n`,
        { mode: 0o755 },
      );
    }
    fs.writeFileSync(path.join(work, "pickup-token"), renderPickupToken(), { mode: 0o750 });
    fs.writeFileSync(path.join(work, "fetch-token"), renderBootScripts()["fetch-token"], { mode: 0o750 });
    fs.writeFileSync(
      path.join(work, "host.env"),
      `AWS_REGION=${MOTO_REGION}\nCLAWKEEP_TOKEN_SECRET_ID=${SECRET_NAME}\nCLAWKEEP_PROVIDER_SECRETS=${PROVIDER}=${KEY_SECRET_NAME}\n`,
      { mode: 0o600 },
    );

    // Boot: token A and key A are AWSCURRENT, staged by fetch-token and loaded by the gateway's first start.
    await sm.send(new CreateSecretCommand({ Name: SECRET_NAME, SecretString: token() }));
    k.a = apiKey();
    await sm.send(new CreateSecretCommand({ Name: KEY_SECRET_NAME, SecretString: k.a }));
    const boot = await runScript("fetch-token", []);
    expect(boot.status, boot.stderr).toBe(0);
    supervisor = new GatewaySupervisor(oc, sb, port, stagedFile, provider.url);
    await supervisor.listen(socket);
    supervisor.start();
    const gw = await supervisor.ready();
    process.stderr.write(`[pickup] gateway up with token A and key A after ${gw.startupMs} ms\n`);
  }, OPENCLAW_BUDGET_MS.gatewayStart + 60_000);

  afterAll(async () => {
    await supervisor?.close();
    await moto?.stop();
    await provider?.close();
    if (gaps.length > 0) {
      const cells = gaps.map((g) => `${g.run}: healthz ${g.healthzMs} / auth ${g.authMs} (stop ${g.stopMs} + start ${g.startMs}) / script ${g.pickupMs}`);
      const max = (k: "healthzMs" | "authMs") => Math.max(...gaps.map((g) => g[k]));
      console.log(`token and provider-key pickup unavailability (ms, polled every ${POLL_MS} ms) | ${cells.join(" | ")} | max healthz ${max("healthzMs")} / auth ${max("authMs")}`);
    }
    sb?.cleanup();
  });

  async function runScript(script: "pickup-token" | "fetch-token", args: string[], env: Record<string, string> = {}): Promise<Run> {
    const run = await new Promise<Run>((resolve, reject) => {
      const started = Date.now();
      const child = spawn("bash", [path.join(work, script), ...args], {
        env: {
          PATH: `${binDir}:${process.env.PATH ?? ""}`,
          HOME: process.env.HOME ?? "/root",
          ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
          ...moto.env,
          AWS_CONFIG_FILE: path.join(work, "no-aws-config"),
          AWS_SHARED_CREDENTIALS_FILE: path.join(work, "no-aws-credentials"),
          CLAWKEEP_HOST_ENV: path.join(work, "host.env"),
          CLAWKEEP_TOKEN_FILE: stagedFile,
          CLAWKEEP_OPENCLAW_CONFIG: sb.configPath,
          CLAWKEEP_FETCH_TOKEN: path.join(work, "fetch-token"),
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }));
    });
    for (const t of tokens) expect(run.stdout.includes(t) || run.stderr.includes(t), `a token or key in ${script}'s output`).toBe(false);
    return run;
  }
  const pickup = (args: string[], env: Record<string, string> = {}): Promise<Run> => runScript("pickup-token", args, env);

  /** Status of the script's own probe (an empty tool call): 400 = authenticated, 401 = refused. */
  async function probe(t: string): Promise<number> {
    const res = await fetch(`${base}/tools/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(2000),
    });
    return res.status;
  }

  /** A real tool call that succeeds on every level: clears the main session's progress card (harmless here). */
  async function toolCall(t: string): Promise<number> {
    const res = await fetch(`${base}/tools/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
      body: JSON.stringify({ tool: "progress_card", args: {} }),
      signal: AbortSignal.timeout(5000),
    });
    return res.status;
  }

  /**
   * One model call through the gateway (its OpenAI-compatible endpoint runs a normal agent turn): the
   * keys the fake provider received during it, for the caller to compare.
   */
  async function modelCall(t: string): Promise<string[]> {
    const from = provider.keys.length;
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "ping" }] }),
      signal: AbortSignal.timeout(120_000),
    });
    const body = (await res.json()) as { choices?: Array<{ message?: { content?: string } }> };
    expect(res.status).toBe(200);
    // The reply came from the fake: the call really went to the provider with the key it recorded.
    expect(body.choices?.[0]?.message?.content).toBe(FAKE_REPLY);
    return provider.keys.slice(from);
  }

  async function putVersion(value: string, stages: string[], secretId = SECRET_NAME): Promise<string> {
    const versionId = randomUUID();
    await sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: value, VersionStages: stages }));
    return versionId;
  }

  async function stagesOf(secretId = SECRET_NAME): Promise<Record<string, string[]>> {
    return (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
  }

  /** finishSecret's label moves, made explicitly (moto keeps a stale default-version pointer otherwise). */
  async function makeCurrent(versionId: string, secretId = SECRET_NAME): Promise<void> {
    const stages = await stagesOf(secretId);
    const current = Object.keys(stages).find((v) => stages[v].includes("AWSCURRENT"));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: "AWSCURRENT", MoveToVersionId: versionId, RemoveFromVersionId: current }));
    for (const [v, s] of Object.entries(await stagesOf(secretId))) {
      if (s.includes("AWSPENDING")) await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: "AWSPENDING", RemoveFromVersionId: v }));
    }
  }

  /** An operator's `aws secretsmanager put-secret-value` of a provider key: the new version becomes AWSCURRENT. */
  async function putKey(value: string): Promise<void> {
    await sm.send(new PutSecretValueCommand({ SecretId: KEY_SECRET_NAME, SecretString: value }));
  }

  /**
   * Runs pickup-token while polling /healthz and an authenticated call every POLL_MS. The authenticated
   * poll uses the old token until the first answer that is not "accepted", then the new one, so it
   * never spends a failed attempt on the new gateway (5 failures lock the caller out).
   */
  async function measuredPickup(label: string, args: string[], oldToken: string, nextToken: string, env: Record<string, string> = {}): Promise<Run> {
    const health: number[] = [];
    const auth: number[] = [];
    let current = oldToken;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const tick = Date.now();
        const [h, a] = await Promise.all([
          fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 0),
          probe(current).catch(() => 0),
        ]);
        const now = Date.now();
        if (h === 200) health.push(now);
        if (a === 400) auth.push(now);
        else current = nextToken;
        await sleep(Math.max(0, POLL_MS - (now - tick)));
      }
    })();
    await sleep(300);
    const startedAt = Date.now();
    const run = await pickup(args, env);
    const deadline = Date.now() + 120_000;
    // Until the gateway answers both again with the new token.
    while (Date.now() < deadline && !(current === nextToken && auth.length > 0 && auth[auth.length - 1] > Date.now() - 500 && health[health.length - 1] > Date.now() - 500)) await sleep(POLL_MS);
    polling = false;
    await poller;
    const maxGap = (t: number[]) => t.slice(1).reduce((m, v, i) => Math.max(m, v - t[i]), 0);
    const { startupMs } = await supervisor.ready();
    // The authenticated probe measures the gap only if it saw the old token accepted before the pickup
    // (an earlier --test may have spent the loopback attempts and locked the old token out): else -1.
    const authSpans = auth.some((x) => x < startedAt) && auth.some((x) => x > startedAt);
    gaps.push({ run: label, healthzMs: maxGap(health), authMs: authSpans ? maxGap(auth) : -1, pickupMs: run.ms, stopMs: supervisor.lastStopMs, startMs: startupMs });
    return run;
  }

  // The token versions the scenario creates, in order: A (boot), B (rotation), C (new AWSCURRENT),
  // E (a rotation during which a provider key is put), D (while stopped).
  const v = { a: "", b: "", c: "", e: "" };
  const t = { a: "", b: "", c: "", e: "" };
  /** Where pickup-token marks a restart it owes the gateway for staged keys it has not loaded yet. */
  const owedMark = () => path.join(path.dirname(stagedFile), ".provider-keys-owed");
  const isKey = (file: string, key: string): boolean => fs.readFileSync(file, "utf8") === key;
  /** Which of the scenario's keys the model calls carried, by name: keys are compared, never printed. */
  const keyNames = (used: string[]): string[] => [...new Set(used.map((u) => Object.entries(k).find(([, key]) => key !== "" && key === u)?.[0].toUpperCase() ?? "unknown"))];

  it("run 1 (rotation, setSecret): --version-id of an AWSPENDING token B restarts the gateway onto B; A is refused", async () => {
    t.a = fs.readFileSync(stagedFile, "utf8");
    v.a = Object.entries(await stagesOf()).find(([, s]) => s.includes("AWSCURRENT"))?.[0] as string;
    t.b = token();
    v.b = await putVersion(t.b, ["AWSPENDING"]);
    const starts = supervisor.starts;

    const run = await measuredPickup("run 1", ["--version-id", v.b], t.a, t.b);
    expect(run.stderr).toContain(`restarting ${GATEWAY_UNIT} with version ${v.b}`);
    expect(run.status, run.stderr).toBe(0);
    expect(supervisor.starts).toBe(starts + 1);
    expect(fs.readFileSync(stagedFile, "utf8")).toBe(t.b);
    expect(fs.statSync(stagedFile).mode & 0o777).toBe(0o600);
    // No staging file and no owed restart left behind; the keys in their own directory.
    expect(fs.readdirSync(path.dirname(stagedFile)).sort()).toEqual([".pickup-token.lock", "gateway-token", PROVIDER_KEYS_SUBDIR]);

    expect(await toolCall(t.b)).toBe(200);
    expect(await probe(t.a)).toBe(401);
  });

  it("run 1 (testSecret): --test --version-id B exits 0 (B accepted, AWSCURRENT's A refused)", async () => {
    const run = await pickup(["--test", "--version-id", v.b]);
    expect(run.stderr).toContain(`accepts version ${v.b}'s token and refuses another`);
    expect(run.status).toBe(0);
  });

  it("is idempotent: the same --version-id again neither restarts nor rewrites (endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER)", async () => {
    const mtime = fs.statSync(stagedFile).mtimeMs;
    const starts = supervisor.starts;
    const dead = `http://127.0.0.1:${await freePort()}`;
    const run = await pickup(["--version-id", v.b], { AWS_ENDPOINT_URL: dead, AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint });
    expect(run.stderr).toContain(`already runs with version ${v.b}`);
    expect(run.status).toBe(0);
    expect(supervisor.starts).toBe(starts);
    expect(fs.statSync(stagedFile).mtimeMs).toBe(mtime);
  });

  it("fails on a version that does not exist or is malformed: staged file untouched, gateway not restarted", async () => {
    const mtime = fs.statSync(stagedFile).mtimeMs;
    const starts = supervisor.starts;
    const missing = randomUUID();
    const run = await pickup(["--version-id", missing]);
    expect(run.stderr).toMatch(/ResourceNotFoundException[\s\S]*cannot read version/);
    expect(run.status).not.toBe(0);
    const bad = await pickup(["--version-id", "../../etc/passwd"]);
    expect(bad.stderr).toContain("not a secret version id");
    expect(bad.status).not.toBe(0);
    const test = await pickup(["--test", "--version-id", missing]);
    expect(test.status).not.toBe(0);
    expect(fs.readFileSync(stagedFile, "utf8")).toBe(t.b);
    expect(fs.statSync(stagedFile).mtimeMs).toBe(mtime);
    expect(supervisor.starts).toBe(starts);
    expect(await toolCall(t.b)).toBe(200);
  });

  it("leaves a gateway alone that does not answer /healthz yet (a slow first boot): exits non-zero, no restart, nothing staged", async () => {
    const mtime = fs.statSync(stagedFile).mtimeMs;
    const starts = supervisor.starts;
    // The same unit, seen on a port where nothing answers: what a gateway still starting looks like to the script.
    const silent = path.join(work, "openclaw-silent.json");
    const config = JSON.parse(fs.readFileSync(sb.configPath, "utf8")) as { gateway: { port: number } };
    config.gateway.port = await freePort();
    fs.writeFileSync(silent, JSON.stringify(config));
    const run = await pickup([], { CLAWKEEP_OPENCLAW_CONFIG: silent, CLAWKEEP_PICKUP_HEALTH_SECONDS: "2" });
    expect(run.stderr).toContain("does not answer /healthz (HTTP 000) after 2s: not restarting it");
    expect(run.status).toBe(1);
    expect(supervisor.starts).toBe(starts);
    expect(fs.statSync(stagedFile).mtimeMs).toBe(mtime);
    expect(await toolCall(t.b)).toBe(200);
  });

  it("a bare run (timer/EventBridge) during the rotation leaves the gateway on its young AWSPENDING token", async () => {
    const starts = supervisor.starts;
    const run = await pickup([]);
    expect(run.stderr).toMatch(/a rotation is in flight \(AWSPENDING version \S+, \d+s old\)/);
    expect(run.status).toBe(0);
    expect(supervisor.starts).toBe(starts);
    expect(fs.readFileSync(stagedFile, "utf8")).toBe(t.b);
  });

  it("run 2 (rotation abandoned): once AWSPENDING is stale, a bare run brings the gateway back to AWSCURRENT A", async () => {
    const run = await measuredPickup("run 2", [], t.b, t.a, { CLAWKEEP_PICKUP_PENDING_GRACE_SECONDS: "0" });
    expect(run.stderr).toContain(`restarting ${GATEWAY_UNIT} with version ${v.a}`);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readFileSync(stagedFile, "utf8")).toBe(t.a);
    expect(await toolCall(t.a)).toBe(200);
    expect(await probe(t.b)).toBe(401);
  });

  it("run 3 (finishSecret, revoke or put-secret-value): a new AWSCURRENT C reaches the gateway on a bare run; A is refused", async () => {
    t.c = token();
    v.c = await putVersion(t.c, ["clawkeep-test-new"]);
    await makeCurrent(v.c);
    const run = await measuredPickup("run 3", [], t.a, t.c);
    expect(run.stderr).toContain(`restarting ${GATEWAY_UNIT} with version ${v.c}`);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readFileSync(stagedFile, "utf8")).toBe(t.c);
    expect(await toolCall(t.c)).toBe(200);
    expect(await probe(t.a)).toBe(401);
  });

  it("--test without a version proves AWSCURRENT; --test with an older version exits non-zero", async () => {
    const current = await pickup(["--test"]);
    expect(current.stderr).toContain(`accepts version ${v.c}'s token`);
    expect(current.status).toBe(0);
    const wrong = await pickup(["--test", "--version-id", v.a]);
    expect(wrong.stderr).toContain(`does not accept version ${v.a}'s token (HTTP 401)`);
    expect(wrong.status).not.toBe(0);
  });

  it("a repeated event or the next timer tick changes nothing", async () => {
    const starts = supervisor.starts;
    const run = await pickup([]);
    expect(run.stderr).toContain(`already runs with version ${v.c}`);
    expect(run.status).toBe(0);
    expect(supervisor.starts).toBe(starts);
  });

  it("the running gateway sends the key it loaded at start (A), and still A after key B is put: systemd copied the key at start", async () => {
    expect(keyNames(await modelCall(t.c))).toEqual(["A"]);
    k.b = apiKey();
    await putKey(k.b);
    expect(keyNames(await modelCall(t.c))).toEqual(["A"]);
  });

  it("run 4 (provider key put-secret-value): a bare run stages key B and restarts the gateway, which then sends B; token C stays", async () => {
    const before = await supervisor.ready();
    const starts = supervisor.starts;
    const tokenMtime = fs.statSync(stagedFile).mtimeMs;
    const run = await measuredPickup("run 4 (key)", [], t.c, t.c);
    expect(run.stderr).toContain(`${PROVIDER} API key staged at ${keyFile}`);
    expect(run.stderr).toContain(`restarting ${GATEWAY_UNIT} for a changed provider API key (token version ${v.c} unchanged)`);
    expect(run.status, run.stderr).toBe(0);
    expect(supervisor.starts).toBe(starts + 1);
    expect((await supervisor.ready()).pid).not.toBe(before.pid);
    expect(isKey(keyFile, k.b), "the staged key is B").toBe(true);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(isKey(supervisor.keyCredential, k.b), "the gateway's credential copy is B").toBe(true);
    expect(fs.statSync(stagedFile).mtimeMs).toBe(tokenMtime);
    expect(fs.readdirSync(path.dirname(stagedFile)).sort()).toEqual([".pickup-token.lock", "gateway-token", PROVIDER_KEYS_SUBDIR]);
    expect(keyNames(await modelCall(t.c))).toEqual(["B"]);
  });

  it("the next run with the key unchanged neither restarts the gateway nor rewrites the key file", async () => {
    const { pid } = await supervisor.ready();
    const starts = supervisor.starts;
    const keyMtime = fs.statSync(keyFile).mtimeMs;
    const run = await pickup([]);
    expect(run.stderr).toContain(`${PROVIDER} API key at ${keyFile} is current`);
    expect(run.stderr).toContain(`already runs with version ${v.c}`);
    expect(run.status, run.stderr).toBe(0);
    expect(supervisor.starts).toBe(starts);
    expect((await supervisor.ready()).pid).toBe(pid);
    expect(fs.statSync(keyFile).mtimeMs).toBe(keyMtime);
  });

  it("fetch-token --provider-keys-only leaves the token file alone, and refuses any other argument", async () => {
    const staged = fs.readFileSync(stagedFile);
    const decoy = token();
    fs.writeFileSync(stagedFile, decoy);
    try {
      const run = await runScript("fetch-token", ["--provider-keys-only"]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain(`${PROVIDER} API key at ${keyFile} is current`);
      expect(run.stderr).not.toContain("token staged");
      expect(isKey(stagedFile, decoy), "the token file is untouched").toBe(true);
    } finally {
      fs.writeFileSync(stagedFile, staged);
    }
    for (const args of [["--provider-keys"], ["--provider-keys-only", "--provider-keys-only"]]) {
      const bad = await runScript("fetch-token", args);
      expect(bad.stderr).toContain("usage: fetch-token [--provider-keys-only]");
      expect(bad.status).not.toBe(0);
    }
  });

  it("a key fetch-token cannot use fails a bare run and leaves the gateway alone; a rotation's --version-id run still succeeds", async () => {
    await putKey(`${apiKey()} ${apiKey()}`);
    const starts = supervisor.starts;
    const keyMtime = fs.statSync(keyFile).mtimeMs;
    const bare = await pickup([]);
    expect(bare.stderr).toMatch(/holds no usable anthropic API key[\s\S]*provider API keys not refreshed/);
    expect(bare.status).toBe(1);
    const rotation = await pickup(["--version-id", v.c]);
    expect(rotation.stderr).toContain("fetch-token --provider-keys-only failed: the gateway keeps the keys it has");
    expect(rotation.status, rotation.stderr).toBe(0);
    expect(supervisor.starts).toBe(starts);
    expect(isKey(keyFile, k.b), "the staged key is still B").toBe(true);
    expect(fs.statSync(keyFile).mtimeMs).toBe(keyMtime);
  });

  it("run 5 (rotation, setSecret): --version-id of an AWSPENDING token E restarts the gateway onto E", async () => {
    t.e = token();
    v.e = await putVersion(t.e, ["AWSPENDING"]);
    const run = await measuredPickup("run 5", ["--version-id", v.e], t.c, t.e);
    expect(run.stderr).toContain(`restarting ${GATEWAY_UNIT} with version ${v.e}`);
    expect(run.status, run.stderr).toBe(0);
    expect(await probe(t.e)).toBe(400);
  });

  it("run 6: key C put during the rotation waits for it (owed restart), and the run after finishSecret restarts the gateway for C", async () => {
    k.c = apiKey();
    await putKey(k.c);
    const starts = supervisor.starts;
    const inFlight = await pickup([]);
    expect(inFlight.stderr).toMatch(/a rotation is in flight \(AWSPENDING version \S+, \d+s old\)/);
    expect(inFlight.status, inFlight.stderr).toBe(0);
    expect(supervisor.starts).toBe(starts);
    expect(isKey(keyFile, k.c), "the staged key is C").toBe(true);
    expect(isKey(supervisor.keyCredential, k.b), "the gateway still holds B").toBe(true);
    expect(fs.existsSync(owedMark())).toBe(true);

    // finishSecret: E becomes AWSCURRENT. The gateway holds E already; only the owed key restarts it.
    await makeCurrent(v.e);
    const run = await measuredPickup("run 6 (owed key)", [], t.e, t.e);
    expect(run.stderr).toContain(`${PROVIDER} API key at ${keyFile} is current`);
    expect(run.stderr).toContain(`restarting ${GATEWAY_UNIT} for a changed provider API key (token version ${v.e} unchanged)`);
    expect(run.status, run.stderr).toBe(0);
    expect(supervisor.starts).toBe(starts + 1);
    expect(isKey(supervisor.keyCredential, k.c), "the gateway's credential copy is C").toBe(true);
    expect(fs.existsSync(owedMark())).toBe(false);
    expect(keyNames(await modelCall(t.e))).toEqual(["C"]);
  });

  it(`never starts a stopped gateway: it stages the new token and key and exits ${GATEWAY_STOPPED_EXIT}`, async () => {
    await supervisor.stop();
    const d = token();
    await makeCurrent(await putVersion(d, ["clawkeep-test-new"]));
    k.d = apiKey();
    await putKey(k.d);
    const starts = supervisor.starts;
    const run = await pickup([]);
    expect(run.stderr).toContain(`${GATEWAY_UNIT} is not running`);
    expect(run.status).toBe(GATEWAY_STOPPED_EXIT);
    expect(supervisor.starts).toBe(starts);
    expect(supervisor.running).toBe(false);
    expect(fs.readFileSync(stagedFile, "utf8")).toBe(d);
    expect(isKey(keyFile, k.d), "the staged key is D").toBe(true);
    // The next start loads the staged keys: no restart is owed.
    expect(fs.existsSync(owedMark())).toBe(false);
    const listening = await fetch(`${base}/healthz`).then(
      () => true,
      () => false,
    );
    expect(listening).toBe(false);
  });

  it("no token or key was ever in a child process's argv or environment, and the wrappers saw every call", () => {
    const log = fs.readFileSync(execLog, "utf8");
    for (const cmd of ["aws", "curl", "python3", "flock", "mv", "cmp", "sha256sum", "systemctl"]) expect(log, cmd).toMatch(new RegExp(`^${cmd} `, "m"));
    expect(log).toContain("systemctl try-restart");
    expect(tokens.length).toBeGreaterThan(10);
    for (const t of tokens) expect(log.includes(t), "a token or key in argv or environment").toBe(false);
    // The check itself can see a leak: a token passed in argv lands in the log.
    const leak = newToken();
    spawnSync(path.join(binDir, "curl"), ["--version", "-H", `Authorization: Bearer ${leak}`], { stdio: "ignore" });
    expect(fs.readFileSync(execLog, "utf8")).toContain(leak);
  });

  it("prints the measured unavailability, and each pickup finished within its bound", () => {
    expect(gaps.map((g) => g.run)).toEqual(["run 1", "run 2", "run 3", "run 4 (key)", "run 5", "run 6 (owed key)"]);
    // The authenticated gap was measured in at least one run.
    expect(gaps.some((g) => g.authMs >= 0)).toBe(true);
    for (const g of gaps) {
      // A restart happened: both probes went dark for far longer than one poll.
      expect(g.healthzMs).toBeGreaterThan(10 * POLL_MS);
      if (g.authMs >= 0) expect(g.authMs).toBeGreaterThan(10 * POLL_MS);
      // The script's own bound: the restart, then up to HEALTH_WAIT_SECONDS each for /healthz and the token.
      expect(g.pickupMs).toBeLessThan(2 * HEALTH_WAIT_SECONDS * 1000);
    }
  });
});
