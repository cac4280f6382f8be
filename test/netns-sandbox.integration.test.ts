// The gateway's network sandbox, proven in real network namespaces on this machine. The test builds
// a stand-in EC2 host namespace and, linked to it by veths, fake "internet" namespaces: one serves an
// allowlisted name, one a name off the list, one the instance metadata address, one the VPC resolver.
// A private systemd 252 boots in the host namespace with the kit's OWN rendered units and squid config,
// so the gateway's namespace is made by PrivateNetwork= and the egress/ingress socket units exactly as
// on a host. Every address lives only in namespaces this test creates and deletes: none is routed
// from this machine's own namespace, so no packet can leave it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EGRESS_DENIED_PATTERN, modelApiPattern } from "../components/audit/metricFilters";
import { matchesFilterPattern } from "../components/audit/filterPattern";
import { CREDENTIALS_DIR, GATEWAY_UNIT, PATHS, TOKEN_CREDENTIAL, TOKEN_UNIT } from "../components/base/layout";
import { renderGatewayUnit, renderTokenUnit } from "../components/host/systemdUnits";
import { vpcResolver } from "../stacks/cidr";
import {
  EGRESS_ACCESS_LOG,
  EGRESS_SERVICE,
  EGRESS_SOCKET,
  GATEWAY_PROXY_PORT,
  INGRESS_SERVICE,
  INGRESS_SOCKET,
  PROXY_PORT,
  PROXY_SERVICE,
  netsandboxHostFiles,
  parseEgressLogLine,
} from "../components/netsandbox";
import { loadStackFile } from "../stacks/load";
import type { StackModel } from "../stacks/schema";
import { dropIn, fetchTokenStub, nestedManagerUsable, removeTmpDirs, runManager, tmpDir, type ManagerRun } from "./support/nestedSystemd";
import { NODE_BIN, OPENCLAW_BUDGET_MS, ensureOpenclaw } from "./support/openclaw";

const CAN_RUN = nestedManagerUsable("squid", "openssl", "systemctl", "systemd-notify", "npm");

/** Level 1: the provider API plus one listed read-only API (api.github.com), so both kinds of allowlist entry are exercised. */
const STACK = "level1";
const ALLOWED_NAME = "api.anthropic.com";
const LISTED_NAME = "api.github.com";
const DENIED_NAME = "exfil.example.net";
const METADATA = "169.254.169.254";
/** The fake internet: documentation addresses, inside the test's namespaces only. */
const ALLOWED_ADDR = "192.0.2.10";
const DENIED_ADDR = "192.0.2.20";
/** A service on the host's own loopback (stands in for tailscaled's and the SSM agent's local endpoints). */
const HOST_LOOPBACK_PORT = 41112;
const TAILSCALED_SOCKET = "/run/tailscale/tailscaled.sock";
const HOST_ABSTRACT_SOCKET = "clawkeep-test-host-abstract";

function sh(cmd: string, args: string[]): string {
  const res = spawnSync(cmd, args, { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${String(res.status)}: ${res.stderr}`);
  return res.stdout;
}

/** Runs in a fake internet namespace: TLS, plain HTTP and bare TCP listeners, each saying who it is. */
const SERVER = String.raw`
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
const listeners = JSON.parse(process.argv[2]);
const nonce = process.argv[3];
let pending = listeners.length;
const ready = () => { if (--pending === 0) process.stdout.write("ready\n"); };
for (const l of listeners) {
  const answer = (req, res) => { res.setHeader("content-type", "text/plain"); res.end(nonce + " " + l.name + " " + req.method + " " + req.url); };
  const server = l.kind === "tls" ? https.createServer({ cert: fs.readFileSync(l.cert), key: fs.readFileSync(l.key) }, answer)
    : l.kind === "http" ? http.createServer(answer)
    : net.createServer((s) => s.end(nonce + " " + l.name + " tcp\n"));
  server.listen(l.port, l.addr, ready);
}
`;

interface Listener {
  kind: "tls" | "http" | "tcp";
  addr: string;
  port: number;
  name: string;
  cert?: string;
  key?: string;
}

interface OutsideNs {
  ns: string;
  /** The service address, on the namespace's loopback, routed from the host namespace over the veth. */
  addr: string;
  listeners: Listener[];
}

/** The namespaces, veths and servers of one run; destroy() removes all of them. */
interface World {
  host: string;
  nonce: string;
  certFile: string;
  outside: OutsideNs[];
  destroy(): void;
}

async function buildWorld(model: StackModel, dir: string): Promise<World> {
  const id = randomBytes(2).toString("hex");
  const nonce = randomBytes(12).toString("hex");
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  sh("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=clawkeep-test",
    "-addext", `subjectAltName=DNS:${ALLOWED_NAME},DNS:${LISTED_NAME},DNS:${DENIED_NAME}`, "-keyout", keyFile, "-out", certFile,
  ]);
  const tls = (addr: string, name: string): Listener => ({ kind: "tls", addr, port: 443, name, cert: certFile, key: keyFile });
  const resolver = vpcResolver(model.network.vpcCidr);
  const host = `ck${id}-host`;
  const outside: OutsideNs[] = [
    { ns: `ck${id}-allowed`, addr: ALLOWED_ADDR, listeners: [tls(ALLOWED_ADDR, ALLOWED_NAME), { kind: "http", addr: ALLOWED_ADDR, port: 80, name: ALLOWED_NAME }] },
    { ns: `ck${id}-denied`, addr: DENIED_ADDR, listeners: [tls(DENIED_ADDR, DENIED_NAME)] },
    { ns: `ck${id}-imds`, addr: METADATA, listeners: [{ kind: "http", addr: METADATA, port: 80, name: "metadata" }, tls(METADATA, "metadata")] },
    { ns: `ck${id}-vpc`, addr: resolver, listeners: [{ kind: "tcp", addr: resolver, port: 53, name: "vpc-resolver" }] },
  ];
  const servers: ChildProcess[] = [];
  const created: string[] = [];
  const destroy = () => {
    for (const s of servers) s.kill("SIGKILL");
    for (const ns of created.reverse()) spawnSync("ip", ["netns", "del", ns]);
  };
  try {
    for (const ns of [host, ...outside.map((o) => o.ns)]) {
      sh("ip", ["netns", "add", ns]);
      created.push(ns);
      sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
    }
    outside.forEach((o, i) => {
      // The veth pair is created straight inside the two test namespaces: this machine's own namespace never holds either end.
      const [hostEnd, outEnd] = [`ck${id}h${i}`, `ck${id}o${i}`];
      const [hostIp, outIp] = [`10.250.${i}.1`, `10.250.${i}.2`];
      sh("ip", ["link", "add", hostEnd, "netns", host, "type", "veth", "peer", "name", outEnd, "netns", o.ns]);
      sh("ip", ["-n", host, "addr", "add", `${hostIp}/30`, "dev", hostEnd]);
      sh("ip", ["-n", o.ns, "addr", "add", `${outIp}/30`, "dev", outEnd]);
      sh("ip", ["-n", o.ns, "addr", "add", `${o.addr}/32`, "dev", "lo"]);
      sh("ip", ["-n", host, "link", "set", hostEnd, "up"]);
      sh("ip", ["-n", o.ns, "link", "set", outEnd, "up"]);
      sh("ip", ["-n", host, "route", "add", `${o.addr}/32`, "via", outIp]);
      sh("ip", ["-n", o.ns, "route", "add", "default", "via", hostIp]);
    });
    const script = path.join(dir, "server.mjs");
    fs.writeFileSync(script, SERVER);
    await Promise.all(
      outside.map(
        (o) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn("nsenter", [`--net=/run/netns/${o.ns}`, NODE_BIN, script, JSON.stringify(o.listeners), nonce], { stdio: ["ignore", "pipe", "pipe"] });
            servers.push(child);
            let err = "";
            child.stderr.on("data", (d: Buffer) => (err += d.toString()));
            child.stdout.once("data", () => resolve());
            child.once("exit", (code) => reject(new Error(`server in ${o.ns} exited ${String(code)}: ${err}`)));
          }),
      ),
    );
  } catch (e) {
    destroy();
    throw e;
  }
  return { host, nonce, certFile, outside, destroy };
}

/**
 * Runs as the gateway unit's ExecStart, so under exactly the gateway's sandbox and namespace. Every
 * way out it tries is one attempt; the allowlisted name through the proxy must work, nothing else.
 */
const PROBE = String.raw`
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import { spawnSync } from "node:child_process";
const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const attempts = [];
const record = (target, via, outcome, reached) => attempts.push({ target, via, outcome, reached });

const tcp = (opts) => new Promise((resolve) => {
  const s = net.connect({ ...opts, timeout: 3000 });
  let data = "";
  s.on("data", (d) => { data += d; });
  s.once("connect", () => setTimeout(() => { s.destroy(); resolve("connected " + data.trim()); }, 300));
  s.once("timeout", () => { s.destroy(); resolve("timeout"); });
  s.once("error", (e) => resolve(e.code));
});

/** One request through the proxy: a CONNECT (then TLS and GET when it is accepted) or an absolute-URI request. */
const viaProxy = (request, tlsName) => new Promise((resolve) => {
  const s = net.connect({ host: "127.0.0.1", port: input.proxyPort, timeout: 8000 });
  let head = "";
  s.once("error", (e) => resolve({ status: e.code }));
  s.once("timeout", () => { s.destroy(); resolve({ status: "timeout" }); });
  s.once("connect", () => s.write(request));
  const onData = (d) => {
    head += d;
    if (!head.includes("\r\n\r\n")) return;
    s.off("data", onData);
    const status = head.split(" ")[1];
    if (status !== "200" || !tlsName) { s.destroy(); resolve({ status }); return; }
    const t = tls.connect({ socket: s, servername: tlsName, ca: input.ca }, () => t.write("GET /probe HTTP/1.1\r\nHost: " + tlsName + "\r\nConnection: close\r\n\r\n"));
    let body = "";
    t.on("data", (x) => { body += x; });
    t.once("end", () => resolve({ status, body: body.split("\r\n\r\n").slice(1).join("") }));
    t.once("error", (e) => resolve({ status, body: "tls " + e.code }));
  };
  s.on("data", onData);
});
const connectReq = (authority) => "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
const getReq = (url) => "GET " + url + " HTTP/1.1\r\nHost: " + new URL(url).host + "\r\nConnection: close\r\n\r\n";

// The one allowed path.
const allowed = await viaProxy(connectReq(input.allowedName + ":443"), input.allowedName);
const result = { allowed };

// Through the proxy: everything off the allowlist, every port but 443, raw IPs, plain HTTP, and a listed name that resolves inside.
for (const [target, request] of [
  [input.deniedName + ":443", connectReq(input.deniedName + ":443")],
  [input.allowedAddr + ":443 (the allowlisted server by raw IP)", connectReq(input.allowedAddr + ":443")],
  [input.allowedName + ":80 (allowlisted name, not 443)", connectReq(input.allowedName + ":80")],
  [input.metadata + ":80", connectReq(input.metadata + ":80")],
  [input.metadata + ":443", connectReq(input.metadata + ":443")],
  ["http://" + input.metadata + "/latest/meta-data/ (plain HTTP)", getReq("http://" + input.metadata + "/latest/meta-data/")],
  ["http://" + input.allowedName + "/ (plain HTTP to an allowlisted name)", getReq("http://" + input.allowedName + "/")],
  [input.listedName + ":443 (allowlisted, but resolves to the metadata address)", connectReq(input.listedName + ":443")],
  ["localhost:" + input.hostLoopbackPort + " (the host's loopback, via the proxy)", connectReq("localhost:" + input.hostLoopbackPort)],
  ["127.0.0.1:443 (the host's loopback, via the proxy)", connectReq("127.0.0.1:443")],
]) {
  const r = await viaProxy(request, undefined);
  record(target, "proxy", String(r.status), r.status === "200");
}

// Around the proxy: direct connections from the gateway's namespace.
for (const [host, port, what] of [
  [input.allowedAddr, 443, "the allowlisted server, skipping the proxy"],
  [input.deniedAddr, 443, "the non-allowlisted server"],
  [input.metadata, 80, "instance metadata"],
  [input.resolver, 53, "the VPC resolver (TCP)"],
  ["127.0.0.1", input.hostLoopbackPort, "a service on the host's loopback"],
  ["127.0.0.1", input.squidPort, "squid itself, skipping the bridge"],
  ["2001:db8::1", 443, "an IPv6 address"],
]) {
  const outcome = await tcp({ host, port });
  record(host + ":" + port + " (" + what + ")", "direct", outcome, outcome.startsWith("connected"));
}
const udp = await new Promise((resolve) => {
  const s = dgram.createSocket("udp4");
  s.once("error", (e) => { s.close(); resolve(e.code); });
  s.send(Buffer.from("clawkeep"), 53, input.resolver, (e) => { s.close(); resolve(e ? e.code : "sent"); });
});
record(input.resolver + ":53/udp (DNS to the VPC resolver)", "direct", String(udp), udp === "sent");
for (const [path, what] of [[input.tailscaledSocket, "tailscaled's local API socket"], ["\0" + input.hostAbstractSocket, "an abstract UNIX socket of the host"]]) {
  const outcome = await tcp({ path });
  record(what, "unix", outcome, outcome.startsWith("connected"));
}

// Node's own HTTP stack with the unit's proxy environment: fetch() through HTTPS_PROXY, as the gateway's clients do.
const fetchIn = (url) => {
  const r = spawnSync(process.execPath, ["-e", "fetch(process.argv[1]).then(async (r) => console.log(r.status + ' ' + (await r.text())), (e) => console.log('error ' + (e.cause?.message ?? e.message)))", url],
    { encoding: "utf8", env: { ...process.env, NODE_EXTRA_CA_CERTS: input.caFile }, timeout: 20000 });
  return (r.stdout || r.stderr || String(r.error)).trim();
};
result.fetchAllowed = fetchIn("https://" + input.allowedName + "/fetch");
const fetchDenied = fetchIn("https://" + input.deniedName + "/fetch");
record("https://" + input.deniedName + "/ (fetch with the unit's proxy environment)", "fetch", fetchDenied, fetchDenied.startsWith("200"));
result.attempts = attempts;
result.env = { HTTPS_PROXY: process.env.HTTPS_PROXY, NODE_USE_ENV_PROXY: process.env.NODE_USE_ENV_PROXY, OPENCLAW_PROXY_URL: process.env.OPENCLAW_PROXY_URL };
process.stdout.write(JSON.stringify(result) + "\n");
`;

/** Stand-ins for the host's local services, in the host namespace: a loopback TCP port, tailscaled's socket, an abstract socket. */
const HOST_SERVICES = String.raw`
import * as fs from "node:fs";
import * as net from "node:net";
import { spawnSync } from "node:child_process";
const [port, socketPath, abstract] = process.argv.slice(2);
const serve = () => net.createServer((s) => s.end("host service\n"));
fs.mkdirSync(socketPath.slice(0, socketPath.lastIndexOf("/")), { recursive: true });
let pending = 3;
const ready = () => { if (--pending === 0) spawnSync("systemd-notify", ["--ready"]); };
serve().listen(Number(port), "127.0.0.1", ready);
serve().listen(socketPath, () => { fs.chmodSync(socketPath, 0o666); ready(); });
serve().listen("\0" + abstract, ready);
`;

const UNIT_DIR = "/etc/systemd/system/";
const SQUID_LOG_DIR = path.dirname(EGRESS_ACCESS_LOG);

/** The kit's rendered units and squid config for `model`, split into unit files and other host files. */
function kitFiles(model: StackModel): { units: Record<string, string>; files: Record<string, { content: string; mode: number }> } {
  const units: Record<string, string> = { [GATEWAY_UNIT]: renderGatewayUnit(model), [TOKEN_UNIT]: renderTokenUnit(model) };
  const files: Record<string, { content: string; mode: number }> = {};
  for (const f of netsandboxHostFiles(model)) {
    if (f.path.startsWith(UNIT_DIR)) units[f.path.slice(UNIT_DIR.length)] = f.content;
    else files[f.path] = { content: f.content, mode: parseInt(f.mode, 8) };
  }
  return { units, files };
}

/** Boot the host namespace's private systemd with the kit's units, plus harness drop-ins that only wire them into the test. */
function bootHost(world: World, model: StackModel, opts: { main: string; units: Record<string, string>; scripts: Record<string, string>; config?: string; modules?: string; timeoutMs: number }): ManagerRun {
  const kit = kitFiles(model);
  const quiet = dropIn(["DefaultDependencies=no"], []);
  const units: Record<string, string> = {
    ...kit.units,
    // Units that on a host hang off sockets.target and multi-user.target; here nothing else starts them.
    ...Object.fromEntries([PROXY_SERVICE, EGRESS_SOCKET, EGRESS_SERVICE, INGRESS_SOCKET, INGRESS_SERVICE, "dbus.socket", "dbus.service"].map((u) => [`${u}.d/harness.conf`, quiet])),
    [`${TOKEN_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no", "FailureAction=exit"], ["StandardOutput=truncate:/run/harness/token.out"]),
    ...opts.units,
  };
  const hosts = ["127.0.0.1 localhost", `${ALLOWED_ADDR} ${ALLOWED_NAME}`, `${DENIED_ADDR} ${DENIED_NAME}`, `${METADATA} ${LISTED_NAME}`, ""].join("\n");
  return runManager({
    netns: world.host,
    units,
    scripts: opts.scripts,
    config: opts.config ?? "{}\n",
    fetchToken: fetchTokenStub(randomBytes(24).toString("hex")),
    main: opts.main,
    modules: opts.modules,
    timeoutMs: opts.timeoutMs,
    files: {
      ...kit.files,
      // squid resolves names from its hosts_file first: the allowlisted name points into the fake internet.
      "/etc/hosts": { content: hosts, mode: 0o644 },
      "/etc/resolv.conf": { content: `nameserver ${vpcResolver(model.network.vpcCidr)}\n`, mode: 0o644 },
    },
    // The squid package's log directory, bind-mounted to the test's output so the access log outlives the manager.
    setup: [`install -d -o proxy -g proxy -m 0750 /run/harness/squid ${SQUID_LOG_DIR}`, `mount --bind /run/harness/squid ${SQUID_LOG_DIR}`].join("\n"),
  });
}

interface Attempt {
  target: string;
  via: string;
  outcome: string;
  reached: boolean;
}
interface ProbeOutput {
  allowed: { status: string; body?: string };
  fetchAllowed: string;
  attempts: Attempt[];
  env: Record<string, string>;
}

describe.skipIf(!CAN_RUN)("the gateway's network sandbox in real namespaces", () => {
  const model = loadStackFile(STACK);
  let dir: string;
  let world: World | undefined;

  beforeAll(async () => {
    dir = tmpDir("clawkeep-netns-");
    world = await buildWorld(model, dir);
  });
  afterAll(() => {
    world?.destroy();
    removeTmpDirs();
  });

  /** The probe as the gateway unit's ExecStart; `extra` goes into a last drop-in that changes the sandbox on purpose. */
  function probe(extra: string[] = []): { r: ProbeOutput; run: ManagerRun; accessLog: string } {
    const w = world as World;
    const input = {
      proxyPort: GATEWAY_PROXY_PORT,
      squidPort: PROXY_PORT,
      allowedName: ALLOWED_NAME,
      listedName: LISTED_NAME,
      deniedName: DENIED_NAME,
      allowedAddr: ALLOWED_ADDR,
      deniedAddr: DENIED_ADDR,
      metadata: METADATA,
      resolver: vpcResolver(model.network.vpcCidr),
      hostLoopbackPort: HOST_LOOPBACK_PORT,
      tailscaledSocket: TAILSCALED_SOCKET,
      hostAbstractSocket: HOST_ABSTRACT_SOCKET,
      ca: fs.readFileSync(w.certFile, "utf8"),
      caFile: `${PATHS.openclawDir}/test-ca.pem`,
    };
    const run = bootHost(w, model, {
      main: GATEWAY_UNIT,
      scripts: { "probe.mjs": PROBE, "host-services.mjs": HOST_SERVICES, "probe-input.json": JSON.stringify(input), "test-ca.pem": input.ca },
      units: {
        "host-services.service": dropIn(
          ["DefaultDependencies=no"],
          ["Type=notify", "NotifyAccess=all", `ExecStart=${PATHS.nodeBin} ${PATHS.openclawDir}/host-services.mjs ${HOST_LOOPBACK_PORT} ${TAILSCALED_SOCKET} ${HOST_ABSTRACT_SOCKET}`],
        ),
        [`${GATEWAY_UNIT}.d/harness.conf`]: dropIn(
          ["DefaultDependencies=no", "SuccessAction=exit", "FailureAction=exit", "Wants=host-services.service", "After=host-services.service"],
          [
            // The probe replaces the gateway process, so OpenClaw's approvals step goes with it.
            "ExecStartPre=",
            "ExecStart=",
            `ExecStart=${PATHS.nodeBin} ${PATHS.openclawDir}/probe.mjs ${PATHS.openclawDir}/probe-input.json`,
            "Restart=no",
            "StandardOutput=truncate:/run/harness/probe.out",
            "StandardError=truncate:/run/harness/probe.err",
          ],
        ),
        ...(extra.length > 0 ? { [`${GATEWAY_UNIT}.d/zz-changed.conf`]: `[Service]\n${extra.join("\n")}\n` } : {}),
      },
      timeoutMs: 120_000,
    });
    const out = run.read("probe.out").trim();
    if (!out) throw new Error(`the probe printed nothing (manager exit ${String(run.status)}):\n${run.read("probe.err")}\n${run.read("squid/cache.log").slice(-3000)}`);
    return { r: JSON.parse(out) as ProbeOutput, run, accessLog: run.read("squid/access.log") };
  }

  it("lets the gateway reach the allowlisted name through the proxy, and nothing else; squid logs every refusal with its domain", () => {
    const w = world as World;
    const { r, run, accessLog } = probe();
    const blocked = r.attempts.filter((a) => !a.reached);
    console.log(`netns sandbox (${STACK}, ${run.ms} ms): allowed ${ALLOWED_NAME}:443 via the proxy -> ${r.allowed.status} "${r.allowed.body ?? ""}"; fetch() with the unit's env -> ${r.fetchAllowed}`);
    for (const a of r.attempts) console.log(`  ${a.reached ? "REACHED" : "blocked"}  [${a.via}] ${a.target}: ${a.outcome}`);
    console.log(`escape attempts: ${r.attempts.length} tried, ${blocked.length} blocked`);

    // The allowlisted name works end to end: CONNECT, TLS with the name's certificate, the fake server's answer.
    expect(r.allowed.status).toBe("200");
    expect(r.allowed.body).toBe(`${w.nonce} ${ALLOWED_NAME} GET /probe`);
    expect(r.fetchAllowed).toBe(`200 ${w.nonce} ${ALLOWED_NAME} GET /fetch`);
    expect(r.env.OPENCLAW_PROXY_URL).toBe(`http://127.0.0.1:${GATEWAY_PROXY_PORT}`);
    // Every escape attempt is blocked; the proxy answers its refusals with 403, the namespace has no route at all.
    expect(r.attempts.length).toBeGreaterThanOrEqual(20);
    expect(r.attempts.filter((a) => a.reached)).toEqual([]);
    for (const a of r.attempts.filter((x) => x.via === "proxy")) expect(a.outcome, a.target).toBe("403");
    for (const a of r.attempts.filter((x) => x.via === "direct")) expect(["ENETUNREACH", "ECONNREFUSED", "EHOSTUNREACH", "EPERM"], a.target).toContain(a.outcome);

    // squid's log: the tunnel and each refusal, with the domain, in the fields the CloudWatch filters read.
    const lines = accessLog.split("\n").filter(Boolean).map((l) => ({ raw: l, f: parseEgressLogLine(l) }));
    for (const l of lines) expect(l.f, l.raw).toBeDefined();
    const denied = lines.filter((l) => l.f?.status.startsWith("TCP_DENIED/"));
    const tunnels = lines.filter((l) => l.f?.status === "TCP_TUNNEL/200");
    expect(denied.length).toBe(r.attempts.filter((a) => a.via === "proxy" || a.via === "fetch").length);
    for (const domain of [DENIED_NAME, ALLOWED_ADDR, METADATA, LISTED_NAME, "localhost"]) expect(denied.map((l) => l.f?.domain), domain).toContain(domain);
    expect(tunnels.map((l) => l.f?.domain)).toEqual([ALLOWED_NAME, ALLOWED_NAME]);
    for (const l of denied) expect(matchesFilterPattern(EGRESS_DENIED_PATTERN, l.raw), l.raw).toBe(true);
    for (const l of tunnels) expect(matchesFilterPattern(modelApiPattern(ALLOWED_NAME), l.raw), l.raw).toBe(true);
    for (const l of tunnels) expect(matchesFilterPattern(EGRESS_DENIED_PATTERN, l.raw), l.raw).toBe(false);
    console.log(`squid access log: ${lines.length} lines, ${denied.length} TCP_DENIED, ${tunnels.length} TCP_TUNNEL; e.g. ${denied[0]?.raw}`);
  });

  it("the same probe escapes once the namespace is taken away, so the blocks above come from the unit", () => {
    const { r } = probe(["PrivateNetwork=no", "IPAddressDeny=", "IPAddressAllow=", "InaccessiblePaths="]);
    const reached = r.attempts.filter((a) => a.reached).map((a) => a.target);
    console.log(`without PrivateNetwork=/IPAddressDeny=/InaccessiblePaths=: ${reached.length} of ${r.attempts.length} attempts reach their target: ${reached.join("; ")}`);
    for (const target of [`${ALLOWED_ADDR}:443`, `${DENIED_ADDR}:443`, `${METADATA}:80`, `127.0.0.1:${HOST_LOOPBACK_PORT}`, "tailscaled's local API socket", "an abstract UNIX socket of the host"]) {
      expect(reached.some((t) => t.startsWith(target)), target).toBe(true);
    }
    // squid's policy does not depend on the unit: through the proxy everything off the list is still refused.
    expect(r.attempts.filter((a) => a.via === "proxy" && a.reached)).toEqual([]);
  });

  // The gateway starts in its namespace, then again after a restart, under the private manager.
  describe("the real OpenClaw gateway", { timeout: 2 * OPENCLAW_BUDGET_MS.gatewayStart + 30_000 }, () => {
    let modules = "";
    beforeAll(async () => {
      modules = path.join((await ensureOpenclaw(model.host.openclawVersion)).dir, "node_modules");
    });

    /** Runs as root in the host namespace: the path `tailscale serve` takes, the namespaces, and a restart. */
    const CHECK = String.raw`
import * as fs from "node:fs";
import { execFileSync } from "node:child_process";
const [port, gatewayUnit, ingressUnit, egressPort] = process.argv.slice(2);
const base = "http://127.0.0.1:" + port;
const out = {};
const health = async () => {
  const started = Date.now();
  let last = "";
  while (Date.now() - started < 150000) {
    try { const r = await fetch(base + "/healthz"); last = r.status + " " + (await r.text()); if (r.status === 200) break; } catch (e) { last = String(e.cause?.code ?? e); }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { health: last, ms: Date.now() - started };
};
const show = (unit) => execFileSync("systemctl", ["show", "-p", "MainPID", "--value", unit], { encoding: "utf8" }).trim();
const netns = (pid) => fs.readlinkSync("/proc/" + pid + "/ns/net");
const inside = (pid, ...cmd) => execFileSync("nsenter", ["--net=/proc/" + pid + "/ns/net", ...cmd], { encoding: "utf8" }).trim();
out.first = await health();
const r = await fetch(base + "/tools/invoke", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tool: "session_status", args: {} }) });
out.invokeWithoutToken = r.status;
const gw = show(gatewayUnit);
out.gatewayNetns = netns(gw);
out.hostNetns = netns("self");
out.ingressNetns = netns(show(ingressUnit));
// What the shared runtime must carry besides the network: the gateway's own IPC namespace and a private /tmp (the topmost mount).
out.ipcPrivate = fs.readlinkSync("/proc/" + gw + "/ns/ipc") !== fs.readlinkSync("/proc/self/ns/ipc");
out.tmpMount = fs.readFileSync("/proc/" + gw + "/mountinfo", "utf8").split("\n").map((l) => l.split(" ")).filter((f) => f[4] === "/tmp").map((f) => f[3] + " " + f[5]).pop();
out.links = inside(gw, "ip", "-o", "link").split("\n").map((l) => l.split(": ")[1]);
out.listeners = inside(gw, "ss", "-Hltn").split("\n").map((l) => l.trim().split(/\s+/)[3]).sort();
execFileSync("systemctl", ["restart", gatewayUnit]);
out.afterRestart = await health();
const gw2 = show(gatewayUnit);
out.restartedNetns = netns(gw2);
out.restartedListeners = inside(gw2, "ss", "-Hltn").split("\n").map((l) => l.trim().split(/\s+/)[3]).sort();
out.egressPort = egressPort;
console.log(JSON.stringify(out));
`;

    it("starts inside the namespace, answers /healthz through the ingress bridge, and keeps its namespace across a restart", () => {
      const w = world as World;
      const port = model.gateway.port;
      const config = {
        gateway: { mode: "local", port, bind: "loopback", auth: { mode: "token", token: { source: "file", provider: "gatewaytoken", id: "value" } } },
        secrets: { providers: { gatewaytoken: { source: "file", path: `${CREDENTIALS_DIR}/${TOKEN_CREDENTIAL}`, mode: "singleValue" } } },
        update: { checkOnStart: false },
        browser: { enabled: false },
        discovery: { mdns: { mode: "off" } },
      };
      const run = bootHost(w, model, {
        main: "gateway-check.service",
        modules,
        config: `${JSON.stringify(config, null, 2)}\n`,
        scripts: { "check.mjs": CHECK },
        units: {
          [`${GATEWAY_UNIT}.d/harness.conf`]: dropIn(
            ["DefaultDependencies=no", "Wants=dbus.socket", "After=dbus.socket dbus.service"],
            ["StandardOutput=append:/run/harness/gateway.log", "StandardError=append:/run/harness/gateway.log"],
          ),
          "gateway-check.service": dropIn(
            ["DefaultDependencies=no", `Wants=${GATEWAY_UNIT}`, `After=${GATEWAY_UNIT}`, "SuccessAction=exit", "FailureAction=exit"],
            [
              "Type=oneshot",
              "TimeoutStartSec=400",
              `ExecStart=${PATHS.nodeBin} ${PATHS.openclawDir}/check.mjs ${port} ${GATEWAY_UNIT} ${INGRESS_SERVICE} ${GATEWAY_PROXY_PORT}`,
              "StandardOutput=truncate:/run/harness/check.out",
              "StandardError=truncate:/run/harness/check.err",
            ],
          ),
        },
        timeoutMs: 420_000,
      });
      const log = run.read("gateway.log");
      const out = run.read("check.out").trim();
      if (!out) throw new Error(`the check printed nothing (manager exit ${String(run.status)}):\n${run.read("check.err")}\n${log.slice(-4000)}`);
      const c = JSON.parse(out) as {
        first: { health: string; ms: number };
        afterRestart: { health: string; ms: number };
        invokeWithoutToken: number;
        gatewayNetns: string;
        hostNetns: string;
        ingressNetns: string;
        restartedNetns: string;
        links: string[];
        listeners: string[];
        restartedListeners: string[];
        ipcPrivate: boolean;
        tmpMount: string;
      };
      console.log(
        `real openclaw gateway in its namespace (${STACK}): /healthz via the ingress bridge ${c.first.health} after ${c.first.ms} ms, ` +
          `again ${c.afterRestart.health} ${c.afterRestart.ms} ms after a restart; unauthenticated /tools/invoke ${c.invokeWithoutToken}; ` +
          `links in its namespace ${JSON.stringify(c.links)}, listeners ${JSON.stringify(c.listeners)}, /tmp from ${c.tmpMount}`,
      );
      expect(c.first.health, log.slice(-4000)).toMatch(/^200 .*"status":"live"/);
      expect(c.afterRestart.health, log.slice(-4000)).toMatch(/^200 .*"status":"live"/);
      expect(c.invokeWithoutToken).toBe(401);
      // Its own namespace, holding only loopback, shared by the ingress bridge; the egress listener and its own port inside.
      expect(c.gatewayNetns).not.toBe(c.hostNetns);
      expect(c.ingressNetns).toBe(c.gatewayNetns);
      expect(c.links).toEqual(["lo"]);
      expect(c.ipcPrivate).toBe(true);
      expect(c.tmpMount).toMatch(/^\/systemd-private-\S+\/tmp rw,/);
      expect(c.listeners).toEqual([`127.0.0.1:${port}`, `127.0.0.1:${GATEWAY_PROXY_PORT}`, `[::1]:${port}`].sort());
      // A restart (token rotation restarts it) rejoins the same namespace, where the egress listener still is.
      expect(c.restartedNetns).toBe(c.gatewayNetns);
      expect(c.restartedListeners).toEqual(c.listeners);
      expect(log).not.toMatch(/ENOSYS|EROFS|Operation not permitted/);
    });
  });
});
