// The pinned OpenClaw judges each level's rendered openclaw.json: `config validate` accepts it and
// `security audit --json` finds nothing critical and nothing to warn about. The real gateway proves it
// sends each provider the key from its credential file, and starts without a key not yet put.
// Failure paths included.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderExecApprovalsJson, renderOpenclawConfig, type OpenclawConfig } from "../components/gateway";
import { providerKeyCredential } from "../components/base/layout";
import { loadStackFile } from "../stacks/load";
import { TRUST_LEVELS, type ModelProvider } from "../stacks/trustLevels";
import { needTools } from "./support/tools";
import {
  createSandbox,
  ensureOpenclaw,
  freePort,
  OPENCLAW_BUDGET_MS,
  parseAudit,
  runOpenclaw,
  securityAudit,
  startGateway,
  validateConfig,
  writeConfig,
  writeToken,
  type OpenclawInstall,
  type Sandbox,
} from "./support/openclaw";

const VERSION = loadStackFile("level0").host.openclawVersion;
// Each test's timeout: its CLI runs and gateway starts at the worst pace seen (OPENCLAW_BUDGET_MS).
const { cliRun: CLI_RUN_MS, gatewayStart: GATEWAY_START_MS } = OPENCLAW_BUDGET_MS;
// A generated stand-in for the credential; only its length matters to the audit (>= 24 chars).
const TEST_TOKEN = `test-${Date.now().toString(36)}-${"k".repeat(40)}`;
// Stand-ins for the provider keys: random, shaped like no real provider's key.
const TEST_KEYS: Record<ModelProvider, string> = {
  anthropic: `test-anthropic-${crypto.randomBytes(24).toString("base64url")}`,
  openai: `test-openai-${crypto.randomBytes(24).toString("base64url")}`,
};
const BOTH_PROVIDERS = ['modelProviders=["anthropic","openai"]', "openaiProjectId=proj_test", "openaiServiceAccountId=svc-test"];

/** The directory standing in for the gateway's credentials directory: the token and the key files. */
const keyDir = (sb: Sandbox): string => path.dirname(sb.tokenFile);
const keyFile = (sb: Sandbox, provider: ModelProvider): string => path.join(keyDir(sb), providerKeyCredential(provider));

/** Key files as systemd hands credentials over: private regular files. */
function writeProviderKeys(sb: Sandbox, providers: readonly ModelProvider[]): void {
  for (const p of providers) fs.writeFileSync(keyFile(sb, p), TEST_KEYS[p], { mode: 0o600 });
}

/** A sandbox laid out as on the host: config 0640, state dir 0700, token and provider key credentials 0600. */
function hostLikeSandbox(config: (sb: Sandbox) => unknown, mode = 0o640): Sandbox {
  const sb = createSandbox();
  const cfg = config(sb) as Partial<OpenclawConfig>;
  writeConfig(sb, cfg);
  fs.chmodSync(sb.configPath, mode);
  writeToken(sb, TEST_TOKEN);
  writeProviderKeys(sb, Object.keys(cfg.models?.providers ?? {}) as ModelProvider[]);
  return sb;
}

// The audit probes the configured port: a port nothing listens on keeps it off other gateways here.
let unusedPort = 0;

function render(level: number, sb: Sandbox, overrides: string[] = [], port = unusedPort): OpenclawConfig {
  const model = loadStackFile(`level${level}`, [`gatewayPort=${port}`, ...overrides]);
  return renderOpenclawConfig(model, { tokenFile: sb.tokenFile, providerKeyDir: keyDir(sb), workspaceDir: sb.workspaceDir, logFile: `${sb.logDir}/openclaw.log` });
}

interface SecretsAudit {
  status: string;
  resolution: { refsChecked: number };
  summary: { plaintextCount: number; unresolvedRefCount: number };
  findings: Array<{ code: string; path?: string; message?: string }>;
}

async function secretsAudit(oc: OpenclawInstall, sb: Sandbox): Promise<SecretsAudit> {
  const res = await runOpenclaw(oc, sb, ["secrets", "audit", "--json"]);
  const start = res.stdout.indexOf("{");
  if (start < 0) throw new Error(`secrets audit printed no JSON (exit ${String(res.code)}): ${res.stderr.slice(-2000)}`);
  return JSON.parse(res.stdout.slice(start)) as SecretsAudit;
}

interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** A loopback stand-in for the providers' APIs: records each request and refuses it as a bad key. */
async function fakeProviderApi(): Promise<{ base: string; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ path: req.url ?? "", headers: req.headers });
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Every file under dir (but skip) whose bytes contain value. */
function filesContaining(dir: string, value: string, skip: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(dir, f))
    .filter((f) => !f.startsWith(skip) && fs.lstatSync(f).isFile() && fs.readFileSync(f).includes(value));
}

describe.skipIf(!needTools("npm"))(`openclaw@${VERSION} judges the rendered config`, () => {
  let oc: OpenclawInstall;
  const sandboxes: Sandbox[] = [];
  const track = (sb: Sandbox) => (sandboxes.push(sb), sb);

  beforeAll(async () => {
    oc = await ensureOpenclaw(VERSION);
    unusedPort = await freePort();
  });
  afterAll(() => sandboxes.forEach((sb) => sb.cleanup()));

  it.each(TRUST_LEVELS.map((l) => [l]))("level %i: config validate passes and the audit has 0 critical, 0 warn", async (level) => {
    const model = loadStackFile(`level${level}`, [`gatewayPort=${unusedPort}`]);
    const sb = track(hostLikeSandbox((s) => render(level, s)));
    // The host installs its exec approvals before the gateway starts; the audit reads them too.
    fs.writeFileSync(`${sb.root}/approvals.json`, renderExecApprovalsJson(model));
    const approvals = await runOpenclaw(oc, sb, ["approvals", "set", "--file", `${sb.root}/approvals.json`]);
    expect(approvals.code, approvals.stderr).toBe(0);

    const validate = await validateConfig(oc, sb);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    expect(validate.stdout).toContain("Config valid");

    const audit = await securityAudit(oc, sb);
    const loud = audit.findings.filter((f) => f.severity !== "info");
    console.log(`level ${level}: validate ${validate.ms} ms; audit ${JSON.stringify(audit.summary)}`);
    expect(loud).toEqual([]);
    expect(audit.summary).toMatchObject({ critical: 0, warn: 0 });
    // Suppressions hide only what they name: the host's 0640 config mode, nothing else.
    const suppressed = (audit as { suppressedFindings?: Array<{ checkId: string }> }).suppressedFindings ?? [];
    const allowedIds = new Set(render(level, sb).security.audit.suppressions.map((s) => s.checkId));
    for (const f of suppressed) expect(allowedIds).toContain(f.checkId);
    expect(suppressed.map((f) => f.checkId)).toContain("fs.config.perms_group_readable");
  }, 3 * CLI_RUN_MS);

  it("both providers: config validate passes, the audit has 0 critical, 0 warn, and secrets audit resolves every key", async () => {
    const sb = track(hostLikeSandbox((s) => render(1, s, BOTH_PROVIDERS)));
    expect(fs.readdirSync(keyDir(sb)).sort()).toEqual(["gateway-token", providerKeyCredential("anthropic"), providerKeyCredential("openai")]);
    const validate = await validateConfig(oc, sb);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const auditRun = await runOpenclaw(oc, sb, ["security", "audit", "--json"]);
    const audit = parseAudit(auditRun);
    expect(audit.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(audit.summary).toMatchObject({ critical: 0, warn: 0 });
    // With OpenAI's runtime left on "auto", OpenClaw claims the Codex harness and tries to install it from npm.
    expect(auditRun.stderr).not.toMatch(/codex/i);

    const secrets = await secretsAudit(oc, sb);
    console.log(`secrets audit: ${JSON.stringify({ status: secrets.status, ...secrets.resolution, ...secrets.summary })}`);
    expect(secrets.status).toBe("clean");
    expect(secrets.resolution.refsChecked).toBe(3);
    expect(secrets.summary).toMatchObject({ plaintextCount: 0, unresolvedRefCount: 0 });

    // A key that is not there is reported, and by its config path only.
    fs.rmSync(keyFile(sb, "openai"));
    const missing = await secretsAudit(oc, sb);
    expect(missing.summary.unresolvedRefCount).toBe(1);
    expect(JSON.stringify(missing.findings)).toContain("models.providers.openai.apiKey");
    expect(JSON.stringify(missing)).not.toContain(TEST_KEYS.anthropic);
  }, 4 * CLI_RUN_MS);

  it("rejects a config with a key OpenClaw does not know", async () => {
    const sb = track(
      hostLikeSandbox((s) => {
        const cfg = render(1, s) as OpenclawConfig & { gateway: { notAKey?: boolean } };
        cfg.gateway.notAKey = true;
        return cfg;
      }),
    );
    const res = await validateConfig(oc, sb);
    expect(res.code).not.toBe(0);
    // The console log is JSON (the kit's logging.consoleStyle), so the quotes may come escaped.
    expect(res.stdout + res.stderr).toMatch(/Unrecognized key: \\?"notAKey\\?"/);
  }, CLI_RUN_MS);

  it("reports critical findings for a gateway bound to the LAN or left without auth", async () => {
    const lan = track(hostLikeSandbox((s) => ({ ...render(1, s), gateway: { ...render(1, s).gateway, bind: "lan" } })));
    const lanAudit = await securityAudit(oc, lan);
    expect(lanAudit.summary.critical).toBeGreaterThan(0);
    console.log(`bind lan: ${lanAudit.findings.filter((f) => f.severity === "critical").map((f) => f.checkId).join(", ")}`);

    const noAuth = track(hostLikeSandbox((s) => ({ ...render(1, s), gateway: { ...render(1, s).gateway, auth: { mode: "none" } } })));
    const noAuthAudit = await securityAudit(oc, noAuth);
    expect(noAuthAudit.findings.filter((f) => f.severity === "critical").map((f) => f.checkId)).toContain("gateway.loopback_no_auth");

  }, 2 * CLI_RUN_MS);

  it("warns when the config is readable by everyone (the suppression covers only the group bit)", async () => {
    const sb = track(hostLikeSandbox((s) => render(0, s), 0o644));
    const audit = await securityAudit(oc, sb);
    expect(audit.findings.filter((f) => f.severity !== "info").map((f) => f.checkId)).toContain("fs.config.perms_world_readable");
  }, CLI_RUN_MS);
  it("the gateway sends each provider the key from its credential file, and writes the keys nowhere", async () => {
    const api = await fakeProviderApi();
    const port = await freePort();
    const sb = track(createSandbox());
    const cfg = render(1, sb, BOTH_PROVIDERS, port);
    // Test only: the providers' APIs are the loopback stand-in, so no request leaves the machine.
    const routed = {
      ...cfg,
      models: { ...cfg.models, providers: { anthropic: { ...cfg.models.providers.anthropic, baseUrl: api.base }, openai: { ...cfg.models.providers.openai, baseUrl: `${api.base}/v1` } } },
    };
    writeProviderKeys(sb, ["anthropic", "openai"]);
    const gw = await startGateway({ install: oc, sandbox: sb, config: routed, token: TEST_TOKEN, port });
    try {
      for (const model of ["anthropic/claude-opus-5", "openai/gpt-5.5"]) {
        const turn = await runOpenclaw(oc, sb, ["agent", "--agent", "main", "--model", model, "--message", "hello", "--timeout", "60", "--json"]);
        // The stand-in refuses every key, so the turn fails: what matters is what the gateway sent.
        expect(turn.stdout + turn.stderr).toContain("401");
      }
    } finally {
      await gw.stop();
      await api.close();
    }
    const anthropic = api.seen.filter((r) => r.path === "/v1/messages");
    const openai = api.seen.filter((r) => r.path === "/v1/responses");
    console.log(`gateway started in ${gw.startupMs} ms; provider requests: ${api.seen.map((r) => r.path).join(", ")}`);
    expect(anthropic.length).toBeGreaterThan(0);
    expect(openai.length).toBeGreaterThan(0);
    expect(anthropic.every((r) => r.headers["x-api-key"] === TEST_KEYS.anthropic && r.headers.authorization === undefined)).toBe(true);
    expect(openai.every((r) => r.headers.authorization === `Bearer ${TEST_KEYS.openai}` && r.headers["x-api-key"] === undefined)).toBe(true);
    // Neither key reached the config, the state (models.json, SQLite, sessions) or the logs.
    for (const key of Object.values(TEST_KEYS)) expect(filesContaining(sb.root, key, keyDir(sb))).toEqual([]);
  }, GATEWAY_START_MS + 2 * CLI_RUN_MS);

  it("a key file that is not there leaves only that provider unavailable: the gateway starts and sends nothing", async () => {
    const api = await fakeProviderApi();
    const port = await freePort();
    const sb = track(createSandbox());
    const cfg = render(1, sb, [], port);
    const routed = { ...cfg, models: { ...cfg.models, providers: { anthropic: { ...cfg.models.providers.anthropic, baseUrl: api.base } } } };
    expect(fs.existsSync(keyFile(sb, "anthropic"))).toBe(false);
    const gw = await startGateway({ install: oc, sandbox: sb, config: routed, token: TEST_TOKEN, port });
    try {
      const health = await fetch(`${gw.url}/healthz`);
      expect(health.status).toBe(200);
      expect(gw.logTail(20_000)).toMatch(/SECRETS_PROVIDER_DEGRADED\] file:anthropic-api-key: .*cold provider:anthropic/);
      const turn = await runOpenclaw(oc, sb, ["agent", "--agent", "main", "--message", "hello", "--timeout", "60", "--json"]);
      expect(turn.code).not.toBe(0);
    } finally {
      await gw.stop();
      await api.close();
    }
    console.log(`gateway without its key started in ${gw.startupMs} ms`);
    expect(api.seen).toEqual([]);
  }, GATEWAY_START_MS + CLI_RUN_MS);
});
