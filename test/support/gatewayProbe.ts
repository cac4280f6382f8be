// Writes known state into a running OpenClaw gateway the way OpenClaw's own clients do, and reads it
// back through the gateway: a workspace file (USER.md) and a memory entry (MEMORY.md) through
// agents.files.set, a session through sessions.create, and an approval: a new operator device asks to
// pair and is approved (device.pair.approve). Plain Node 24 (global WebSocket, ed25519), no OpenClaw
// import: one process, seconds even under TCG, where every `openclaw gateway call` costs minutes.
// The token is read from a file; it never reaches an argv or the environment.

/** What `write` returns and `read` checks. */
export interface KnownState {
  marker: string;
  deviceId: string;
  sessionKey: string;
}

/** What `read` found, field by field. */
export interface StateReadBack {
  userFile: boolean;
  memoryEntry: boolean;
  session: boolean;
  pairedDevice: boolean;
  /** The tool ids tools.effective lists for the session. */
  effectiveTools: string[];
  errors: string[];
}

/**
 * node probe.mjs PORT TOKEN_FILE write MARKER        -> KnownState as JSON
 * node probe.mjs PORT TOKEN_FILE read STATE_JSON_FILE -> StateReadBack as JSON
 * Connects as OpenClaw's own local backend client (client gateway-client, mode backend, shared token,
 * signed device identity): the loopback path OpenClaw keeps for its control plane, no pairing needed.
 */
export const GATEWAY_PROBE = String.raw`import * as crypto from "node:crypto";
import * as fs from "node:fs";
const [port, tokenFile, mode, arg] = process.argv.slice(2);
const token = fs.readFileSync(tokenFile, "utf8").trim();
const deadline = Date.now() + Number(process.env.PROBE_TIMEOUT_MS ?? 600000);

function identity() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "jwk" }).x;
  return { raw, privateKey, id: crypto.createHash("sha256").update(Buffer.from(raw, "base64url")).digest("hex") };
}

// One connection: the signed connect, then each call in turn. Resolves {hello, results} or {retry, error}.
function connect(client, calls) {
  return new Promise((resolve) => {
    const ws = new WebSocket("ws://127.0.0.1:" + port);
    let seq = 0;
    const pending = new Map();
    const send = (method, params) => new Promise((r) => { const id = "p" + ++seq; pending.set(id, r); ws.send(JSON.stringify({ type: "req", id, method, params })); });
    // A gateway that closes the socket (a restart, a reload) or never answers must not leave the calls pending:
    // Node would exit with an unsettled top-level await and print nothing. Both end the attempt; until() retries.
    const timer = setTimeout(() => done({ retry: true, error: { message: "no answer within 120 s" } }), 120000);
    const done = (v) => { clearTimeout(timer); try { ws.close(); } catch {} resolve(v); };
    ws.onerror = (e) => done({ retry: true, error: { message: String(e.message ?? e) } });
    ws.onclose = (e) => done({ retry: true, error: { message: "the gateway closed the connection (code " + e.code + ") before the calls finished" } });
    ws.onmessage = async (ev) => {
      const msg = JSON.parse(String(ev.data));
      if (msg.type === "res" && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); return; }
      if (msg.type !== "event" || msg.event !== "connect.challenge") return;
      const { nonce, ts } = msg.payload;
      const { dev, clientId, mode, scopes } = client;
      const payload = ["v3", dev.id, clientId, mode, "operator", scopes.join(","), String(ts), token, nonce, "linux", ""].join("|");
      const signature = crypto.sign(null, Buffer.from(payload, "utf8"), dev.privateKey).toString("base64url");
      const hello = await send("connect", { minProtocol: 4, maxProtocol: 4, client: { id: clientId, version: "clawkeep-probe", platform: "linux", mode }, role: "operator", scopes, caps: [], auth: { token }, device: { id: dev.id, publicKey: dev.raw, signature, signedAt: ts, nonce } });
      if (!hello.ok) return done({ retry: hello.error?.retryable === true, error: hello.error });
      const results = {};
      for (const [name, method, params] of calls) { const r = await send(method, typeof params === "function" ? params(results) : params); results[name] = r.ok ? r.payload : { error: r.error }; }
      done({ hello, results });
    };
  });
}

async function until(client, calls) {
  for (;;) {
    const r = await connect(client, calls);
    if (!r.retry || Date.now() > deadline) return r;
    await new Promise((s) => setTimeout(s, 2000));
  }
}

const backend = { dev: identity(), clientId: "gateway-client", mode: "backend", scopes: ["operator.admin"] };
if (mode === "write") {
  const marker = arg;
  // An operator device asks to pair (refused until approved), then the gateway's own client approves it.
  const asker = { dev: identity(), clientId: "cli", mode: "cli", scopes: ["operator.read"] };
  const ask = await until(asker, []);
  const requestId = ask.error?.details?.requestId;
  if (!requestId) { console.log(JSON.stringify({ error: "no pairing request: " + JSON.stringify(ask.error ?? ask.hello?.ok) })); process.exit(3); }
  const r = await until(backend, [
    ["approve", "device.pair.approve", { requestId }],
    ["user", "agents.files.set", { agentId: "main", name: "USER.md", content: "# User\n" + marker + "\n" }],
    ["memory", "agents.files.set", { agentId: "main", name: "MEMORY.md", content: "# Memory\n- " + marker + "\n" }],
    ["session", "sessions.create", { agentId: "main", label: marker }],
  ]);
  const failed = Object.entries(r.results ?? {}).filter(([, v]) => v && v.error).map(([k, v]) => k + ": " + JSON.stringify(v.error));
  if (!r.results || failed.length) { console.log(JSON.stringify({ error: failed.join("; ") || JSON.stringify(r.error) })); process.exit(3); }
  console.log(JSON.stringify({ marker, deviceId: asker.dev.id, sessionKey: r.results.session.key }));
} else if (mode === "read") {
  const known = JSON.parse(fs.readFileSync(arg, "utf8"));
  const r = await until(backend, [
    ["user", "agents.files.get", { agentId: "main", name: "USER.md" }],
    ["memory", "agents.files.get", { agentId: "main", name: "MEMORY.md" }],
    ["sessions", "sessions.list", {}],
    ["devices", "device.pair.list", {}],
    ["tools", "tools.effective", { sessionKey: known.sessionKey }],
  ]);
  if (!r.results) { console.log(JSON.stringify({ errors: ["connect: " + JSON.stringify(r.error)] })); process.exit(3); }
  const x = r.results;
  const errors = Object.entries(x).filter(([, v]) => v && v.error).map(([k, v]) => k + ": " + JSON.stringify(v.error));
  console.log(JSON.stringify({
    userFile: (x.user?.file?.content ?? "").includes(known.marker),
    memoryEntry: (x.memory?.file?.content ?? "").includes(known.marker),
    session: (x.sessions?.sessions ?? []).some((s) => s.key === known.sessionKey && s.label === known.marker),
    pairedDevice: (x.devices?.paired ?? []).some((d) => d.deviceId === known.deviceId),
    effectiveTools: (x.tools?.groups ?? []).flatMap((g) => g.tools.map((t) => t.id)).sort(),
    errors,
  }));
} else {
  console.log("usage: probe.mjs PORT TOKEN_FILE write MARKER | read STATE_JSON_FILE");
  process.exit(2);
}
`;

/** The read-back is complete: every item of the known state came back through the gateway. */
export function stateIntact(r: StateReadBack): boolean {
  return r.userFile && r.memoryEntry && r.session && r.pairedDevice && r.errors.length === 0;
}
