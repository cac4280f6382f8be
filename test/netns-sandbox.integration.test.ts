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
import { EGRESS_DENIED_PATTERN, EGRESS_SNI_REFUSED_PATTERN, EGRESS_UNCHECKED_PATTERN, modelApiPattern } from "../components/audit/metricFilters";
import { matchesFilterPattern } from "../components/audit/filterPattern";
import { CREDENTIALS_DIR, GATEWAY_UNIT, PATHS, STATE_VOLUME_UNIT, TOKEN_CREDENTIAL, TOKEN_UNIT } from "../components/base/layout";
import { renderGatewayUnit, renderTokenUnit } from "../components/host/systemdUnits";
import { vpcResolver } from "../stacks/cidr";
import {
  EGRESS_ACCESS_LOG,
  EGRESS_SERVICE,
  EGRESS_SOCKET,
  EGRESS_TLS_UNIT,
  GATEWAY_PROXY_PORT,
  INGRESS_SERVICE,
  INGRESS_SOCKET,
  PROXY_PORT,
  PROXY_SERVICE,
  SELFCHECK_SNI,
  SELFCHECK_SOURCE,
  SQUID_TMPFILES_PATH,
  netsandboxHostFiles,
  parseEgressLogLine,
  renderSquidConf,
  squidDomains,
} from "../components/netsandbox";
import { loadStackFile } from "../stacks/load";
import type { StackModel } from "../stacks/schema";
import { STATE_VOLUME_STAND_IN, dropIn, fetchTokenStub, nestedManagerUsable, removeTmpDirs, runManager, tmpDir, type ManagerRun } from "./support/nestedSystemd";
import { NODE_BIN, OPENCLAW_BUDGET_MS, ensureOpenclaw } from "./support/openclaw";
import { CHECKS, parseFields, type CheckContext } from "./vm/checks";

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
  // The TLS server name it was asked for: what a shared front end would route on.
  const answer = (req, res) => { res.setHeader("content-type", "text/plain"); res.end(nonce + " " + l.name + " " + req.method + " " + req.url + (l.kind === "tls" ? " sni=" + (req.socket.servername || "-") : "")); };
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

/**
 * One request through the proxy: a CONNECT, then (when squid answers 200) a TLS handshake with the given
 * server name (null: none) and a GET; or an absolute-URI request. squid answers 200 to every CONNECT on its
 * ssl-bump port: a refused one then gets squid's own certificate, a cut one a closed connection.
 */
const viaProxy = (request, tlsName) => new Promise((resolve) => {
  const s = net.connect({ host: "127.0.0.1", port: input.proxyPort, timeout: input.proxyTimeoutMs });
  let head = "";
  s.once("error", (e) => resolve({ status: e.code, outcome: e.code }));
  s.once("timeout", () => { s.destroy(); resolve({ status: "timeout", outcome: "timeout" }); });
  s.once("connect", () => s.write(request));
  const onData = (d) => {
    head += d;
    if (!head.includes("\r\n\r\n")) return;
    s.off("data", onData);
    const status = head.split(" ")[1];
    if (status !== "200" || tlsName === undefined) { s.destroy(); resolve({ status, outcome: status }); return; }
    if (tlsName === "plain http") {
      // Not TLS at all inside the tunnel.
      s.write("GET /probe HTTP/1.1\r\nHost: " + input.allowedName + "\r\nConnection: close\r\n\r\n");
      let body = "";
      s.on("data", (x) => { body += x; });
      s.once("close", () => resolve({ status, body, outcome: body.includes(input.nonce) ? "far end answered" : "cut (" + (body.split("\r\n")[0] || "closed") + ")" }));
      return;
    }
    // Without a server name the certificate is checked for the name the CONNECT asked for.
    const identity = tlsName === null ? { checkServerIdentity: (_h, cert) => tls.checkServerIdentity(input.allowedName, cert) } : { servername: tlsName };
    const t = tls.connect({ socket: s, host: "127.0.0.1", ...identity, ca: input.ca, rejectUnauthorized: false });
    t.once("secureConnect", () => {
      const cn = t.getPeerCertificate()?.subject?.CN ?? "";
      if (!t.authorized) { t.destroy(); resolve({ status, outcome: cn.startsWith("clawkeep egress proxy") ? "refused (squid's certificate)" : "untrusted certificate " + cn }); return; }
      t.write("GET /probe HTTP/1.1\r\nHost: " + (tlsName ?? input.allowedName) + "\r\nConnection: close\r\n\r\n");
      let body = "";
      t.on("data", (x) => { body += x; });
      t.once("end", () => { body = body.split("\r\n\r\n").slice(1).join(""); resolve({ status, body, outcome: body.includes(input.nonce) ? "far end answered: " + body.replace(input.nonce + " ", "") : "no answer" }); });
    });
    t.once("error", (e) => resolve({ status, outcome: "cut (" + e.code + ")" }));
  };
  s.on("data", onData);
});
const connectReq = (authority) => "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
const getReq = (url) => "GET " + url + " HTTP/1.1\r\nHost: " + new URL(url).host + "\r\nConnection: close\r\n\r\n";
const hostOf = (authority) => authority.slice(0, authority.lastIndexOf(":"));

// The one allowed path.
const allowed = await viaProxy(connectReq(input.allowedName + ":443"), input.allowedName);
const result = { allowed };

// Through the proxy: everything off the allowlist, every port but 443, raw IPs, plain HTTP, a listed name that
// resolves inside, and an allowlisted CONNECT carrying another TLS server name (or none, or no TLS at all).
// [target, CONNECT authority or absolute URL, server name: the CONNECT host unless given, null for none]
for (const [target, dest, sni] of [
  [input.deniedName + ":443", input.deniedName + ":443"],
  [input.allowedAddr + ":443 (the allowlisted server by raw IP)", input.allowedAddr + ":443", input.allowedName],
  [input.allowedName + ":80 (allowlisted name, not 443)", input.allowedName + ":80"],
  [input.allowedName + ":8443 (allowlisted name, not 443)", input.allowedName + ":8443"],
  [input.metadata + ":80", input.metadata + ":80"],
  [input.metadata + ":443", input.metadata + ":443"],
  ["http://" + input.metadata + "/latest/meta-data/ (plain HTTP)", "http://" + input.metadata + "/latest/meta-data/"],
  ["http://" + input.allowedName + "/ (plain HTTP to an allowlisted name)", "http://" + input.allowedName + "/"],
  [input.listedName + ":443 (allowlisted, but resolves to the metadata address)", input.listedName + ":443"],
  ["localhost:" + input.hostLoopbackPort + " (the host's loopback, via the proxy)", "localhost:" + input.hostLoopbackPort],
  ["127.0.0.1:443 (the host's loopback, via the proxy)", "127.0.0.1:443"],
  [input.allowedName + ":443 with server name " + input.deniedName + " (a name off the list)", input.allowedName + ":443", input.deniedName],
  [input.allowedName + ":443 with server name " + input.listedName + " (another allowlisted name)", input.allowedName + ":443", input.listedName],
  [input.allowedName + ":443 with no server name", input.allowedName + ":443", null],
  [input.allowedName + ":443 with server name " + input.allowedName + ". (trailing dot)", input.allowedName + ":443", input.allowedName + "."],
  [input.allowedName + ":443 carrying plain HTTP, not TLS", input.allowedName + ":443", "plain http"],
]) {
  const r = dest.startsWith("http://") ? await viaProxy(getReq(dest), undefined) : await viaProxy(connectReq(dest), sni === undefined ? hostOf(dest) : sni);
  record(target, "proxy", r.outcome, r.outcome.startsWith("far end answered"));
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
    { encoding: "utf8", env: { ...process.env, NODE_EXTRA_CA_CERTS: input.caFile }, timeout: input.proxyTimeoutMs + 12000 });
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
/** A deliberately broken squid config some cases run instead of the kit's. */
const NO_CERT_CONF = "/etc/squid/clawkeep-egress-nocert.conf";
const SQUID_LOG_DIR = path.dirname(EGRESS_ACCESS_LOG);

/** The kit's rendered units and squid config for `model`, split into unit files and other host files. */
function kitFiles(model: StackModel): { units: Record<string, string>; files: Record<string, { content: string; mode: number }> } {
  const units: Record<string, string> = { [GATEWAY_UNIT]: renderGatewayUnit(model), [TOKEN_UNIT]: renderTokenUnit(model), [STATE_VOLUME_UNIT]: STATE_VOLUME_STAND_IN };
  const files: Record<string, { content: string; mode: number }> = {};
  for (const f of netsandboxHostFiles(model)) {
    if (f.path.startsWith(UNIT_DIR)) units[f.path.slice(UNIT_DIR.length)] = f.content;
    else files[f.path] = { content: f.content, mode: parseInt(f.mode, 8) };
  }
  return { units, files };
}

/** Boot the host namespace's private systemd with the kit's units, plus harness drop-ins that only wire them into the test. */
function bootHost(
  world: World,
  model: StackModel,
  opts: { main: string; units: Record<string, string>; scripts: Record<string, string>; config?: string; modules?: string; timeoutMs: number; files?: Record<string, { content: string; mode: number }> },
): ManagerRun {
  const kit = kitFiles(model);
  const quiet = dropIn(["DefaultDependencies=no"], []);
  const units: Record<string, string> = {
    ...kit.units,
    // Units that on a host hang off sockets.target and multi-user.target; here nothing else starts them.
    // The TLS oneshot's and squid's own output, and the self-check's verdict, for the test to read.
    [`${EGRESS_TLS_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no"], ["StandardOutput=append:/run/harness/squid.out", "StandardError=append:/run/harness/squid.out"]),
    ...Object.fromEntries([EGRESS_SOCKET, EGRESS_SERVICE, INGRESS_SOCKET, INGRESS_SERVICE, "dbus.socket", "dbus.service"].map((u) => [`${u}.d/harness.conf`, quiet])),
    [`${PROXY_SERVICE}.d/harness.conf`]: dropIn(["DefaultDependencies=no"], ["StandardOutput=append:/run/harness/squid.out", "StandardError=append:/run/harness/squid.out"]),
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
      ...opts.files,
      // squid resolves names from its hosts_file first: the allowlisted name points into the fake internet.
      "/etc/hosts": { content: hosts, mode: 0o644 },
      "/etc/resolv.conf": { content: `nameserver ${vpcResolver(model.network.vpcCidr)}\n`, mode: 0o644 },
    },
    // The squid package's log directory, bind-mounted to the test's output so the access log outlives the manager.
    // The kit's tmpfiles line (Debian's logrotate finds squid's pid through it), applied by the real tool as at boot.
    setup: [`install -d -o proxy -g proxy -m 0750 /run/harness/squid ${SQUID_LOG_DIR}`, `mount --bind /run/harness/squid ${SQUID_LOG_DIR}`, `systemd-tmpfiles --create ${SQUID_TMPFILES_PATH}`].join("\n"),
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
  /**
   * The probe as the gateway unit's ExecStart. `gateway` and `squid` lines go into a last drop-in of each
   * unit that changes its sandbox or its start on purpose; `files` lands on the host beside the kit's.
   */
  function probe(
    change: { gateway?: string[]; squid?: string[]; files?: Record<string, { content: string; mode: number }>; proxyTimeoutMs?: number } = {},
  ): { r: ProbeOutput; run: ManagerRun; accessLog: string } {
    const w = world as World;
    const input = {
      nonce: w.nonce,
      proxyTimeoutMs: change.proxyTimeoutMs ?? 8000,
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
        ...(change.gateway ? { [`${GATEWAY_UNIT}.d/zz-changed.conf`]: `[Service]\n${change.gateway.join("\n")}\n` } : {}),
        ...(change.squid ? { [`${PROXY_SERVICE}.d/zz-changed.conf`]: `[Service]\n${change.squid.join("\n")}\n` } : {}),
      },
      files: change.files,
      timeoutMs: 300_000,
    });
    const out = run.read("probe.out").trim();
    if (!out) throw new Error(`the probe printed nothing (manager exit ${String(run.status)}):\n${run.read("probe.err")}\n${run.read("squid.out").slice(-3000)}\n${run.read("squid/cache.log").slice(-3000)}`);
    return { r: JSON.parse(out) as ProbeOutput, run, accessLog: run.read("squid/access.log") };
  }

  /** What each proxy attempt must be refused with, and how squid must log it. */
  const SERVER_NAME_CASES = /with (no )?server name|carrying plain HTTP/;
  const table = (title: string, attempts: Attempt[]) => {
    console.log(title);
    for (const a of attempts) console.log(`  ${a.reached ? "REACHED" : "blocked"}  [${a.via}] ${a.target}: ${a.outcome}`);
    const reached = attempts.filter((a) => a.reached).length;
    const nameCases = attempts.filter((a) => SERVER_NAME_CASES.test(a.target));
    console.log(`escape attempts: ${attempts.length} tried, ${attempts.length - reached} blocked, ${reached} reached (server-name cases: ${nameCases.length} tried, ${nameCases.filter((a) => !a.reached).length} blocked)`);
  };
  const logLines = (accessLog: string) => accessLog.split("\n").filter(Boolean).map((l) => ({ raw: l, f: parseEgressLogLine(l) }));

  it("lets the gateway reach the allowlisted name through the proxy, and nothing else; squid logs every refusal with the CONNECT name and the server name", () => {
    const w = world as World;
    const { r, run, accessLog } = probe();
    console.log(`netns sandbox (${STACK}, ${run.ms} ms): allowed ${ALLOWED_NAME}:443 via the proxy -> ${r.allowed.status} "${r.allowed.body ?? ""}"; fetch() with the unit's env -> ${r.fetchAllowed}`);
    table("the kit's units and squid:", r.attempts);

    // The allowlisted name works end to end: CONNECT, TLS with the name's certificate, the fake server's answer.
    expect(r.allowed.status).toBe("200");
    expect(r.allowed.body).toBe(`${w.nonce} ${ALLOWED_NAME} GET /probe sni=${ALLOWED_NAME}`);
    expect(r.fetchAllowed).toBe(`200 ${w.nonce} ${ALLOWED_NAME} GET /fetch sni=${ALLOWED_NAME}`);
    expect(r.env.OPENCLAW_PROXY_URL).toBe(`http://127.0.0.1:${GATEWAY_PROXY_PORT}`);
    // Every escape attempt is blocked: squid answers a refused CONNECT inside TLS with its own certificate, cuts a
    // tunnel whose server name is not the CONNECT name, refuses plain requests with 403; the namespace has no route.
    expect(r.attempts.length).toBeGreaterThanOrEqual(25);
    expect(r.attempts.filter((a) => a.reached)).toEqual([]);
    const viaProxy = r.attempts.filter((x) => x.via === "proxy");
    const nameCases = viaProxy.filter((a) => SERVER_NAME_CASES.test(a.target));
    expect(nameCases).toHaveLength(5);
    for (const a of nameCases) expect(a.outcome, a.target).toMatch(/^cut \(/);
    for (const a of viaProxy.filter((x) => !SERVER_NAME_CASES.test(x.target))) expect(["403", "refused (squid's certificate)"], a.target).toContain(a.outcome);
    for (const a of r.attempts.filter((x) => x.via === "direct")) expect(["ENETUNREACH", "ECONNREFUSED", "EHOSTUNREACH", "EPERM"], a.target).toContain(a.outcome);

    // squid's log: the tunnel and each refusal, in the fields the CloudWatch filters read.
    const lines = logLines(accessLog);
    for (const l of lines) expect(l.f, l.raw).toBeDefined();
    const gateway = lines.filter((l) => l.f?.client === "127.0.0.1");
    const selfcheck = lines.filter((l) => l.f?.client === SELFCHECK_SOURCE);
    const denied = gateway.filter((l) => matchesFilterPattern(EGRESS_DENIED_PATTERN, l.raw));
    const cut = gateway.filter((l) => matchesFilterPattern(EGRESS_SNI_REFUSED_PATTERN, l.raw));
    // A spliced tunnel's status is squid's verdict on how it closed (500 when the server closed first), not a refusal.
    const tunnels = gateway.filter((l) => l.f?.status.startsWith("TCP_TUNNEL/"));
    // Refused on the CONNECT line (TCP_DENIED), once each: every proxy attempt but the server-name cases, and fetch().
    expect(denied.length).toBe(viaProxy.length - nameCases.length + 1);
    for (const domain of [DENIED_NAME, ALLOWED_ADDR, METADATA, LISTED_NAME, "localhost"]) expect(denied.map((l) => l.f?.domain), domain).toContain(domain);
    // Cut after the ClientHello: the CONNECT name and the server name on one line.
    expect(cut.map((l) => `${l.f?.domain} ${l.f?.sni} ${l.f?.bump}`).sort()).toEqual(
      [`${ALLOWED_NAME} ${DENIED_NAME} terminate`, `${ALLOWED_NAME} ${LISTED_NAME} terminate`, `${ALLOWED_NAME} - terminate`, `${ALLOWED_NAME} ${ALLOWED_NAME}. terminate`, `${ALLOWED_NAME} - peek`].sort(),
    );
    for (const l of cut) expect(matchesFilterPattern(EGRESS_DENIED_PATTERN, l.raw), l.raw).toBe(false);
    expect(tunnels.map((l) => `${l.f?.domain} ${l.f?.sni} ${l.f?.bump}`)).toEqual([`${ALLOWED_NAME} ${ALLOWED_NAME} splice`, `${ALLOWED_NAME} ${ALLOWED_NAME} splice`]);
    for (const l of tunnels) expect(matchesFilterPattern(modelApiPattern(ALLOWED_NAME), l.raw), l.raw).toBe(true);
    for (const l of tunnels) expect(matchesFilterPattern(EGRESS_DENIED_PATTERN, l.raw) || matchesFilterPattern(EGRESS_SNI_REFUSED_PATTERN, l.raw), l.raw).toBe(false);
    // squid's self-check ran before the gateway could use it, and its refusals count nowhere.
    expect(selfcheck.map((l) => `${l.f?.domain} ${l.f?.sni} ${l.f?.bump}`).sort()).toEqual([`${ALLOWED_NAME} - terminate`, `${ALLOWED_NAME} ${SELFCHECK_SNI} terminate`]);
    for (const l of selfcheck) expect(matchesFilterPattern(EGRESS_SNI_REFUSED_PATTERN, l.raw), l.raw).toBe(false);
    expect(lines.filter((l) => matchesFilterPattern(EGRESS_UNCHECKED_PATTERN, l.raw))).toEqual([]);
    console.log(`squid access log: ${lines.length} lines, ${denied.length} TCP_DENIED, ${cut.length} cut for their server name, ${tunnels.length} TCP_TUNNEL, ${selfcheck.length} self-check; e.g. ${cut[0]?.raw}`);
  });

  it("the same probe escapes once the namespace is taken away, so the blocks above come from the unit", () => {
    const { r } = probe({ gateway: ["PrivateNetwork=no", "IPAddressDeny=", "IPAddressAllow=", "InaccessiblePaths="] });
    const reached = r.attempts.filter((a) => a.reached).map((a) => a.target);
    console.log(`without PrivateNetwork=/IPAddressDeny=/InaccessiblePaths=: ${reached.length} of ${r.attempts.length} attempts reach their target: ${reached.join("; ")}`);
    for (const target of [`${ALLOWED_ADDR}:443`, `${DENIED_ADDR}:443`, `${METADATA}:80`, `127.0.0.1:${HOST_LOOPBACK_PORT}`, "tailscaled's local API socket", "an abstract UNIX socket of the host"]) {
      expect(reached.some((t) => t.startsWith(target)), target).toBe(true);
    }
    // squid's policy does not depend on the unit: through the proxy everything off the list is still refused.
    expect(r.attempts.filter((a) => a.via === "proxy" && a.reached)).toEqual([]);
  });

  /** squid's config with the certificate taken out: squid then logs "Will not bump SSL" and tunnels unchecked. */
  const withoutCertificate = (): Record<string, { content: string; mode: number }> => {
    const conf = renderSquidConf(model).replace(/ tls-cert=\S+ tls-key=\S+/, "");
    expect(conf).toContain(`http_port 127.0.0.1:${PROXY_PORT} ssl-bump generate-host-certificates=off\n`);
    return { [NO_CERT_CONF]: { content: conf, mode: 0o644 } };
  };

  it("a squid that reads only the CONNECT line (no TLS certificate, no self-check) lets the server-name escapes through, and the alarm filter sees it", () => {
    const w = world as World;
    const { r, accessLog } = probe({ squid: ["ExecStartPost=", "ExecStart=", `ExecStart=/usr/sbin/squid -N -sYC -f ${NO_CERT_CONF}`], files: withoutCertificate() });
    table("squid without its TLS setup (the CONNECT name checked, the server name not):", r.attempts);
    const reached = r.attempts.filter((a) => a.reached);
    // The far end answers for a server name squid never saw: what the kit must refuse.
    expect(reached.map((a) => a.target).sort()).toEqual(
      [`${ALLOWED_NAME}:443 with server name ${DENIED_NAME} (a name off the list)`, `${ALLOWED_NAME}:443 with server name ${LISTED_NAME} (another allowlisted name)`, `${ALLOWED_NAME}:443 with no server name`, `${ALLOWED_NAME}:443 with server name ${ALLOWED_NAME}. (trailing dot)`].sort(),
    );
    expect(reached.find((a) => a.target.includes(DENIED_NAME))?.outcome).toBe(`far end answered: ${ALLOWED_NAME} GET /probe sni=${DENIED_NAME}`);
    expect(r.allowed.body).toBe(`${w.nonce} ${ALLOWED_NAME} GET /probe sni=${ALLOWED_NAME}`);
    const unchecked = logLines(accessLog).filter((l) => matchesFilterPattern(EGRESS_UNCHECKED_PATTERN, l.raw));
    expect(unchecked.length).toBeGreaterThanOrEqual(reached.length);
    console.log(`EgressUnchecked filter: ${unchecked.length} lines, e.g. ${unchecked[0]?.raw}`);
  });

  it("the self-check stops that squid from starting: nothing reaches it, and its own probes raise the unchecked alarm", () => {
    // A connection to the egress listener waits while the bridge cannot start: short timeouts keep the run short.
    const { r, run, accessLog } = probe({ squid: ["ExecStart=", `ExecStart=/usr/sbin/squid -N -sYC -f ${NO_CERT_CONF}`], files: withoutCertificate(), proxyTimeoutMs: 3000 });
    table("squid without its TLS setup, with the kit's self-check:", r.attempts);
    const squidOut = run.read("squid.out");
    expect(squidOut).toContain("squid is tunnelling without checking server names");
    expect(r.allowed.status).not.toBe("200");
    expect(r.attempts.filter((a) => a.reached)).toEqual([]);
    // Not one connection from the gateway's side reached squid: the bridge waits for the self-check.
    const lines = logLines(accessLog);
    expect(lines.filter((l) => l.f?.client !== SELFCHECK_SOURCE)).toEqual([]);
    const unchecked = lines.filter((l) => matchesFilterPattern(EGRESS_UNCHECKED_PATTERN, l.raw));
    expect(unchecked.length).toBeGreaterThan(0);
    console.log(`self-check: ${squidOut.split("\n").find((l) => l.includes("tunnelling")) ?? ""}; ${unchecked.length} unchecked lines, all from ${SELFCHECK_SOURCE}`);
    // A private systemd boot, squid's failed start and every probe's 3 s wait: more than the default 30 s on 2 busy cores.
  }, 180_000);

  describe("the VM's check row for issue 17, point 3, run against this host", () => {
    const check = CHECKS.find((c) => c.title.startsWith("egress proxy checks the TLS server name"));
    const ctx: CheckContext = {
      port: model.gateway.port,
      hostOfflineScore: 0,
      ingress: true,
      egressProxy: { proxyUrl: `http://127.0.0.1:${GATEWAY_PROXY_PORT}`, deniedName: DENIED_NAME, allowedNames: squidDomains(model.egressDomains).map((d) => d.replace(/^\./, "")) },
      // Not read by this row.
      dayTwo: { volumeSerial: "vol0c1a3e5e7a9b1d2f4", bundleSha256: "0".repeat(64) },
    };

    /** Boots the host with an idle stand-in in the gateway's unit and runs the check as root, as the VM's agent does. */
    const runCheck = (change: { squid?: string[]; files?: Record<string, { content: string; mode: number }> } = {}) => {
      if (!check?.judge) throw new Error("no VM check row for point 3");
      const run = bootHost(world as World, model, {
        main: "vm-check.service",
        scripts: { "vm-check.sh": check.script(ctx), "idle.mjs": "setInterval(() => {}, 1 << 30);\n" },
        units: {
          [`${GATEWAY_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no"], ["ExecStartPre=", "ExecStart=", `ExecStart=${PATHS.nodeBin} ${PATHS.openclawDir}/idle.mjs`]),
          "vm-check.service": dropIn(
            ["DefaultDependencies=no", `Wants=${GATEWAY_UNIT} ${PROXY_SERVICE}`, `After=${GATEWAY_UNIT} ${PROXY_SERVICE}`, "SuccessAction=exit", "FailureAction=exit"],
            ["Type=oneshot", "TimeoutStartSec=200", `ExecStart=/bin/sh -c '/bin/bash ${PATHS.openclawDir}/vm-check.sh; echo "rc=$$?"'`, "StandardOutput=truncate:/run/harness/check.out", "StandardError=append:/run/harness/check.out"],
          ),
          ...(change.squid ? { [`${PROXY_SERVICE}.d/zz-changed.conf`]: `[Service]\n${change.squid.join("\n")}\n` } : {}),
        },
        files: change.files,
        timeoutMs: 300_000,
      });
      const out = run.read("check.out");
      const fields = parseFields(out);
      return { out, verdict: check.judge(fields, Number(fields.rc ?? "1"), ctx) };
    };

    it("passes on the kit's squid: each case refused and logged with both names", () => {
      const { out, verdict } = runCheck();
      console.log(`VM check row, point 3, on the nested host: ${verdict.pass ? "PASS" : "FAIL"} ${verdict.detail}`);
      expect(verdict.pass, out).toBe(true);
    });

    it("fails on a squid that reads only the CONNECT line", () => {
      const conf = renderSquidConf(model).replace(/ tls-cert=\S+ tls-key=\S+/, "");
      const { out, verdict } = runCheck({ squid: ["ExecStartPost=", "ExecStart=", `ExecStart=/usr/sbin/squid -N -sYC -f ${NO_CERT_CONF}`], files: { [NO_CERT_CONF]: { content: conf, mode: 0o644 } } });
      console.log(`VM check row, point 3, against a CONNECT-only squid: ${verdict.pass ? "PASS" : "FAIL"} ${verdict.detail}`);
      expect(verdict.pass, out).toBe(false);
      expect(verdict.detail).toMatch(/mismatch=NOT LOGGED/);
      expect(verdict.detail).toMatch(/unchecked_lines=[1-9]/);
    });
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
      // Two cold gateway starts on a shared 2-core machine can take longer than the default test timeout; the manager's own is 420 s.
    }, 450_000);
  });
});
