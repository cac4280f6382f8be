// A moto server on a free loopback port for tests that need a real AWS API. In the integration tier
// each vitest worker has one (started by test/support/integrationGlobalSetup.ts) that every test file
// in it gets reset to moto's initial state; elsewhere (the bench, the VM run) each caller starts its own.
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";

export interface MotoServer {
  readonly endpoint: string;
  /** Environment for code that builds its own SDK clients (the Lambda handler reads these). */
  readonly env: Readonly<Record<string, string>>;
  /** Config for SDK v3 clients created in the test itself. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Change moto's own settings (POST /moto-api/config), e.g. `{ lambda: { use_docker: false } }`. */
  configure(config: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** The integration tier's per-worker moto servers: endpoints in VITEST_POOL_ID order, and a fresh server's settings. */
export const SHARED_MOTO_ENV = { endpoints: "CLAWKEEP_MOTO_ENDPOINTS", settings: "CLAWKEEP_MOTO_SETTINGS" } as const;

export const MOTO_REGION = "us-east-1";
/** moto's fixed account id. */
export const MOTO_ACCOUNT = "123456789012";
const FAKE_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/config`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server not ready at ${endpoint} after ${timeoutMs} ms: ${stderr()}`);
}

function handle(endpoint: string, stop: () => Promise<void>): MotoServer {
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    clientConfig: { endpoint, region: MOTO_REGION, credentials: { ...FAKE_CREDENTIALS } },
    async configure(config) {
      const res = await fetch(`${endpoint}/moto-api/config`, { method: "POST", body: JSON.stringify(config) });
      if (!res.ok) throw new Error(`moto config failed: HTTP ${res.status}`);
    },
    stop,
  };
}

/** moto's own settings as a fresh server has them (GET /moto-api/config), put back on every reset. */
export async function motoSettings(endpoint: string): Promise<string> {
  const res = await fetch(`${endpoint}/moto-api/config`);
  if (!res.ok) throw new Error(`moto config at ${endpoint}: HTTP ${res.status}`);
  return res.text();
}

/**
 * Back to a fresh server's state: no resources in any account or region (POST /moto-api/reset), IAM
 * enforcement off again (audit-iam turns it on), and moto's settings as `settings` (motoSettings()).
 */
export async function resetMoto(endpoint: string, settings: string): Promise<void> {
  const post = async (api: string, body: string) => {
    const res = await fetch(`${endpoint}/moto-api/${api}`, { method: "POST", body });
    if (!res.ok) throw new Error(`moto ${api} at ${endpoint} failed: HTTP ${res.status} ${await res.text()}`);
  };
  await post("reset", "");
  // moto counts unauthenticated actions against INITIAL_NO_AUTH_ACTION_COUNT; its default is infinity.
  await post("reset-auth", "inf");
  await post("config", settings);
}

/**
 * The moto server for this test file: the worker's shared one, reset (its stop() leaves it running), or,
 * outside the integration tier, a new server of the caller's own.
 */
export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
  const shared = (process.env[SHARED_MOTO_ENV.endpoints] ?? "").split(",").filter(Boolean);
  const endpoint = shared[Number(process.env.VITEST_POOL_ID ?? 0) - 1];
  const settings = process.env[SHARED_MOTO_ENV.settings];
  if (endpoint && settings) {
    await resetMoto(endpoint, settings);
    return handle(endpoint, async () => {});
  }
  return spawnMoto(timeoutMs);
}

/** A new moto_server process on a free loopback port; stop() ends it. */
export async function spawnMoto(timeoutMs = 30_000): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  // A test process that dies must not leave moto running.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const forced = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(forced);
  };

  try {
    await waitUntilReady(endpoint, child, () => stderrTail, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }

  return handle(endpoint, stop);
}
