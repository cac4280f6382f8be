// A moto server on a free loopback port for tests that need a real AWS API: started and stopped by
// the test that uses it, never shared between test files.
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

export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
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
