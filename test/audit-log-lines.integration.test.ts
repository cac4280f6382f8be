// The metric filters against real log lines, not hand-written samples: the pinned gateway's JSON
// file log after real failed logins, and a real squid's access log after a refused and an allowed
// CONNECT. Everything runs on 127.0.0.1; squid resolves the provider host to a local server.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EGRESS_DENIED_PATTERN, GATEWAY_AUTH_FAILURE_PATTERN, alarmSpecs, matchesFilterPattern, modelApiPattern } from "../components/audit";
import { DEFAULT_AUDIT_SETTINGS } from "../stacks/audit";
import { renderOpenclawConfig } from "../components/gateway";
import { loadStackFile } from "../stacks/load";
import { OPENCLAW_BUDGET_MS, createSandbox, ensureOpenclaw, freePort, runOpenclaw, startGateway, type GatewayHandle, type OpenclawInstall } from "./support/openclaw";
import { isRoot, needTools } from "./support/tools";

const model = loadStackFile("level1");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (pattern: string, lines: string[]) => lines.filter((l) => matchesFilterPattern(pattern, l)).length;

describe.skipIf(!needTools("npm"))("gateway auth failures in the pinned gateway's own log", () => {
  let oc: OpenclawInstall;
  let gw: GatewayHandle;
  let logFile: string;
  const token = `test-${Buffer.from(Array.from({ length: 24 }, (_, i) => (i * 37 + Date.now()) % 256)).toString("hex")}`;
  const ATTEMPTS = 6;
  const results: Array<number | null> = [];

  beforeAll(async () => {
    oc = await ensureOpenclaw(model.host.openclawVersion);
    const sb = createSandbox("clawkeep-audit-gw-");
    const port = await freePort();
    logFile = path.join(sb.logDir, "openclaw.log");
    const config = renderOpenclawConfig({ ...model, gateway: { port } }, { tokenFile: sb.tokenFile, workspaceDir: sb.workspaceDir, logFile });
    gw = await startGateway({ install: oc, sandbox: sb, config, token, port });
    const url = `ws://127.0.0.1:${port}`;
    // One good call (must not count), then more wrong tokens than the alarm allows in 10 minutes.
    results.push((await runOpenclaw(oc, sb, ["gateway", "call", "health", "--url", url, "--token", token, "--json"])).code);
    for (let i = 0; i < ATTEMPTS; i++) {
      results.push((await runOpenclaw(oc, sb, ["gateway", "call", "health", "--url", url, "--token", `wrong-${i}-${"x".repeat(30)}`, "--json"])).code);
    }
    await sleep(1000);
  }, OPENCLAW_BUDGET_MS.gatewayStart + 7 * OPENCLAW_BUDGET_MS.cliRun);
  afterAll(async () => {
    await gw?.stop();
    gw?.sandbox.cleanup();
  });

  it("counts exactly one line per rejected login, none for the accepted one or for startup", () => {
    expect(results[0]).toBe(0);
    expect(results.slice(1).every((c) => c !== 0)).toBe(true);
    const lines = fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(ATTEMPTS);
    const matched = lines.filter((l) => matchesFilterPattern(GATEWAY_AUTH_FAILURE_PATTERN, l));
    expect(matched).toHaveLength(ATTEMPTS);
    // The first five are token mismatches, the sixth is the lock-out; both are failed logins.
    const reasons = matched.map((l) => /reason=(\w+)/.exec((JSON.parse(l) as { message: string }).message)?.[1]);
    expect(reasons.slice(0, 5)).toEqual(Array(5).fill("token_mismatch"));
    expect(reasons[5]).toBe("rate_limited");
    for (const l of matched) expect(l).not.toContain(token);
  });

  it("breaches the auth alarm (more than 5 in 10 minutes) with these lines", () => {
    const spec = alarmSpecs(DEFAULT_AUDIT_SETTINGS.alarms, model.capabilities.commands).find((a) => a.id === "gateway-auth-failures");
    expect(spec).toMatchObject({ periodSeconds: 600, comparison: "GreaterThanThreshold", threshold: 5 });
    const lines = fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean);
    expect(count(GATEWAY_AUTH_FAILURE_PATTERN, lines)).toBeGreaterThan(spec?.threshold ?? Infinity);
  });
});

/** Squid on a loopback port; the provider host resolves (through its own hosts file) to 127.0.0.1. */
async function startSquid(dir: string, port: number, allowed: string[]): Promise<ChildProcess> {
  const conf = path.join(dir, "squid.conf");
  fs.writeFileSync(path.join(dir, "hosts"), allowed.map((h) => `127.0.0.1 ${h}`).join("\n") + "\n");
  fs.writeFileSync(
    conf,
    [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${dir}/squid.pid`,
      `access_log stdio:${dir}/access.log squid`,
      `cache_log ${dir}/cache.log`,
      "cache_store_log none",
      "cache deny all",
      "cache_mem 8 MB",
      `coredump_dir ${dir}`,
      `hosts_file ${dir}/hosts`,
      // No DNS leaves the machine: anything not in the hosts file fails to resolve locally.
      "dns_nameservers 127.0.0.1",
      "pinger_enable off",
      "shutdown_lifetime 0 seconds",
      ...(isRoot() ? ["cache_effective_user proxy"] : []),
      `acl allowed dstdomain ${allowed.join(" ")}`,
      "acl CONNECT method CONNECT",
      "http_access allow CONNECT allowed",
      "http_access deny all",
      "",
    ].join("\n"),
  );
  if (isRoot()) fs.chmodSync(dir, 0o777);
  const child = spawn("squid", ["-N", "-f", conf], { stdio: "ignore" });
  const cacheLog = path.join(dir, "cache.log");
  const readCacheLog = () => (fs.existsSync(cacheLog) ? fs.readFileSync(cacheLog, "utf8") : "");
  // Ready when squid says so: a probe connection of our own would add a line to the access log.
  for (let i = 0; i < 100; i++) {
    if (readCacheLog().includes("Accepting HTTP Socket connections")) return child;
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`squid did not start on ${port}: ${readCacheLog().slice(-2000)}`);
}

/** CONNECT through the proxy; resolves with squid's status code, closing any tunnel at once. */
function connect(proxyPort: number, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, method: "CONNECT", path: target });
    req.on("connect", (res, socket) => {
      socket.end();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(!needTools("squid"))("egress refusals and model API tunnels in a real squid's access log", () => {
  let dir: string;
  let squid: ChildProcess;
  let target: net.Server;
  let targetPort: number;
  let lines: string[] = [];
  const provider = "api.anthropic.com";

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-squid-"));
    target = net.createServer((s) => s.end());
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", () => r()));
    targetPort = (target.address() as net.AddressInfo).port;
    const port = await freePort();
    squid = await startSquid(dir, port, [provider, "api.github.com"]);
    const codes = [
      await connect(port, "evil.example:443"),
      await connect(port, `${provider}:${targetPort}`),
      await connect(port, `api.github.com:${targetPort}`),
      await connect(port, "169.254.169.254:80"),
    ];
    expect(codes).toEqual([403, 200, 200, 403]);
    const log = path.join(dir, "access.log");
    // Squid writes a tunnel's line when the tunnel closes.
    for (let i = 0; i < 50 && lines.length < 4; i++) {
      await sleep(100);
      lines = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
    }
  });
  afterAll(async () => {
    if (squid && squid.exitCode === null) {
      const exited = new Promise((r) => squid.once("exit", r));
      squid.kill("SIGTERM");
      await Promise.race([exited, sleep(5000).then(() => squid.kill("SIGKILL"))]);
    }
    target?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("counts every refusal, and nothing that was let through", () => {
    expect(lines).toHaveLength(4);
    const denied = lines.filter((l) => matchesFilterPattern(EGRESS_DENIED_PATTERN, l));
    expect(denied.map((l) => l.split(/\s+/)[6])).toEqual(["evil.example:443", "169.254.169.254:80"]);
  });

  it("counts a tunnel to the provider as model API use, and no other tunnel or refusal", () => {
    const pattern = modelApiPattern(provider, targetPort);
    const matched = lines.filter((l) => matchesFilterPattern(pattern, l));
    expect(matched).toHaveLength(1);
    expect(matched[0]).toMatch(/TCP_TUNNEL\/200 \d+ CONNECT api\.anthropic\.com:/);
    expect(count(modelApiPattern(provider, 443), lines)).toBe(0);
  });
});
