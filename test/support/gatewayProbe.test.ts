// The probe against a gateway that is restarting: it sends the challenge, then closes the socket cleanly
// (code 1012, "service restart"), as OpenClaw does while it restarts. Before the fix the probe's calls were
// left pending and Node exited 13 with "unsettled top-level await" and no JSON (seen on the VM after a promotion).
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_PROBE } from "./gatewayProbe";

let server: http.Server;
let connections = 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-probe-"));

beforeAll(async () => {
  server = http.createServer();
  server.on("upgrade", (req, socket) => {
    connections++;
    const accept = crypto.createHash("sha1").update(`${String(req.headers["sec-websocket-key"])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const challenge = Buffer.from(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: Date.now() } }));
    socket.write(Buffer.concat([Buffer.from([0x81, challenge.length]), challenge]));
    // A clean close frame, code 1012 (0x03f4), then the end of the stream.
    setTimeout(() => socket.end(Buffer.from([0x88, 2, 0x03, 0xf4])), 100);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fs.writeFileSync(path.join(dir, "probe.mjs"), GATEWAY_PROBE);
  fs.writeFileSync(path.join(dir, "token"), "test-token\n");
  fs.writeFileSync(path.join(dir, "state.json"), "{}\n");
});

afterAll(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("gateway probe", () => {
  it("retries a connection the gateway closes, then reports it as JSON instead of exiting silently", async () => {
    const port = (server.address() as AddressInfo).port;
    const child = spawn(process.execPath, [path.join(dir, "probe.mjs"), String(port), path.join(dir, "token"), "read", path.join(dir, "state.json")], {
      env: { ...process.env, PROBE_TIMEOUT_MS: "3000" },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, out).toBe(3);
    expect(JSON.parse(out.trim().split("\n").pop() ?? "{}")).toEqual({ errors: [expect.stringMatching(/closed the connection \(code 1012\)/)] });
    expect(connections).toBeGreaterThan(1);
  }, 30_000);
});
