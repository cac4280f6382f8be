// Issue 17's escape table, part 2: the live gateway and node host under the kit's own units, in a private
// systemd 252 (test/support/nestedSystemd.ts). The kit's gateway, token, network-sandbox, squid, node-host,
// pairing, workspace-share and journal-shipper units run as rendered; harness drop-ins only wire them into
// the test. A stand-in model answers each agent turn with the table's exec calls, so the commands travel
// the real path: gateway -> node host (as openclaw-agent) -> /bin/sh -lc. Beside the table: the node
// sandbox probed from the inside, the pairing with no shared token on the node, and the audit trail.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_NODE_COMMANDS, AGENT_NODE_UNIT, AGENT_PAIR_UNIT, CREDENTIALS_DIR, GATEWAY_UNIT, PATHS, STATE_VOLUME_UNIT, TOKEN_CREDENTIAL, TOKEN_UNIT } from "../components/base/layout";
import { renderGatewayUnit, renderTokenUnit } from "../components/host/systemdUnits";
import { renderExecApprovalsJson, renderOpenclawConfig } from "../components/gateway/openclawConfig";
import { PAIR_ENV_FILE, WORKSPACE_SHARE_UNIT, agentHostFiles } from "../components/agent/nodeHost";
import { GATEWAY_AUDIT_LOG, GATEWAY_JOURNAL_UNIT, renderGatewayJournalUnit } from "../components/host/cloudwatchAgent";
import { secretsGateFile } from "../components/host/secretsGate";
import { renderTmpfiles } from "../components/host/userData";
import { EGRESS_SERVICE, EGRESS_SOCKET, INGRESS_SERVICE, INGRESS_SOCKET, PROXY_SERVICE, netsandboxHostFiles } from "../components/netsandbox";
import { EGRESS_ACCESS_LOG } from "../components/netsandbox/egressProxy";
import { loadStackFile } from "../stacks/load";
import type { StackModel } from "../stacks/schema";
import { ATTEMPTS, formatTable, type EscapeContext, type Outcome, type Row } from "./support/escapeTable";
import { HARNESS_ONLY_KEYS, STATE_VOLUME_STAND_IN, dropIn, nestedManagerUsable, removeTmpDirs, runManager, type ManagerRun } from "./support/nestedSystemd";
import { ensureOpenclaw } from "./support/openclaw";
import { needTools } from "./support/tools";

const CAN_RUN = nestedManagerUsable("squid", "dbus-daemon", "git", "python3") && needTools("squid", "dbus-daemon", "git", "python3", "setpriv", "base64");
const UNIT_DIR = "/etc/systemd/system/";
const FAKE_MODEL_PORT = 47311;
const IMDS = "169.254.169.254";
const OFF_LIST = "exfil.example.net";
const SQUID_LOG_DIR = path.dirname(EGRESS_ACCESS_LOG);
/** The test's own scripts (outside the OpenClaw install, which is bind-mounted whole, as one tree like on a host). */
const TEST_DIR = "/usr/local/lib/clawkeep-test";

/**
 * Level 2's first pairing start: the setup code the node is given is replaced by one whose bootstrap token the gateway never
 * minted. The gateway refuses it as it refuses an expired one (both are "bootstrap_token_invalid": an expired token is pruned),
 * so the pair script must mint another. Root, before the node's ExecStart reads the file; once per run.
 */
const SPOIL_FIRST_CODE = String.raw`
import base64, json, os, secrets, sys
env_file, marker = sys.argv[1], sys.argv[2]
if not os.path.exists(env_file) or os.path.exists(marker):
    sys.exit(0)
key, _, value = open(env_file).read().strip().partition("=")
flag, code = value.split(" ", 1)
payload = json.loads(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4)))
payload["bootstrapToken"] = secrets.token_urlsafe(len(payload["bootstrapToken"]) * 3 // 4)
spoiled = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
with open(env_file, "w") as f:
    f.write(f"{key}={flag} {spoiled}" + chr(10))  # no backslash in a String.raw
open(marker, "w").close()
print("harness: the first setup code replaced by one the gateway never minted")
`;

/** Runs in the manager's host namespace as root once pairing is done: arranges, runs one agent turn with every attempt, gathers evidence. */
const CHECK = String.raw`
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
const [port, entry, ws, tokenFile, attemptsFile, auditLog] = process.argv.slice(2);
const out = {};
const token = fs.readFileSync(tokenFile, "utf8").trim();
const work = fs.mkdtempSync("/tmp/check-");
fs.writeFileSync(work + "/openclaw.json", JSON.stringify({ gateway: { mode: "local", port: Number(port) } }));
const oc = (args, timeout = 300000) => spawnSync(process.execPath, [entry, ...args], { encoding: "utf8", timeout, maxBuffer: 64 << 20,
  env: { PATH: "/usr/bin:/bin", HOME: work, OPENCLAW_STATE_DIR: work + "/state", OPENCLAW_CONFIG_PATH: work + "/openclaw.json", OPENCLAW_GATEWAY_TOKEN: token, NO_COLOR: "1", OPENCLAW_NO_RESPAWN: "1" } });
const asUser = (user, args, opts = {}) => spawnSync("setpriv", ["--reuid=" + user, "--regid=" + user, "--init-groups", "--", ...args], { encoding: "utf8", ...opts });
// The node as the gateway sees it, and what the node's own state holds.
const status = oc(["nodes", "status", "--json"]);
try { out.nodes = JSON.parse(status.stdout).nodes.map((n) => ({ name: n.displayName, approval: n.approvalState, connected: n.connected, commands: n.commands })); } catch { out.nodes = status.stdout.slice(-500) + status.stderr.slice(-500); }
const nodeState = "${PATHS.agentStateDir}";
const files = spawnSync("sh", ["-c", "grep -rlsaF -f " + tokenFile + " " + nodeState + " /proc/$(systemctl show -p MainPID --value ${AGENT_NODE_UNIT})/environ /proc/$(systemctl show -p MainPID --value ${AGENT_NODE_UNIT})/cmdline || true"], { encoding: "utf8" });
out.tokenOnNode = files.stdout.trim();
const py = spawnSync("python3", ["-I", "-c", "import sqlite3,sys,json; db=sqlite3.connect(sys.argv[1]); print(json.dumps(db.execute('select role, scopes_json from device_auth_tokens').fetchall()))", nodeState + "/state/openclaw.sqlite"], { encoding: "utf8" });
out.nodeTokens = py.stdout.trim() || py.stderr.slice(-300);
// The workspace as the agent's own file tools would leave it (written as the gateway's user).
const attempts = JSON.parse(fs.readFileSync(attemptsFile, "utf8"));
for (const a of attempts) {
  for (const item of a.arrange) {
    const p = path.join(ws, item.path);
    if (item.gitConfig) {
      const repo = path.dirname(p);
      asUser("openclaw", ["mkdir", "-p", repo]);
      asUser("openclaw", ["git", "init", "-q", repo], { env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" } });
      for (const [k, v] of Object.entries(item.gitConfig)) asUser("openclaw", ["git", "-C", repo, "config", k, v], { env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" } });
    } else if (item.symlinkTo) {
      asUser("openclaw", ["ln", "-s", item.symlinkTo, p]);
    } else {
      asUser("openclaw", ["mkdir", "-p", path.dirname(p)]);
      asUser("openclaw", ["sh", "-c", 'cat > "$0" && chmod ' + (item.mode ?? 420).toString(8) + ' "$0"', p], { input: item.content ?? "" });
    }
  }
}
spawnSync("sleep", ["2"]);
// One agent turn: the stand-in model calls exec once per attempt.
const calls = attempts.map((a) => ({ command: a.command, workdir: a.cwd ? path.join(ws, a.cwd) : ws }));
const turn = oc(["agent", "--agent", "main", "--session-key", "agent:main:escape", "--message", "RUN:" + JSON.stringify(calls), "--json", "--timeout", "600"], 700000);
// The stand-in's last answer, "RESULTS:<json>", sits somewhere in the CLI's JSON output.
const find = (o) => {
  if (typeof o === "string") return o.startsWith("RESULTS:") ? o : undefined;
  if (o && typeof o === "object") for (const v of Object.values(o)) { const r = find(v); if (r) return r; }
  return undefined;
};
let results = [];
const start = turn.stdout.search(/^\{/m);
let found;
try { found = find(JSON.parse(turn.stdout.slice(start))); } catch {}
if (found) results = JSON.parse(found.slice(8));
const i = found ? 0 : -1;
out.turnExit = turn.status;
out.turnTail = i < 0 ? (turn.stdout.slice(-3000) + turn.stderr.slice(-2000)) : "";
out.rows = attempts.map((a, k) => {
  const r = results[k] ?? { error: true, text: "no result" };
  const exists = (p) => fs.existsSync(path.isAbsolute(p) ? p : path.join(ws, p));
  return { id: a.id, error: r.error, text: r.text.replace(token, "<TOKEN>").slice(0, 1500), leak: r.text.includes(token) || (a.leak ? r.text.includes(a.leak) : false),
    marker: a.marker ? exists(a.marker) : false, forged: a.forged ? (fs.existsSync(auditLog) && fs.readFileSync(auditLog, "utf8").includes(a.forged)) : false };
});
// Item 4: a line the agent's user forges reaches the journal under its own identity, never the shipped trail.
asUser("openclaw-agent", ["logger", "-t", "openclaw", '{"message":"unauthorized conn=clawkeep-forged-J1"}']);
out.forgeAppend = asUser("openclaw-agent", ["sh", "-c", "echo forged-J2 >> " + auditLog]).stderr.trim();
oc(["gateway", "call", "health", "--token", "wrong-" + "x".repeat(40), "--json"], 60000);
spawnSync("sleep", ["3"]);
out.auditLog = fs.existsSync(auditLog) ? fs.readFileSync(auditLog, "utf8") : "";
out.auditLogMode = spawnSync("stat", ["-c", "%U:%G %a", auditLog, path.dirname(auditLog)], { encoding: "utf8" }).stdout.trim();
out.journalForged = spawnSync("journalctl", ["--no-pager", "-o", "json", "--output-fields=_SYSTEMD_UNIT,_UID,MESSAGE", "-g", "clawkeep-forged-J1"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean).map((l) => { const j = JSON.parse(l); return { unit: j._SYSTEMD_UNIT, uid: j._UID }; });
out.squid = fs.existsSync("${EGRESS_ACCESS_LOG}") ? fs.readFileSync("${EGRESS_ACCESS_LOG}", "utf8") : "";
out.imdsFromHost = await fetch("http://${IMDS}/host-check").then((r) => r.text(), (e) => String(e));
out.imdsHits = fs.existsSync("/run/harness/imds-hits") ? fs.readFileSync("/run/harness/imds-hits", "utf8") : "";
fs.writeFileSync("/run/harness/check.json", JSON.stringify(out));
`;

/** Runs inside the node host's exact sandbox (its unit, Exec lines swapped): what the agent's commands can and cannot do. */
const PROBE = String.raw`
import * as fs from "node:fs";
import * as net from "node:net";
import { spawnSync } from "node:child_process";
const [credential, auditLog, gatewayPort, imds, ws] = process.argv.slice(2);
const out = { uid: process.getuid() };
const attempt = (fn) => { try { return fn() ?? "ok"; } catch (e) { return e.code ?? String(e.message).slice(0, 80); } };
out.readCredential = attempt(() => { fs.readFileSync(credential); });
out.listCredentials = attempt(() => { fs.readdirSync("/run/credentials"); });
out.readStagedToken = attempt(() => { fs.readFileSync("${PATHS.tokenFile}"); });
out.readGatewayConfig = attempt(() => { fs.readFileSync("${PATHS.configFile}"); });
out.readGatewayState = attempt(() => { fs.readdirSync("${PATHS.stateDir}"); });
out.writeAuditLog = attempt(() => { fs.appendFileSync(auditLog, "forged\n"); });
out.writeGatewayLog = attempt(() => { fs.appendFileSync("${PATHS.logDir}/openclaw.log", "forged\n"); });
out.writeEtc = attempt(() => { fs.writeFileSync("/etc/clawkeep-escape", "x"); });
out.writeWorkspace = attempt(() => { fs.writeFileSync(ws + "/probe-" + process.pid, "x"); fs.rmSync(ws + "/probe-" + process.pid); });
const run = (cmd, args) => { const r = spawnSync(cmd, args, { encoding: "utf8" }); return r.error ? r.error.code : r.status === 0 ? "ran" : "exit " + r.status + " " + (r.stderr || "").trim().slice(0, 60); };
out.execId = run("/usr/bin/id", []);
out.execCurl = run("/usr/bin/curl", ["--version"]);
out.execPython = run("/usr/bin/python3", ["-c", "0"]);
out.execShell = run("/bin/sh", ["-c", "true"]);
out.execGit = run("/usr/bin/git", ["--version"]);
out.env = Object.keys(process.env).filter((k) => /TOKEN|KEY|SECRET|CREDENTIALS/.test(k));
const connect = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port, timeout: 2000 });
  s.once("connect", () => { s.destroy(); resolve("connected"); });
  s.once("timeout", () => { s.destroy(); resolve("timeout"); });
  s.once("error", (e) => resolve(e.code));
});
out.imds = await connect(imds, 80);
const started = Date.now();
do { out.gateway = await connect("127.0.0.1", Number(gatewayPort)); if (out.gateway === "connected") break; await new Promise((r) => setTimeout(r, 1000)); } while (Date.now() - started < 180000);
out.egressListener = await connect("127.0.0.1", 3128);
process.stdout.write(JSON.stringify(out) + "\n");
`;

const IMDS_STANDIN = String.raw`
import * as fs from "node:fs";
import * as http from "node:http";
http.createServer((req, res) => { fs.appendFileSync("/run/harness/imds-hits", req.url + "\n"); res.end("ami-id\n"); }).listen(80, process.argv[2]);
`;

interface CheckOut {
  nodes: Array<{ name: string; approval: string; connected: boolean; commands: string[] }> | string;
  tokenOnNode: string;
  nodeTokens: string;
  turnExit: number | null;
  turnTail: string;
  rows: Array<{ id: string; error: boolean; text: string; leak: boolean; marker: boolean; forged: boolean }>;
  forgeAppend: string;
  auditLog: string;
  auditLogMode: string;
  journalForged: Array<{ unit: string; uid: string }>;
  squid: string;
  imdsHits: string;
  imdsFromHost: string;
}

/** The layer that refused an attempt, from what the tool result says. */
function outcomeOf(r: CheckOut["rows"][number]): { outcome: Outcome; detail: string } {
  const t = r.text;
  const detail = t.replace(/\s+/g, " ").slice(0, 200);
  if (r.leak || r.marker || r.forged) return { outcome: "escaped", detail };
  if (/exec denied|SYSTEM_RUN_DENIED|approval/i.test(t)) return { outcome: "asked a human (denied: no approver)", detail };
  if (/git \(clawkeep\): refused/.test(t)) return { outcome: "refused by the git wrapper", detail };
  if (/CONNECT|403|proxy/i.test(t)) return { outcome: "refused by the proxy", detail };
  if (/Permission denied|Read-only file system|No such file or directory|Operation not permitted|cannot|unable|fatal/i.test(t)) return { outcome: "refused by the sandbox", detail };
  return { outcome: "ran, nothing escaped", detail };
}

function liveRun(model: StackModel, modules: string, spoilFirstCode: boolean): { run: ManagerRun; token: string } {
  const token = randomBytes(24).toString("hex");
  const stack = `level${model.trustLevel}`;
  const config = renderOpenclawConfig(model) as unknown as { models: { providers: Record<string, Record<string, unknown>> } };
  // The one harness change to the config: the provider is the stand-in model on the gateway's own loopback.
  config.models.providers.anthropic.baseUrl = `http://127.0.0.1:${FAKE_MODEL_PORT}`;
  const approvals = renderExecApprovalsJson(model);
  const files: Record<string, { content: string; mode: number }> = {};
  const setup: string[] = [
    // The harness made the workspace group (openclaw-work); the agent's user and the gateway's membership as cloud-init makes them.
    "useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group openclaw-agent",
    "usermod -a -G openclaw-work openclaw",
  ];
  // The state volume's unit is a stand-in here: the harness's state trees are on its own tmpfs.
  const units: Record<string, string> = { [GATEWAY_UNIT]: renderGatewayUnit(model), [TOKEN_UNIT]: renderTokenUnit(model), [GATEWAY_JOURNAL_UNIT]: renderGatewayJournalUnit(), [STATE_VOLUME_UNIT]: STATE_VOLUME_STAND_IN };
  for (const f of [...netsandboxHostFiles(model), ...agentHostFiles(model, approvals), secretsGateFile()]) {
    if (f.path.startsWith(UNIT_DIR)) units[f.path.slice(UNIT_DIR.length)] = f.content;
    else if (f.encoding === "base64") {
      files[`${f.path}.b64`] = { content: f.content, mode: 0o600 };
      setup.push(`base64 -d ${f.path}.b64 > ${f.path} && chmod ${f.mode} ${f.path} && rm ${f.path}.b64`);
    } else files[f.path] = { content: f.content, mode: parseInt(f.mode, 8) };
  }
  files["/etc/tmpfiles.d/clawkeep.conf"] = { content: renderTmpfiles(model), mode: 0o644 };
  const testScripts = { "check.mjs": CHECK, "probe.mjs": PROBE, "imds.mjs": IMDS_STANDIN, "spoil-first-code.py": SPOIL_FIRST_CODE, "fakeModel.mjs": fs.readFileSync(path.join(__dirname, "support", "fakeModel.mjs"), "utf8") };
  for (const [name, text] of Object.entries(testScripts)) files[`${TEST_DIR}/${name}`] = { content: text, mode: 0o644 };
  files["/etc/hosts"] = { content: "127.0.0.1 localhost\n", mode: 0o644 };
  setup.push(
    // The install as plain files, as on a host: a bind mount under the OpenClaw directory is not reliably seen
    // through the sandboxes' ExecPaths= rebinds in this harness.
    `umount ${PATHS.openclawDir}/node_modules`,
    `cp -a "$MODULES/." ${PATHS.openclawDir}/node_modules/`,
    "systemd-tmpfiles --create /etc/tmpfiles.d/clawkeep.conf",
    `install -d -o proxy -g proxy -m 0750 /run/harness/squid ${SQUID_LOG_DIR}`,
    `mount --bind /run/harness/squid ${SQUID_LOG_DIR}`,
    "install -d -m 2755 -o root -g systemd-journal /var/log/journal",
  );
  const quiet = dropIn(["DefaultDependencies=no"], []);
  // As on a booted host: boot's tmpfiles run (it empties /tmp, sets the journal's group) before these start.
  const afterTmpfiles = dropIn(["DefaultDependencies=no", "After=systemd-tmpfiles-setup.service"], []);
  const fetchToken = `#!/bin/sh
set -eu
mkdir -p -m 0700 ${PATHS.runSecretsDir}/provider-keys
printf '%s' '${token}' > ${PATHS.tokenFile}
printf '%s' 'sk-ant-test-${randomBytes(20).toString("hex")}' > ${PATHS.runSecretsDir}/provider-keys/anthropic-api-key
`;
  const harness: Record<string, string> = {
    ...Object.fromEntries(
      [PROXY_SERVICE, EGRESS_SERVICE, INGRESS_SOCKET, INGRESS_SERVICE, "dbus.socket", "dbus.service", "systemd-journald.socket", "systemd-journald.service", WORKSPACE_SHARE_UNIT, AGENT_NODE_UNIT].map((u) => [
        `${u}.d/harness.conf`,
        quiet,
      ]),
    ),
    [`${EGRESS_SOCKET}.d/harness.conf`]: afterTmpfiles,
    [`${GATEWAY_JOURNAL_UNIT}.d/harness.conf`]: afterTmpfiles,
    [`${TOKEN_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no", "FailureAction=exit"], []),
    [`${GATEWAY_UNIT}.d/harness.conf`]: dropIn(["DefaultDependencies=no", "Wants=dbus.socket systemd-journald.socket fake-model.service", "After=dbus.socket systemd-journald.socket fake-model.service"], ["Restart=no"]),
    [`${AGENT_PAIR_UNIT}.d/harness.conf`]: dropIn(
      ["DefaultDependencies=no"],
      // Level 2: each code is given 90 s here (the gateway gives 600), so the spoiled one is replaced within the run.
      ["Environment=CLAWKEEP_PAIR_WAIT_SECONDS=300", ...(spoilFirstCode ? ["Environment=CLAWKEEP_PAIR_CODE_SECONDS=90"] : []), "StandardOutput=truncate:/run/harness/pair.out", "StandardError=truncate:/run/harness/pair.out"],
    ),
    [`${AGENT_NODE_UNIT}.d/debug.conf`]: dropIn([], ["Environment=OPENCLAW_DEBUG=1"]),
    ...(spoilFirstCode ? { [`${AGENT_NODE_UNIT}.d/spoil.conf`]: dropIn([], [`ExecStartPre=+/usr/bin/python3 -I ${TEST_DIR}/spoil-first-code.py ${PAIR_ENV_FILE} /run/harness/code-spoiled`]) } : {}),
    "fake-model.service": dropIn(
      ["DefaultDependencies=no", `Requires=${EGRESS_SOCKET}`, `After=${EGRESS_SOCKET}`, `JoinsNamespaceOf=${EGRESS_SOCKET}`],
      ["Type=exec", "PrivateNetwork=yes", `ExecStart=${PATHS.nodeBin} ${TEST_DIR}/fakeModel.mjs ${FAKE_MODEL_PORT} /run/harness/fake-model.log`],
    ),
    "imds-standin.service": dropIn(["DefaultDependencies=no"], ["Type=exec", `ExecStart=${PATHS.nodeBin} ${TEST_DIR}/imds.mjs ${IMDS}`]),
    // The node's sandbox, probed: its own unit text (same [Service] sandbox lines), Exec lines swapped for the probe.
    "agent-sandbox-probe.service": units[AGENT_NODE_UNIT].replace(/^Description=.*$/m, "Description=probe in the node host's sandbox"),
    "agent-sandbox-probe.service.d/harness.conf": dropIn(
      ["DefaultDependencies=no", `After=${GATEWAY_UNIT} imds-standin.service`],
      ["ExecStartPre=", "ExecStart=", `ExecStart=${PATHS.nodeBin} ${TEST_DIR}/probe.mjs ${CREDENTIALS_DIR}/${TOKEN_CREDENTIAL} ${GATEWAY_AUDIT_LOG} ${model.gateway.port} ${IMDS} ${PATHS.workspaceDir}`, "Restart=no", "StandardOutput=truncate:/run/harness/probe.out", "StandardError=truncate:/run/harness/probe.err"],
    ),
    "escape-check.service": dropIn(
      ["DefaultDependencies=no", `Wants=${AGENT_PAIR_UNIT} ${PROXY_SERVICE} ${WORKSPACE_SHARE_UNIT} ${GATEWAY_JOURNAL_UNIT} imds-standin.service agent-sandbox-probe.service`, `After=${AGENT_PAIR_UNIT} ${PROXY_SERVICE} ${WORKSPACE_SHARE_UNIT} agent-sandbox-probe.service`, "SuccessAction=exit", "FailureAction=exit"],
      [
        "Type=oneshot",
        "TimeoutStartSec=900",
        `ExecStart=${PATHS.nodeBin} ${TEST_DIR}/check.mjs ${model.gateway.port} ${PATHS.openclawEntry} ${PATHS.workspaceDir} ${PATHS.tokenFile} ${TEST_DIR}/attempts.json ${GATEWAY_AUDIT_LOG}`,
        "ExecStopPost=/bin/sh -c 'journalctl --no-pager > /run/harness/all.log; journalctl --no-pager -u openclaw-gateway.service > /run/harness/gateway.log; journalctl --no-pager -u openclaw-agent-node.service > /run/harness/node.log; cp /var/log/clawkeep-gateway/gateway.log /run/harness/shipped.log || true'",
        "StandardOutput=truncate:/run/harness/check.out",
        "StandardError=truncate:/run/harness/check.err",
      ],
    ),
  };
  // Harness drop-ins may only wire units into the test, never loosen a sandbox (the probe unit's swaps Exec lines only).
  for (const [name, text] of Object.entries(harness)) {
    if (!name.endsWith(".d/harness.conf")) continue;
    for (const line of text.split("\n").filter((l) => /^\w+=/.test(l))) {
      const key = line.split("=")[0];
      const allowed =
        HARNESS_ONLY_KEYS.has(key) ||
        ["Wants", "After", "Requires", "JoinsNamespaceOf", "Type", "PrivateNetwork", "TimeoutStartSec", "ExecStopPost", "Description"].includes(key) ||
        /^Environment=(CLAWKEEP_PAIR_WAIT_SECONDS|CLAWKEEP_PAIR_CODE_SECONDS|OPENCLAW_DEBUG)=/.test(line);
      if (!allowed) throw new Error(`${name}: ${line} is not a harness-only key`);
      if (key === "PrivateNetwork" && !name.startsWith("fake-model")) throw new Error(`${name}: ${line}`);
    }
  }
  const ctx: EscapeContext = { git: PATHS.agentGit, credential: `${CREDENTIALS_DIR}/${TOKEN_CREDENTIAL}`, secret: token, auditLog: GATEWAY_AUDIT_LOG, imds: IMDS, offList: OFF_LIST };
  const attempts = ATTEMPTS.map((a) => ({ id: a.id, command: a.command(ctx), cwd: a.cwd, arrange: a.arrange?.(ctx) ?? [], marker: a.marker, leak: a.leak?.(ctx), forged: a.forged }));
  files[`${TEST_DIR}/attempts.json`] = { content: JSON.stringify(attempts), mode: 0o644 };
  const run = runManager({
    units: { ...units, ...harness },
    scripts: { "README.txt": "the OpenClaw install is bind-mounted over this directory\n" },
    config: `${JSON.stringify(config, null, 2)}\n`,
    execApprovals: approvals,
    fetchToken,
    main: "escape-check.service",
    addrs: [IMDS],
    modules,
    files,
    setup: setup.join("\n"),
    timeoutMs: 1_200_000,
  });
  console.log(`${stack}: nested manager exit ${String(run.status)} after ${run.ms} ms`);
  return { run, token };
}

describe.skipIf(!CAN_RUN)("escape table, part 2: the live gateway and node host under the kit's units", () => {
  let modules = "";
  const tables: string[] = [];
  beforeAll(async () => {
    modules = path.join((await ensureOpenclaw(loadStackFile("level2").host.openclawVersion)).dir, "node_modules");
  });
  afterAll(() => {
    for (const t of tables) console.log(t);
    removeTmpDirs();
  });

  for (const stack of ["level2", "level3"] as const) {
    it(`${stack}: pairs without the gateway's token, confines the node, and refuses (or asks a human for) every attempt`, { timeout: 1_300_000 }, () => {
      const model = loadStackFile(stack);
      // Level 2 also proves a code refused by the gateway (as an expired one is) is replaced; level 3 pairs on its first code.
      const spoilFirstCode = stack === "level2";
      const { run, token } = liveRun(model, modules, spoilFirstCode);
      const raw = run.read("check.json");
      const diag = () => `journal: ${run.read("all.log").split("\n").filter((l) => /Failed|NAMESPACE|pair-agent/.test(l)).slice(-20).join("\n")}\npair:\n${run.read("pair.out").slice(-3000)}\ncheck:\n${run.read("check.err").slice(-3000)}\nnode:\n${run.read("node.log").slice(-3000)}\ngateway:\n${run.read("gateway.log").slice(-3000)}`;
      if (!raw) throw new Error(`the check wrote nothing (manager exit ${String(run.status)})\n${diag()}`);
      const out = JSON.parse(raw) as CheckOut;
      // Pairing: the node is approved for exactly its command surface, and holds no shared token, only its node-role device token.
      expect(out.nodes, diag()).toEqual([expect.objectContaining({ name: "agent-node", approval: "approved", connected: true })]);
      const pairLog = run.read("pair.out");
      if (spoilFirstCode) {
        expect(run.read("node.log"), diag()).toContain("harness: the first setup code replaced");
        expect(pairLog, diag()).toMatch(/setup code 1 brought no pairing request \(refused, or unused while valid\); minting another/);
        expect(pairLog).not.toMatch(/setup code 2 brought/);
      } else expect(pairLog, diag()).not.toMatch(/minting another/);
      // Its approved surface is exactly the unit's --commands list: nothing more was granted by the single-use code.
      expect([...(out.nodes as Array<{ commands: string[] }>)[0].commands].sort()).toEqual([...AGENT_NODE_COMMANDS].sort());
      expect(out.tokenOnNode, "the gateway's token is in the node's state, environment or command line").toBe("");
      expect(out.nodeTokens).toBe('[["node", "[]"]]');
      // The node's sandbox from the inside.
      const probe = JSON.parse(run.read("probe.out").trim() || "{}") as Record<string, unknown>;
      console.log(`${stack}: node sandbox probe ${JSON.stringify(probe)}`);
      expect(probe.readCredential, run.read("probe.err")).not.toBe("ok");
      expect(probe.listCredentials).not.toBe("ok");
      expect(probe.readStagedToken).not.toBe("ok");
      expect(probe.readGatewayConfig).not.toBe("ok");
      expect(probe.readGatewayState).not.toBe("ok");
      expect(probe.writeAuditLog).not.toBe("ok");
      expect(probe.writeGatewayLog).not.toBe("ok");
      expect(probe.writeEtc).toBe("EROFS");
      expect(probe.writeWorkspace).toBe("ok");
      expect(probe.execId).toBe("EACCES");
      expect(probe.execCurl).toBe("EACCES");
      expect(probe.execPython).toBe("EACCES");
      expect(probe.execShell).toBe("ran");
      expect(probe.execGit).toBe("ran");
      expect(probe.env).toEqual([]);
      expect(probe.imds).not.toBe("connected");
      expect(probe.gateway).toBe("connected");
      expect(probe.egressListener).toBe("connected");
      // The table.
      const byId = new Map(ATTEMPTS.map((a) => [a.id, a]));
      const ctxGit = PATHS.agentGit;
      const rows: Row[] = out.rows.map((r) => {
        const a = byId.get(r.id);
        if (!a) throw new Error(`unknown attempt ${r.id}`);
        return { id: r.id, category: a.category, command: a.command({ git: ctxGit, credential: `${CREDENTIALS_DIR}/${TOKEN_CREDENTIAL}`, secret: "", auditLog: GATEWAY_AUDIT_LOG, imds: IMDS, offList: OFF_LIST }).replace(ctxGit, "$GIT"), ...outcomeOf(r) };
      });
      tables.push(formatTable(`escape table (${stack}, live gateway + node host under the kit's units):`, rows));
      expect(rows.length, out.turnTail).toBe(ATTEMPTS.length);
      const escaped = rows.filter((r) => r.outcome === "escaped");
      expect(escaped, JSON.stringify(escaped, null, 2)).toEqual([]);
      // The stand-in answers from the host's namespace; nothing from the agent's side ever reached it.
      expect(out.imdsFromHost).toBe("ami-id\n");
      expect(out.imdsHits).toBe("/host-check\n");
      expect(out.squid).not.toMatch(new RegExp(`TCP_TUNNEL\\S* .*${OFF_LIST.replace(/\./g, "\\.")}`));
      // The audit trail: the gateway's own lines (a real failed login among them), none forged by the agent's user.
      expect(out.auditLog).toMatch(/"message":"unauthorized conn=/);
      // The agent's text may appear quoted inside a gateway line (the gateway logs the model's answer, which quotes the
      // tool results): what must never appear is a line of its own, i.e. one whose message is the forged one.
      const forgedLines = out.auditLog.split("\n").filter((l) => {
        try {
          return String((JSON.parse(l) as { message?: unknown }).message ?? "").startsWith("unauthorized conn=clawkeep-forged");
        } catch {
          return l.includes("clawkeep-forged");
        }
      });
      expect(forgedLines).toEqual([]);
      expect(out.auditLog).not.toContain("forged-J2");
      expect(out.auditLog).not.toContain(token);
      expect(out.forgeAppend).toMatch(/Permission denied/);
      expect(out.auditLogMode.split("\n")[1]).toMatch(/^root:root 750$/);
      expect(out.journalForged.length).toBeGreaterThan(0);
      for (const j of out.journalForged) expect(j.unit).not.toBe(GATEWAY_UNIT);
    });
  }
});

// Levels 0 and 1 run no commands: no node host, pairing or workspace share is rendered, and exec is denied at the gateway.
describe("levels without commands have no node side", () => {
  for (const stack of ["level0", "level1"] as const) {
    it(`${stack}: no agent host files, exec mode deny on the gateway host`, () => {
      const model = loadStackFile(stack);
      expect(agentHostFiles(model, renderExecApprovalsJson(model))).toEqual([]);
      const tools = (renderOpenclawConfig(model) as unknown as { tools: { exec: { mode: string; host: string; node?: string } } }).tools;
      expect(tools.exec).toMatchObject({ mode: "deny", host: "gateway" });
      expect(tools.exec.node).toBeUndefined();
    });
  }
  it("level2 (the contrast): the node side exists", () => {
    const model = loadStackFile("level2");
    expect(agentHostFiles(model, renderExecApprovalsJson(model)).map((f) => f.path)).toEqual(expect.arrayContaining([`${UNIT_DIR}${AGENT_NODE_UNIT}`, `${UNIT_DIR}${AGENT_PAIR_UNIT}`]));
  });
});
