// The real, pinned OpenClaw for tests: the cache install (ops/openclawCache.ts), plus a throw-away
// HOME, state and config per test, the CLI and the gateway on loopback.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { NODE_BIN, NODE_BIN_DIR, OPENCLAW_CACHE_ROOT, pidAlive, sleep, type OpenclawInstall } from "../../ops/openclawCache";

export { NODE_BIN, NODE_BIN_DIR, OPENCLAW_CACHE_ROOT, REPO_ROOT, ensureOpenclaw, type OpenclawInstall } from "../../ops/openclawCache";

/**
 * What the tests give OpenClaw per operation; their vitest timeouts are sums of these. CPU per operation:
 * a CLI command 3-6 s (config validate ~3, approvals set and security audit ~6), a gateway start ~12 s;
 * on two cores at load 15 that was up to ~50 s per CLI run and ~110 s per start.
 */
export const OPENCLAW_BUDGET_MS = {
  cliRun: 60_000,
  gatewayStart: 120_000,
} as const;

/** A throw-away HOME / state dir / config location, with the modes the host gives them. */
export interface Sandbox {
  root: string;
  home: string;
  /** OPENCLAW_STATE_DIR, 0700 as on the host. */
  stateDir: string;
  workspaceDir: string;
  logDir: string;
  tmpDir: string;
  /** OPENCLAW_CONFIG_PATH. */
  configPath: string;
  /** Stands in for the systemd credential file of the gateway token. */
  tokenFile: string;
  cleanup(): void;
}

export function createSandbox(prefix = "clawkeep-openclaw-"): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(root, "home");
  const stateDir = path.join(root, "state");
  const credentials = path.join(root, "credentials");
  const logDir = path.join(root, "log");
  const tmpDir = path.join(root, "tmp");
  for (const d of [home, stateDir, credentials, logDir, tmpDir]) fs.mkdirSync(d, { mode: 0o700 });
  const workspaceDir = path.join(stateDir, "workspace");
  fs.mkdirSync(workspaceDir, { mode: 0o700 });
  return {
    root,
    home,
    stateDir,
    workspaceDir,
    logDir,
    tmpDir,
    configPath: path.join(root, "openclaw.json"),
    tokenFile: path.join(credentials, "gateway-token"),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Config 0600 (the audit's expectation for a file the service user reads), written as JSON. */
export function writeConfig(sb: Sandbox, config: unknown): void {
  const text = typeof config === "string" ? config : `${JSON.stringify(config, null, 2)}\n`;
  fs.writeFileSync(sb.configPath, text, { mode: 0o600 });
  fs.chmodSync(sb.configPath, 0o600);
}

/** The token file as systemd hands a credential over: a private regular file of the service user. */
export function writeToken(sb: Sandbox, token: string): void {
  fs.writeFileSync(sb.tokenFile, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(sb.tokenFile, 0o600);
}

/** A minimal environment: no inherited secrets, OpenClaw pointed into the sandbox. */
export function openclawEnv(sb: Sandbox): NodeJS.ProcessEnv {
  return {
    PATH: `${NODE_BIN_DIR}${path.delimiter}/usr/local/bin:/usr/bin:/bin`,
    HOME: sb.home,
    TMPDIR: sb.tmpDir,
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    // Shared across runs, as the host's /var/tmp cache: a warm cache starts the gateway faster.
    NODE_COMPILE_CACHE: path.join(OPENCLAW_CACHE_ROOT, "compile-cache"),
    OPENCLAW_CONFIG_PATH: sb.configPath,
    OPENCLAW_STATE_DIR: sb.stateDir,
    // Same switches the host unit sets: no self-respawn, no update calls, no mDNS.
    OPENCLAW_CONFIG_READONLY: "1",
    OPENCLAW_NO_RESPAWN: "1",
    OPENCLAW_NO_AUTO_UPDATE: "1",
    OPENCLAW_DISABLE_BONJOUR: "1",
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runOpenclaw(inst: OpenclawInstall, sb: Sandbox, args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(NODE_BIN, [inst.entry, ...args], { cwd: sb.root, env: openclawEnv(sb), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `openclaw config validate` on the sandbox's config file. */
export function validateConfig(inst: OpenclawInstall, sb: Sandbox): Promise<CliResult> {
  return runOpenclaw(inst, sb, ["config", "validate"]);
}

export interface AuditFinding {
  checkId: string;
  severity: "critical" | "warn" | "info";
  title: string;
  detail?: string;
}
export interface AuditReport {
  summary: { critical: number; warn: number; info: number };
  findings: AuditFinding[];
}

/** The report a `openclaw security audit --json` run printed. */
export function parseAudit(res: CliResult): AuditReport {
  const start = res.stdout.indexOf("{");
  if (start < 0) throw new Error(`security audit printed no JSON (exit ${String(res.code)}): ${res.stderr.slice(-2000)}`);
  return JSON.parse(res.stdout.slice(start)) as AuditReport;
}

/** `openclaw security audit --json`, parsed. */
export async function securityAudit(inst: OpenclawInstall, sb: Sandbox): Promise<AuditReport> {
  return parseAudit(await runOpenclaw(inst, sb, ["security", "audit", "--json"]));
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface GatewayHandle {
  url: string;
  port: number;
  pid: number;
  sandbox: Sandbox;
  /** Milliseconds from spawn to the first 200 from GET /healthz. */
  startupMs: number;
  logFile: string;
  logTail(chars?: number): string;
  stop(): Promise<void>;
}

function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we read /proc
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const kids = byParent.get(queue.shift() as number) ?? [];
    out.push(...kids);
    queue.push(...kids);
  }
  return out;
}

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await sleep(100);
  }
  return !pidAlive(pid);
}

export interface StartGatewayOptions {
  install: OpenclawInstall;
  sandbox: Sandbox;
  /** The rendered openclaw.json; its gateway.port must equal `port`. */
  config: { gateway?: { port?: number } };
  /** Written to sandbox.tokenFile, which the config's SecretRef must point at. */
  token: string;
  port: number;
  timeoutMs?: number;
}

/** Start `openclaw gateway` on 127.0.0.1 with state in the sandbox, and wait for GET /healthz. */
export async function startGateway(opts: StartGatewayOptions): Promise<GatewayHandle> {
  const { install, sandbox: sb, config, token, port } = opts;
  if (config.gateway?.port !== port) throw new Error(`config gateway.port ${String(config.gateway?.port)} differs from port ${port}`);
  writeConfig(sb, config);
  writeToken(sb, token);
  const logFile = path.join(sb.root, "gateway.out.log");
  const out = fs.openSync(logFile, "w", 0o600);
  const started = Date.now();
  const child = spawn(NODE_BIN, [install.entry, "gateway"], { cwd: sb.root, env: openclawEnv(sb), stdio: ["ignore", out, out] });
  fs.closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn openclaw gateway");
  let exited: number | null | undefined;
  child.on("exit", (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const logTail = (chars = 3000) => fs.readFileSync(logFile, "utf8").slice(-chars);

  const stop = async () => {
    const tree = descendants(pid);
    if (exited === undefined) {
      process.kill(pid, "SIGTERM");
      if (!(await waitExit(pid, 20_000))) process.kill(pid, "SIGKILL");
    }
    // The gateway's spawn broker runs in its own process group: end whatever of ours is left.
    for (const p of tree) if (pidAlive(p)) process.kill(p, "SIGKILL");
  };

  const deadline = started + (opts.timeoutMs ?? OPENCLAW_BUDGET_MS.gatewayStart);
  for (;;) {
    if (exited !== undefined) throw new Error(`openclaw gateway exited with ${String(exited)} before /healthz answered:\n${logTail()}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`openclaw gateway did not answer /healthz within ${opts.timeoutMs ?? OPENCLAW_BUDGET_MS.gatewayStart} ms:\n${logTail()}`);
    }
    await sleep(200);
  }
  const startupMs = Date.now() - started;
  return { url, port, pid, sandbox: sb, startupMs, logFile, logTail, stop };
}
