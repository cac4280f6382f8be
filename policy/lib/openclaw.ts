// OpenClaw on a host, wherever its configuration travels: every openclaw.json (JSON5) a resource
// delivers (found by name, by OPENCLAW_CONFIG_PATH, or by its shape), with $include followed and
// `openclaw config set` applied, every `openclaw gateway` launch with its flags, and every
// `tailscale funnel`; then judged against the gateway rules and the trust level's envelope
// (stacks/trustLevels.ts). Key names and defaults follow OpenClaw 2026.9.6's documentation.
import * as path from "node:path";
import JSON5 from "json5";
import { OPENCLAW_GROUP_EXCLUDES, TOOL_ALIASES, TOOL_CATALOG, TOOL_GROUPS, TOOL_PROFILES } from "../../stacks/openclawTools";
import { SESSION_IDLE_MAX_MINUTES, SESSION_MAX_HOURS } from "../../stacks/limits";
import { assignments, isCredentialName, isReference, isWeakSecret, redactCredentials } from "../../stacks/secretShapes";
import { LEVELS, TRUST_LEVELS, TRUST_LEVEL_TAG, type LevelCapabilities, type TrustLevel } from "../../stacks/trustLevels";
import { AGENT_GIT, EXEC_DIRS, neverAllowlisted } from "../../stacks/execAllowlist";
import { approvalsFromCommand, approvalsFromText, blindAt, entryPattern, execPolicyHost, isApprovalsFileName, isApprovalsShaped, type ApprovalsSource } from "./execApprovals";
import { SECRETS_GATE_SCRIPT, renderSecretsGate } from "../../components/host/secretsGate";
import { shellWords } from "./shellScript";
import { INTERPRETERS, TOP_LEVEL_KEYS, configKeyPath, passThroughFunctions, expandedCommands, expands, openclawOperand, openclawRuns, programIndex, programOf, simpleCommands, spellsOpenclawRun, unfollowedOpenclaw, NAMES_OPENCLAW, type OpenclawRun } from "./openclawCli";
import { tailscaleInvocations } from "./tailscaleHost";
import { CONTAINER_TYPES, HOST_PAYLOAD_TYPES, S3_OBJECT_TYPES, SSM_SCRIPT_TYPES, hostPayload, isShellScript, isUnitFile, unitExecLines, readAsCommands, RUNNABLE_FILE, type HostPayload } from "./userData";
import { asArray, asStrings, entriesDeep, isRecord, readKnown, tagsOf } from "./values";

/** Resources that can deliver OpenClaw to a host or change it there: user data, an S3 object (the host bundle or a plain copy), a container, an SSM document, association or maintenance-window task. */
export const OPENCLAW_TYPES = [...HOST_PAYLOAD_TYPES, ...SSM_SCRIPT_TYPES, ...Object.values(CONTAINER_TYPES)] as const;

const CORE_KEYS = ["gateway", "tools", "agents", "channels", "session"];

/** config is set when the file parsed (includes and `config set` applied); error when it did not; blind when it cannot be seen. */
export interface FoundConfig {
  path: string;
  config?: Record<string, unknown>;
  error?: string;
  /** What the config pulls in that this resource does not deliver: the rules cannot judge it. */
  blind?: string;
  /** Only `openclaw config set` edits of a config delivered elsewhere: judge what they set, nothing else. */
  partial?: boolean;
  /** `openclaw config set` edits applied to it, in order. */
  edits: string[];
  /** The keys `openclaw config unset` removed from it, as the CLI parsed them (quotes gone). */
  unsets?: string[];
  /** The config as the resource delivers it, before its first edit. */
  asDelivered?: Record<string, unknown>;
}

/** One `openclaw gateway` (or `openclaw onboard`) command line and its flags; flags win over the config. */
export interface GatewayLaunch {
  where: string;
  flags: Record<string, string | true>;
}

export interface OpenclawSetup {
  configs: FoundConfig[];
  launches: GatewayLaunch[];
  /** Commands that publish something with Tailscale Funnel. */
  funnels: string[];
  /** What changes the config or starts the gateway by a means the pack does not read: the rules cannot judge it. */
  unjudged: string[];
  /** Every exec approvals document or command (policy/lib/execApprovals.ts). */
  approvals: ApprovalsSource[];
  /** Node hosts (`openclaw node run`) that run as root or as a user a gateway on the same host runs as. */
  sharedNodeHosts: string[];
}

export function obj(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** OpenClaw's config format is JSON5 (comments, trailing commas, unquoted keys), parsed as OpenClaw parses it. */
export function parseJson5Config(text: string): Record<string, unknown> | string {
  try {
    const v: unknown = JSON5.parse(text);
    return isRecord(v) ? v : "the file is not a JSON5 object";
  } catch (e) {
    return `not valid JSON5 (${(e as Error).message})`;
  }
}

// JSON5 ends a line comment at \n, \r, U+2028 or U+2029 alike.
const looksLikeJson5Object = (text: string) => /^\s*(?:\/\/[^\n\r\u2028\u2029]*[\n\r\u2028\u2029]\s*|\/\*[\s\S]*?\*\/\s*)*\{/.test(text);
// clawdbot.json: the legacy name OpenClaw 2026.9.6 still reads from its state directory (LEGACY_CONFIG_FILENAMES).
const namedLikeConfig = (p: string) => /^(?:openclaw\.json5?|clawdbot\.json)$/.test(path.posix.basename(p));

/** A parsed object shaped like an OpenClaw config: only its top-level keys, at least one core section. */
function isOpenclawShaped(v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => TOP_LEVEL_KEYS.has(k)) && keys.some((k) => CORE_KEYS.includes(k));
}

/** Files as they stand after every write (later writes replace, appends add); content undefined when unseen. */
function finalFiles(payload: HostPayload): Map<string, { content?: string; problem?: string; via: string }> {
  const files = new Map<string, { content?: string; problem?: string; via: string }>();
  for (const f of payload.files) {
    const prev = files.get(f.path);
    if (f.append && prev) files.set(f.path, { content: prev.content !== undefined && f.content !== undefined ? prev.content + f.content : undefined, via: f.via, problem: f.problem ?? prev.problem });
    else files.set(f.path, { content: f.content, problem: f.problem, via: f.via });
  }
  return files;
}

const envValue = (v: string) => v.replace(/^["']|["']$/g, "");

/**
 * Where the host's OpenClaw reads its config: OPENCLAW_CONFIG_PATH (explicit), or openclaw.json under OPENCLAW_STATE_DIR /
 * OPENCLAW_HOME (derived; clawdbot.json too, the legacy name). `profiles`: OPENCLAW_PROFILE assignments (another state dir).
 */
function configNames(payload: HostPayload): { all: Set<string>; explicit: Set<string>; derived: Set<string>; profiles: string[] } {
  const out = new Set<string>();
  const explicit = new Set<string>();
  const derived = new Set<string>();
  const profiles: string[] = [];
  const texts = [...payload.texts.map((t) => t.text), ...payload.commands.map((c) => c.line)];
  for (const text of texts) {
    if (!text.includes("OPENCLAW_")) continue;
    for (const a of assignments(text)) {
      // A raw document keeps its escapes (a JSON user data's "\n"): a path ends at the first backslash.
      const v = envValue(envValue(a.value).split("\\")[0]);
      if (a.name === "OPENCLAW_PROFILE" && v !== "") profiles.push(v);
      if (!v.startsWith("/")) continue;
      if (a.name === "OPENCLAW_CONFIG_PATH") explicit.add(path.posix.normalize(v));
      if (a.name === "OPENCLAW_STATE_DIR") {
        derived.add(path.posix.join(v, "openclaw.json"));
        out.add(path.posix.join(v, "clawdbot.json"));
      }
      if (a.name === "OPENCLAW_HOME") derived.add(path.posix.join(v, ".openclaw", "openclaw.json"));
    }
  }
  return { all: new Set([...out, ...explicit, ...derived]), explicit, derived, profiles };
}

/** The user a unit runs as: its last User= (drop-ins after the unit, in name order), root when none. */
function unitUser(files: Map<string, { content?: string }>, unitPath: string): string {
  const dropIns = [...files.keys()].filter((p) => p.startsWith(`${unitPath}.d/`) && p.endsWith(".conf")).sort();
  let user = "root";
  for (const p of [unitPath, ...dropIns]) {
    for (const m of (files.get(p)?.content ?? "").matchAll(/^\s*User\s*=\s*(\S*)\s*$/gm)) user = m[1] === "" ? "root" : m[1];
  }
  return user === "0" ? "root" : user;
}

/** OpenClaw's own path variables, which a config's env section may set for the gateway it starts (dist/config-env-vars-*.mjs). */
const REDIRECTING_ENV = /^\s*OPENCLAW_(?:CONFIG_PATH|STATE_DIR|HOME|PROFILE)\s*$/i;

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

type FileLookup = (p: string) => { content?: string; problem?: string } | undefined;

/** Replace every `$include` (a path or a list, relative to the including file) by the included objects, siblings winning. */
type Resolved = { value: unknown; blind?: undefined; error?: undefined } | { value?: undefined; blind: string; error?: undefined } | { value?: undefined; blind?: undefined; error: string };

/** Every $include a parsed config names, at any depth. */
function includesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(includesOf);
  if (!isRecord(value)) return [];
  return [...asStrings(value.$include), ...Object.entries(value).flatMap(([k, v]) => (k === "$include" ? [] : includesOf(v)))];
}

function resolveIncludes(value: unknown, from: string, files: FileLookup, seen: string[]): Resolved {
  if (Array.isArray(value)) {
    const items = value.map((v) => resolveIncludes(v, from, files, seen));
    const bad = items.find((i) => i.blind || i.error);
    return bad ?? { value: items.map((i) => i.value) };
  }
  if (!isRecord(value)) return { value };
  let merged: unknown = {};
  for (const inc of asStrings(value.$include)) {
    const target = path.posix.resolve(path.posix.dirname(from), inc);
    if (seen.includes(target)) return { error: `$include ${inc} includes itself` };
    const file = files(target);
    if (!file) return { blind: `${target}, which ${from} pulls in with $include, is not delivered by this resource` };
    if (file.content === undefined) return { blind: `${target}, which ${from} pulls in with $include, cannot be read (${file.problem ?? "unseen"})` };
    const parsed = parseJson5Config(file.content);
    if (typeof parsed === "string") return { error: `${target} (pulled in with $include): ${parsed}` };
    const inner = resolveIncludes(parsed, target, files, [...seen, target]);
    if (inner.blind || inner.error) return inner;
    merged = deepMerge(merged, inner.value);
  }
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$include") continue;
    const r = resolveIncludes(v, from, files, seen);
    if (r.blind || r.error) return r;
    own[k] = r.value;
  }
  return { value: deepMerge(merged, own) };
}

/** `openclaw onboard` spells the gateway flags with a prefix. */
const ONBOARD_FLAGS: Record<string, string> = { "gateway-bind": "bind", "gateway-auth": "auth", "gateway-token": "token", "gateway-password": "password", tailscale: "tailscale", "gateway-port": "port" };
/** The doctor's options that repair (dist: --fix is --repair's alias; --yes and --non-interactive apply what it finds). */
const DOCTOR_REPAIRS = ["fix", "repair", "yes", "non-interactive", "force", "generate-gateway-token"];
/** `openclaw gateway` (no subcommand), `gateway run`, and a service's install or start: a gateway comes up and reads its config. */
const STARTS_A_GATEWAY = new Set(["", "run", "install", "start"]);
const startsGateway = ([sub, action]: string[]): boolean => (sub === "gateway" || sub === "daemon") && STARTS_A_GATEWAY.has(action ?? "");
const NOT_A_LAUNCH = new Set(["status", "stop", "restart", "probe", "auth-token", "uninstall", "logs", "health"]);

function setAt(target: Record<string, unknown>, keyPath: string, value: unknown, unset: boolean): void {
  const keys = keyPath.split(".").filter(Boolean);
  let cur: Record<string, unknown> = target;
  for (const k of keys.slice(0, -1)) {
    if (!isRecord(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (last === undefined) return;
  if (unset) delete cur[last];
  else cur[last] = value;
}

/** A `config set` value as OpenClaw reads it: JSON5 when it parses, else the string. */
function configValue(raw: string): unknown {
  try {
    return JSON5.parse(raw);
  } catch {
    return raw;
  }
}


// ---- writes and launches the pack does not model ------------------------------------------------

/** Programs that read a file named on their command line and change nothing (their redirects are modeled). */
const READS_ONLY = new Set([
  "cat", "test", "[", "stat", "ls", "grep", "egrep", "fgrep", "rg", "head", "tail", "sha256sum", "sha1sum", "md5sum", "b2sum", "diff", "cmp", "wc", "file",
  "readlink", "realpath", "echo", "printf", "jq", "yq", "export", "declare", "local", "readonly", "chmod", "chown", "chgrp", "systemd-analyze", "getfacl", "true", "false",
]);
/** Programs that copy a file named on their command line: they write only their destination. */
const COPIES = new Set(["cp", "install", "rsync", "scp"]);
/** Programs that put files into a directory they are given (a destination, -C, -d, --directory). */
const FILLS_DIRECTORY = new Set(["cp", "mv", "install", "ln", "rsync", "scp", "tar", "unzip", "aws", "gsutil", "rclone", "curl", "wget", "git", "busybox"]);
/** The allowlisted paths a resource ships as shell scripts, each with the programs it runs ($1, "$@": what it is given). */
function shippedScripts(source: ApprovalsSource, files: ReadonlyMap<string, { content?: string }>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const list of source.lists) {
    for (const entry of list.entries) {
      const pattern = entryPattern(entry);
      const content = pattern === undefined ? undefined : files.get(pattern)?.content;
      // The kit's own git wrapper runs git on purpose, pinned to its subcommands (tested on its own).
      if (pattern === undefined || content === undefined || !isShellScript(content) || pattern === AGENT_GIT) continue;
      // `exec` is a prefix: `exec npm test` runs npm, `exec "$@"` its arguments.
      const programs = content.split("\n").filter((l) => !/^\s*#/.test(l)).flatMap((l) => simpleCommands(l).map((w) => programOf(w).program));
      out[pattern] = programs.map((p) => (/^["']?\$/.test(p) ? "$1" : p.replace(/^["']|["']$/g, "")));
    }
  }
  return out;
}

/** The destination of a cp/mv/install/ln/rsync/scp: -t DIR, --target-directory=DIR, else the last operand. */
function destinationOf(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-t" || args[i] === "--target-directory") return args[i + 1];
    const m = /^--target-directory=(.*)$/.exec(args[i]);
    if (m) return m[1];
  }
  return args.filter((a) => !a.startsWith("-")).pop();
}

/**
 * Commands that write an OpenClaw config path by a means the pack does not read (sed -i, mv/cp/ln/install/dd
 * onto it, an interpreter, a download into it or its directory): what the gateway reads is then unknown.
 * Modeled writes are left alone: write_files, heredoc/echo redirects (shellScript.ts), `openclaw config set`.
 */
function unmodeledConfigWrites(payload: HostPayload, targets: ReadonlySet<string>): string[] {
  const dirs = new Set([...targets].map((t) => path.posix.dirname(t)).filter((d) => d.split("/").length > 2));
  const names = new Set([...targets].map((t) => path.posix.basename(t)));
  const isTarget = (w: string) => targets.has(w) || (w.startsWith("/") && namedLikeConfig(w));
  // A config's path inside a word (of=..., a -c program), not a longer name beside it (openclaw.json.bak).
  const contains = (w: string, t: string) => new RegExp(`${t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w.-])`).test(w);
  // OpenClaw 2026.9.6 keeps exec approvals (and more) in its state database: a write there is a config change too.
  const mentionsTarget = (w: string) => isTarget(w) || [...targets].some((t) => contains(w, t)) || /\/openclaw\.json5?(?![\w.-])|openclaw\.sqlite/.test(w);
  const isDir = (w: string) => dirs.has(w.replace(/\/+$/, ""));
  const out: string[] = [];
  for (const cmd of payload.commands) {
    for (const words of expandedCommands(cmd.line)) {
      // openclaw itself: its own `config set`/`validate` are modeled or read-only.
      if (openclawOperand(words, programIndex(words)) >= 0) continue;
      const { program, args } = programOf(words);
      const hits = args.filter(mentionsTarget);
      const intoDir = FILLS_DIRECTORY.has(program) && args.some((a) => isDir(a) || (/^--(?:directory|target-directory)=/.test(a) && isDir(a.slice(a.indexOf("=") + 1))));
      if (hits.length === 0 && !intoDir) continue;
      if (READS_ONLY.has(program) || (program === "sed" && !args.some((a) => /^-[a-zA-Z]*i|^--in-place/.test(a)))) continue;
      if (COPIES.has(program) && !intoDir) {
        const dest = destinationOf(args);
        if (dest === undefined || !mentionsTarget(dest)) continue;
      }
      if (intoDir && hits.length === 0 && COPIES.has(program)) {
        // A copy into the config's directory writes a config only when it carries a config's name.
        const sources = args.filter((a) => !a.startsWith("-") && !isDir(a));
        if (!sources.some((src) => names.has(path.posix.basename(src)) || namedLikeConfig(src))) continue;
      }
      out.push(`${cmd.via}: \`${redactCredentials(words.join(" "))}\` changes the OpenClaw config (${[...hits, ...args.filter(isDir)].slice(0, 2).join(", ")}) by a means this plan does not read; ship the final config with write_files, a heredoc, an S3 object or \`openclaw config set\``);
    }
  }
  return out;
}

/** Where a unit's program is the machine image's own binary, not a script shipped beside it. */
const SYSTEM_DIRS = /^\/(?:usr\/)?(?:s?bin|lib\/systemd)\/[^/]+$/;

/**
 * A unit that may start the gateway (it mentions OpenClaw) whose ExecStart runs a program this plan cannot
 * read: a script not delivered with the resource, or one in a language the pack does not follow that names
 * openclaw (a program that never spells the binary's or package's name does not start it).
 */
function unreadableLaunchers(payload: HostPayload): string[] {
  const latest = new Map<string, { content?: string }>();
  for (const f of payload.files) latest.set(f.path, f);
  const out: string[] = [];
  for (const [unitPath, f] of latest) {
    if (f.content === undefined || !isUnitFile(unitPath, f.content) || !/openclaw/i.test(f.content)) continue;
    for (const e of unitExecLines(f.content)) {
      if (e.directive !== "ExecStart" || openclawRuns(e.line).length > 0) continue;
      const { program, args } = programOf(shellWords(e.line));
      const full = shellWords(e.line).find((w) => path.posix.basename(w) === program) ?? program;
      const interpreted = INTERPRETERS.test(program);
      const script = interpreted ? args.find((a) => !a.startsWith("-")) : full;
      if (script === undefined) continue;
      if (!interpreted && SYSTEM_DIRS.test(full)) continue;
      const shipped = latest.get(script);
      // Run by a shell (or by its #! line), a shipped script is followed; run by another interpreter it is not.
      const followed = shipped?.content !== undefined && (interpreted ? /sh$/.test(program) : isShellScript(shipped.content));
      const problem =
        shipped === undefined
          ? "which this resource does not deliver"
          : shipped.content === undefined
            ? "whose content cannot be read"
            : followed || !/openclaw/.test(shipped.content)
              ? undefined
              : "in a language this plan does not follow, and it names openclaw";
      if (problem) out.push(`unit ${unitPath}: ExecStart runs ${script}, ${problem}; it may start the gateway with any flags: start openclaw in ExecStart itself, or ship the script as a shell script with the resource`);
    }
  }
  return out;
}

/** Files a host reads only as data or prose. */
const DATA_FILE = /^\/etc\/(?:motd|issue(?:\.net)?)$|\.(?:md|txt|json5?|ya?ml|log|pem|crt|key|asc|gpg|csv|html?)$/i;

const setupCache = new WeakMap<HostPayload, OpenclawSetup>();

/** Everything about OpenClaw that `props` (a resource of `type`) puts on a host. */
export function openclawSetup(type: string, props: Record<string, unknown>): OpenclawSetup {
  const payload = hostPayload(type, props);
  const hit = setupCache.get(payload);
  if (hit) return hit;
  const files = finalFiles(payload);
  const names = configNames(payload);
  const named = names.all;
  const found: FoundConfig[] = [];
  /** Configs found by their shape alone (not by name), and the files any config pulls in with $include. */
  const byShapeOnly = new Set<string>();
  const included = new Set<string>();
  for (const [p, f] of files) {
    const candidate = namedLikeConfig(p) || named.has(p);
    if (f.content === undefined) {
      if (candidate) found.push({ path: p, edits: [], error: `its content cannot be read (${f.problem ?? "written from something this plan cannot see"})` });
      continue;
    }
    if (!candidate && !looksLikeJson5Object(f.content)) continue;
    const parsed = parseJson5Config(f.content);
    if (typeof parsed === "string") {
      if (candidate) found.push({ path: p, edits: [], error: parsed });
      continue;
    }
    for (const inc of includesOf(parsed)) included.add(path.posix.resolve(path.posix.dirname(p), inc));
    if (!candidate && !isOpenclawShaped(parsed)) continue;
    if (!candidate) byShapeOnly.add(p);
    const resolved = resolveIncludes(parsed, p, (q) => files.get(q), [p]);
    found.push(
      resolved.blind
        ? { path: p, edits: [], blind: resolved.blind }
        : resolved.error
          ? { path: p, edits: [], error: resolved.error }
          : { path: p, edits: [], config: resolved.value as Record<string, unknown> },
    );
  }
  // A file shaped like a config that another config pulls in is judged there, as a part, not as a config of its own.
  const configs = found.filter((c) => !(byShapeOnly.has(c.path) && included.has(c.path)));
  const byPath = new Map(configs.map((c) => [c.path, c]));
  const launches: GatewayLaunch[] = [];
  const funnels: string[] = [];
  const approvals: ApprovalsSource[] = [];
  const setFromFile = new Set<string>();
  const configWrites: string[] = [];
  /** Runs that start a gateway (which then reads a config). */
  const starts: string[] = [];
  /** Where node hosts and gateways are started (a unit, or a script run as root), to tell whose user runs them. */
  const nodeRuns: Array<{ via: string; where: string }> = [];
  const gatewayVias = new Set<string>();
  // The kit's secrets gate runs `openclaw secrets audit` (read only) before the gateway: trusted by its exact text.
  const trusted = (script: string) => script === SECRETS_GATE_SCRIPT && files.get(script)?.content === renderSecretsGate();
  // Per script: pass-through functions (`oc() { node .../openclaw.mjs "$@"; }`) are read at their calls, not as lines.
  const byScript = new Map<string, string[]>();
  for (const cmd of payload.commands) byScript.set(cmd.via, [...(byScript.get(cmd.via) ?? []), cmd.line]);
  const scripts = new Map([...byScript].map(([via, lines]) => [via, passThroughFunctions(lines)]));
  const lineNo = new Map<string, number>();
  for (const cmd of payload.commands) {
    const n = lineNo.get(cmd.via) ?? 0;
    lineNo.set(cmd.via, n + 1);
    const { functions, bodies } = scripts.get(cmd.via) ?? { functions: new Map(), bodies: new Set<number>() };
    if (bodies.has(n)) continue;
    // One parser of the tailscale CLI for both Funnel rules (policy/lib/tailscaleHost.ts).
    if (tailscaleInvocations(cmd.line).includes("publishes")) funnels.push(`${cmd.via}: ${redactCredentials(cmd.line)}`);
    const where = `${cmd.via}: ${redactCredentials(cmd.line)}`;
    const unfollowed = unfollowedOpenclaw(cmd.line, trusted, functions);
    if (unfollowed) configWrites.push(`${where}: ${unfollowed}; this plan cannot tell what it changes: run openclaw by name, as a plain command`);
    for (const inv of openclawRuns(cmd.line, functions)) {
      readRun(inv, cmd.line, where);
      const [sub, action] = inv.args;
      if (sub === "node" && (action === "run" || action === "start")) nodeRuns.push({ via: cmd.via, where });
      if (startsGateway(inv.args)) gatewayVias.add(cmd.via);
    }
  }
  /** One OpenClaw CLI run: a launch, an approvals change, a config edit, or a write this plan cannot read. */
  function readRun(inv: OpenclawRun, line: string, where: string): void {
    const [sub, action] = inv.args;
    if (inv.fails) return;
    if (inv.problem) {
      configWrites.push(`${where}: ${inv.problem}; this plan cannot tell what the run changes`);
      return;
    }
    if (sub === "gateway" && !NOT_A_LAUNCH.has(action ?? "")) launches.push({ where, flags: inv.flags });
    if (startsGateway(inv.args)) {
      starts.push(where);
      if (inv.flags.dev !== undefined || inv.flags.profile !== undefined) configWrites.push(`${where}: --dev or --profile starts the gateway on another state directory's config (a dev config OpenClaw writes itself, on its defaults): this plan cannot judge it; drop the option`);
    }
    // `config patch` and batch `config set` (OpenClaw 2026.9.6's config CLI) write keys this plan does not read from the line.
    const batch = ["batch-file", "batch-json", "stdin", "file"].filter((f) => inv.flags[f] !== undefined);
    if (sub === "config" && (action === "patch" || (action === "set" && batch.length > 0)) && inv.flags["dry-run"] !== true) {
      configWrites.push(`${where}: \`openclaw config ${action}${batch.length > 0 ? ` --${batch[0]}` : ""}\` changes the OpenClaw config by a means this plan does not read; use \`openclaw config set KEY VALUE\` or ship the final config`);
    }
    const approvalsSet = approvalsFromCommand(where, inv.args, inv.flags, (p) => files.get(p)?.content);
    if (approvalsSet) approvals.push(approvalsSet);
    if (sub === "approvals" && typeof inv.flags.file === "string") setFromFile.add(inv.flags.file);
    // `setup` takes onboard's runtime options too (dist/register.setup-*.mjs).
    if (sub === "onboard" || sub === "setup") {
      const flags: Record<string, string | true> = {};
      for (const [k, v] of Object.entries(inv.flags)) if (ONBOARD_FLAGS[k]) flags[ONBOARD_FLAGS[k]] = v;
      if (Object.keys(flags).length > 0) launches.push({ where, flags });
    }
    // `doctor` that repairs rewrites the config and the state (legacy migrations, sessions included) by rules this plan does not model.
    if (sub === "doctor" && DOCTOR_REPAIRS.some((f) => inv.flags[f] !== undefined)) {
      configWrites.push(`${where}: \`openclaw doctor\` with --${DOCTOR_REPAIRS.filter((f) => inv.flags[f] !== undefined).join("/--")} rewrites the config and the state (migrations) by rules this plan does not model; run the doctor without repairs, or ship the final config`);
    }
    // `exec-policy preset|set` writes the config's exec host too (dist/exec-policy-cli-*.mjs): judged as that key's edit.
    const execHost = execPolicyHost(inv.args, inv.flags);
    if (execHost !== undefined) editConfig(inv, line, where, "exec-policy", false, "tools.exec.host", execHost);
    if (sub !== "config" || (action !== "set" && action !== "unset") || batch.length > 0 || inv.flags["dry-run"] === true) return;
    const [rawKey, rawValue] = inv.args.slice(2);
    editConfig(inv, line, where, `config ${action}`, action === "unset", rawKey, rawValue);
  }
  /** One key a run sets (or unsets) in the OpenClaw config it targets. */
  function editConfig(inv: OpenclawRun, line: string, where: string, via: string, unset: boolean, rawKey: string | undefined, rawValue: string | undefined): void {
    const keyPath = rawKey === undefined ? "" : configKeyPath(rawKey);
    const credential = isCredentialName(keyPath.split(".").pop() ?? "");
    // A key (or a setting's value) the shell computes is unknown here; a credential read from a variable is the safe form.
    const unknown =
      keyPath === "" ? "names no key" : expands(rawKey ?? "") ? `takes its key from the shell (\`${rawKey}\`)` : !credential && rawValue !== undefined && expands(rawValue) ? `takes ${keyPath}'s value from the shell` : undefined;
    if (unknown) {
      configWrites.push(`${where}: \`openclaw ${via}\` ${unknown}: this plan cannot tell what it changes; write the key and value out`);
      return;
    }
    if (inv.flags.dev !== undefined || inv.flags.profile !== undefined) {
      configWrites.push(`${where}: \`openclaw ${via}\` with --dev or --profile edits another state directory's config: this plan cannot tell which; drop the option`);
      return;
    }
    const stateDir = inv.env.OPENCLAW_STATE_DIR ?? (inv.env.OPENCLAW_HOME !== undefined ? path.posix.join(envValue(inv.env.OPENCLAW_HOME), ".openclaw") : undefined);
    const given = inv.env.OPENCLAW_CONFIG_PATH ?? (stateDir !== undefined ? path.posix.join(envValue(stateDir), "openclaw.json") : undefined);
    if (given !== undefined && !envValue(given).startsWith("/")) {
      configWrites.push(`${where}: \`openclaw ${via}\` writes the config at ${given}, a path OpenClaw resolves on the host (~, a relative path): this plan cannot tell which file; give OPENCLAW_CONFIG_PATH as an absolute path`);
      return;
    }
    const target = given !== undefined ? path.posix.normalize(envValue(given)) : named.size === 1 ? [...named][0] : undefined;
    const targets = target !== undefined ? [target] : byPath.size > 0 ? [...byPath.keys()] : ["(a config this resource does not deliver)"];
    for (const t of targets) {
      let found = byPath.get(t) ?? configs.find((c) => c.path === t);
      if (!found) {
        found = { path: t, edits: [], config: {}, partial: true };
        configs.push(found);
        byPath.set(t, found);
      }
      // What the agent may do depends on the whole config: an edit of it in a config this resource does not deliver cannot be judged.
      if (found.partial && ENVELOPE_KEYS.has(keyPath.split(".")[0])) {
        configWrites.push(`${where}: \`openclaw ${via}\` changes ${keyPath} in ${t}, a config this resource does not deliver: what the agent may do there cannot be judged; ship that config with the resource`);
      }
      // The edit may fail, run before the file is written or land elsewhere: the config is judged as delivered too.
      if (!found.partial && found.config && found.edits.length === 0) found.asDelivered = structuredClone(found.config);
      if (found.config) setAt(found.config, keyPath, configValue(rawValue ?? ""), unset);
      if (unset) (found.unsets ??= []).push(keyPath);
      // The note quotes the command; a credential's value stays out of it.
      found.edits.push(credential && rawValue !== undefined ? redactCredentials(line).split(rawValue).join("[redacted]") : redactCredentials(line));
    }
  }
  // OpenClaw in text the host may run but this plan does not read as commands: a cron table, a script no command here
  // runs (or runs in a way not followed), a script in another language, a heredoc into a program other than a shell.
  for (const [p, f] of files) {
    if (f.content === undefined || payload.followed.includes(p) || isUnitFile(p, "") || readAsCommands(p) || typeof parseJson5Config(f.content) !== "string") continue;
    if ((RUNNABLE_FILE.test(p) || !DATA_FILE.test(p)) && spellsOpenclawRun(f.content)) {
      configWrites.push(`${f.via} ${p}: spells an openclaw run in a file the host may run that this plan does not read as commands (a script nothing here runs by its path, another language); run openclaw from the user data's lines, a unit's Exec line, a cron table or a script run by its path`);
    }
  }
  // systemd-tmpfiles writes (f, w), copies (C) and links (L) files at boot from its own lines.
  for (const [p, f] of files) {
    if (f.content === undefined || !/(?:^|\/)tmpfiles\.d\/[^/]+\.conf$/.test(p)) continue;
    for (const l of f.content.split(/\r?\n/)) {
      const [type, target] = l.trim().split(/\s+/);
      if (/^[fFwCL][+!^-]*$/.test(type ?? "") && /openclaw/i.test(target ?? "")) configWrites.push(`${f.via} ${p}: \`${l.trim().slice(0, 100)}\` writes ${target} at boot, which this plan does not read; ship the file itself`);
    }
  }
  for (const u of payload.unread) {
    if (NAMES_OPENCLAW.test(u.text) || spellsOpenclawRun(u.text)) configWrites.push(`${u.where}: feeds text naming openclaw to a program this plan does not follow; run it as a command line`);
  }
  // Exec approvals documents too: a sed -i after they are shipped changes what `approvals set --file` loads.
  const targets = new Set([...named, ...configs.map((c) => c.path).filter((p) => p.startsWith("/")), ...setFromFile, ...[...files.keys()].filter(isApprovalsFileName)]);
  // Which config a start reads: each one the host names must be delivered whole, or the gateway may read another (an image's).
  const deliveredWhole = (p: string) => configs.some((c) => c.path === p && !c.partial && c.config !== undefined);
  const startsOn: string | undefined = starts[0];
  const undelivered = startsOn === undefined ? [] : [...names.explicit, ...(names.explicit.size === 0 ? names.derived : [])].filter((p) => !deliveredWhole(p));
  const unnamedReads = [
    ...undelivered.map((p) => `${startsOn}: the host names ${p} as OpenClaw's config, which this resource does not deliver: the gateway may read that one (an image's); ship it, or name only the delivered one`),
    ...(startsOn !== undefined && names.profiles.length > 0 ? [`${startsOn}: OPENCLAW_PROFILE=${names.profiles[0]} moves OpenClaw to another state directory and config: this plan cannot judge which; drop it`] : []),
    ...configs.flatMap((c) => {
      const env = obj(c.config?.env);
      const keys = [...Object.keys(env).filter((k) => k !== "vars" && k !== "shellEnv"), ...Object.keys(obj(env.vars))].filter((k) => REDIRECTING_ENV.test(k));
      return keys.length > 0 ? [`${c.path}: its env section sets ${keys.join(", ")}, which sends the gateway to another config at start (dist/pre-bootstrap-*.mjs): this plan cannot judge that one; remove it`] : [];
    }),
  ];
  // A start with no config delivered runs on one this plan does not see (baked in the image), or on none (OpenClaw refuses to start).
  const unconfigured = startsOn !== undefined && !configs.some((c) => !c.partial) ? [`${startsOn}: starts the gateway, but this resource delivers no OpenClaw config: the one it reads (baked in the image, or written by something this plan does not see) cannot be judged; ship the config with the resource`] : [];
  const unjudged = [...unmodeledConfigWrites(payload, targets), ...configWrites, ...unreadableLaunchers(payload), ...unconfigured, ...unnamedReads];
  for (const c of [...configs]) if (c.asDelivered) configs.push({ path: `${c.path} as delivered (its edits may fail, run first or land elsewhere)`, config: c.asDelivered, edits: [] });
  // Approvals documents on the host by name or shape (those `approvals set --file` reads are judged there).
  for (const [p, f] of files) {
    if (setFromFile.has(p)) continue;
    if (f.content === undefined) {
      if (isApprovalsFileName(p)) approvals.push(blindAt(`file ${p}`, `its content cannot be read (${f.problem ?? "written from something this plan cannot see"})`));
      continue;
    }
    const parsed = isApprovalsFileName(p) || looksLikeJson5Object(f.content) ? parseJson5Config(f.content) : undefined;
    if (isApprovalsFileName(p) || (parsed !== undefined && typeof parsed !== "string" && isApprovalsShaped(parsed))) approvals.push(approvalsFromText(`file ${p}`, f.content));
  }
  for (const source of approvals) source.scripts = shippedScripts(source, files);
  // The node host runs the agent's commands: as root or as the gateway's own user they sit beside its credentials.
  const runAs = (via: string) => (via.startsWith("unit ") ? unitUser(files, via.slice("unit ".length)) : "root");
  const gatewayUsers = new Set([...gatewayVias].map(runAs));
  const sharedNodeHosts = nodeRuns.flatMap(({ via, where }) => {
    const user = runAs(via);
    return user === "root" || gatewayUsers.has(user) ? [`${where}: the node host runs as ${user}${user === "root" ? "" : ", the gateway's own user"}: the agent's commands would run beside the gateway's credentials; give it a user of its own (the kit's openclaw-agent)`] : [];
  });
  const setup = { configs, launches, funnels, unjudged, approvals, sharedNodeHosts };
  setupCache.set(payload, setup);
  return setup;
}

export function shipsOpenclaw(type: string, props: Record<string, unknown>): boolean {
  const s = openclawSetup(type, props);
  return s.configs.length > 0 || s.launches.length > 0 || s.funnels.length > 0 || s.unjudged.length > 0 || s.approvals.length > 0 || openclawUnseen(type, props).length > 0;
}

/** An S3 object named like an OpenClaw config whose content cannot be seen offline. */
export function openclawUnseen(type: string, props: Record<string, unknown>): string[] {
  if (!(S3_OBJECT_TYPES as readonly string[]).includes(type)) return [];
  const key = readKnown(props, "key", undefined);
  return typeof key === "string" && namedLikeConfig(key) ? hostPayload(type, props).unseen : [];
}

/** The parsed configs only (rules other than openclaw-config-readable skip the unreadable ones). */
export function readableConfigs(type: string, props: Record<string, unknown>): Array<{ path: string; config: Record<string, unknown>; partial: boolean; edited: string }> {
  return openclawSetup(type, props).configs.flatMap((f) =>
    f.config ? [{ path: f.path, config: f.config, partial: f.partial === true, edited: f.edits.length > 0 ? ` (after ${f.edits.map((e) => `\`${e}\``).join(", ")})` : "" }] : [],
  );
}

/**
 * The trust level the resource declares with the clawkeep:trustLevel tag. An untagged gateway is
 * judged as level 0, the guides' starting point ("an advisor until proven").
 */
export function declaredTrustLevel(props: Record<string, unknown>): { level: TrustLevel; tagged: boolean; problem?: string } {
  const tags = { ...tagsOf(props) };
  for (const spec of asArray(props.tagSpecifications)) {
    if (isRecord(spec) && (spec.resourceType === undefined || spec.resourceType === "instance")) Object.assign(tags, tagsOf(spec));
  }
  const raw = tags[TRUST_LEVEL_TAG];
  if (raw === undefined) return { level: 0, tagged: false };
  const n = Number(raw);
  if (!(TRUST_LEVELS as readonly number[]).includes(n) || raw.trim() === "") {
    return { level: 0, tagged: true, problem: `tag ${TRUST_LEVEL_TAG}="${raw}" is not one of 0, 1, 2, 3; judged as level 0` };
  }
  return { level: n as TrustLevel, tagged: true };
}

// ---- the gateway's exposure and authentication ----------------------------------------------

/** Where the gateway listens beyond loopback: gateway.bind in a config, --bind on a launch. */
export function bindProblems(setup: OpenclawSetup): string[] {
  const out: string[] = [];
  for (const c of setup.configs) {
    if (!c.config) continue;
    const bind = obj(c.config.gateway).bind;
    if (bind !== undefined && bind !== "loopback") out.push(`${c.path}: gateway.bind is ${JSON.stringify(bind)}, not "loopback"${editedNote(c)}`);
  }
  for (const l of setup.launches) {
    const bind = l.flags.bind;
    if (bind !== undefined && bind !== "loopback") out.push(`${l.where}: --bind ${bind === true ? "(no value)" : bind} (the flag overrides the config), not loopback`);
  }
  return out;
}

const editedNote = (c: FoundConfig) => (c.edits.length > 0 ? ` (after ${c.edits.map((e) => `\`${e}\``).join(", ")})` : "");

/** OpenClaw's own rate-limit defaults: a config may tighten them, never loosen them. */
export const RATE_LIMIT_FLOOR = { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000 } as const;

const isLiteralSecret = (v: unknown): v is string => typeof v === "string" && v.trim() !== "" && !isReference(v);

/** A CIDR (or address list entry) that covers every address: 0.0.0.0/0, ::/0, "*", "any". */
const EVERY_ADDRESS = (v: unknown) => typeof v === "string" && /^(?:\*|any|all|0\.0\.0\.0\/0|::\/0|0\.0\.0\.0|::)$/i.test(v.trim());

/**
 * OpenClaw 2026.9.6 settings not spelled dangerously* that weaken gateway auth or device/node pairing
 * (sources in openclaw-gateway-auth.ts's header). Each is judged at every level.
 */
export function authWeakeningProblems(config: Record<string, unknown>, partial = false): string[] {
  const out: string[] = [];
  const gateway = obj(config.gateway);
  const controlUi = obj(gateway.controlUi);
  const auth = obj(gateway.auth);
  const pairing = obj(obj(gateway.nodes).pairing);
  // 2026.9.6 (dist/auth-resolve-*.mjs): allowTailscale ?? (tailscale.mode "serve" and token mode), so Serve alone turns it on.
  // An edit that turns Serve on says nothing of the rest of the file: it must set allowTailscale false itself.
  if (auth.allowTailscale === true) out.push(TAILSCALE_IDENTITY_AUTH("gateway.auth.allowTailscale is true"));
  else if (obj(gateway.tailscale).mode === "serve" && auth.allowTailscale !== false) {
    const missing = partial ? "the same edits do not set gateway.auth.allowTailscale to false" : "gateway.auth.allowTailscale is not false";
    out.push(TAILSCALE_IDENTITY_AUTH(`gateway.tailscale.mode is "serve" and ${missing} (OpenClaw then defaults it to true)`));
  }
  if (controlUi.allowInsecureAuth === true) out.push("gateway.controlUi.allowInsecureAuth is true: the Control UI takes a bare token over plain HTTP without device identity");
  if (controlUi.allowInsecure === true) out.push("gateway.controlUi.allowInsecure is true: no device identity for the Control UI, and Host-header origin fallback");
  if (asArray(pairing.autoApproveCidrs).length > 0) out.push(`gateway.nodes.pairing.autoApproveCidrs is ${JSON.stringify(pairing.autoApproveCidrs)}: node pairing (system.run on the node) is approved by source address, not by a human; leave it unset`);
  if (asArray(obj(pairing.sshVerify).cidrs).some(EVERY_ADDRESS)) out.push("gateway.nodes.pairing.sshVerify.cidrs covers every address: SSH-verified auto-approval probes any host that asks");
  if (obj(obj(auth.trustedProxy).deviceAutoApprove).enabled === true) out.push("gateway.auth.trustedProxy.deviceAutoApprove.enabled is true: devices behind the proxy pair without an operator");
  if (obj(auth.rateLimit).exemptLoopback === true) out.push("gateway.auth.rateLimit.exemptLoopback is true: local processes guess the token unthrottled (mistake 1, trusting loopback)");
  if (gateway.allowRealIpFallback === true) out.push("gateway.allowRealIpFallback is true: a client picks its own address with X-Real-IP (local detection and rate limits)");
  if (asArray(gateway.trustedProxies).some(EVERY_ADDRESS)) out.push(`gateway.trustedProxies is ${JSON.stringify(gateway.trustedProxies)}: any client's forwarded headers are believed`);
  return out;
}

const TAILSCALE_IDENTITY_AUTH = (what: string): string =>
  `${what}: a request through Tailscale Serve is let in on the tailnet identity alone, without the gateway token (OpenClaw says to turn it off where untrusted code runs on the host, as the agent's does); set gateway.auth.allowTailscale to false`;

/** Where the gateway runs without token authentication, or with a token anyone can read or guess. */
export function authProblems(setup: OpenclawSetup): string[] {
  const out: string[] = [];
  for (const c of setup.configs) {
    if (!c.config) continue;
    const at = `${c.path}${editedNote(c)}`;
    const gateway = obj(c.config.gateway);
    const auth = obj(gateway.auth);
    if (!c.partial || auth.mode !== undefined) {
      if (auth.mode !== "token") out.push(`${at}: gateway.auth.mode is ${auth.mode === undefined ? "unset" : JSON.stringify(auth.mode)}; set "token" explicitly (password, none and trusted-proxy are refused at every level)`);
    }
    if (isLiteralSecret(auth.token)) {
      out.push(`${at}: gateway.auth.token is written in the file${isWeakSecret(auth.token) ? " and is human-chosen (weak)" : ""}; anyone who can read the user data or the bucket has it: use a SecretRef`);
    }
    if (isLiteralSecret(auth.password)) out.push(`${at}: gateway.auth.password is written in the file; use token auth with a SecretRef`);
    const rl = auth.rateLimit;
    if (rl === false || obj(rl).enabled === false) out.push(`${at}: gateway.auth.rateLimit is off (brute force is unthrottled)`);
    else if (isRecord(rl)) {
      const weak: string[] = [];
      if (typeof rl.maxAttempts === "number" && rl.maxAttempts > RATE_LIMIT_FLOOR.maxAttempts) weak.push(`maxAttempts ${rl.maxAttempts} > ${RATE_LIMIT_FLOOR.maxAttempts}`);
      if (typeof rl.windowMs === "number" && rl.windowMs < RATE_LIMIT_FLOOR.windowMs) weak.push(`windowMs ${rl.windowMs} < ${RATE_LIMIT_FLOOR.windowMs}`);
      if (typeof rl.lockoutMs === "number" && rl.lockoutMs < RATE_LIMIT_FLOOR.lockoutMs) weak.push(`lockoutMs ${rl.lockoutMs} < ${RATE_LIMIT_FLOOR.lockoutMs}`);
      if (weak.length > 0) out.push(`${at}: gateway.auth.rateLimit is looser than OpenClaw's defaults (${weak.join(", ")})`);
    }
    const origins = asStrings(obj(gateway.controlUi).allowedOrigins);
    if (origins.some((o) => o.trim() === "*" || o.trim() === "null")) out.push(`${at}: gateway.controlUi.allowedOrigins lets any web page's origin drive the Control UI`);
    out.push(...authWeakeningProblems(c.config, c.partial).map((p) => `${at}: ${p}`));
    // Unsetting it brings back OpenClaw's default, true wherever Serve is on.
    if (c.unsets?.some((k) => ["gateway", "gateway.auth", "gateway.auth.allowTailscale"].includes(k))) out.push(`${at}: ${TAILSCALE_IDENTITY_AUTH("`openclaw config unset` removes gateway.auth.allowTailscale (OpenClaw's default is true under Tailscale Serve)")}`);
  }
  // Every whole config the resource ships must turn it off: a launch may read any of them (a decoy elsewhere proves nothing).
  const whole = setup.configs.filter((c) => !c.partial && c.config);
  const tailscaleIdentityOff = whole.length > 0 && whole.every((c) => obj(obj(c.config?.gateway).auth).allowTailscale === false);
  for (const l of setup.launches) {
    const auth = l.flags.auth;
    if (auth !== undefined && auth !== "token") out.push(`${l.where}: --auth ${auth === true ? "(no value)" : auth} (the flag overrides the config); only token auth is accepted`);
    if (isLiteralSecret(l.flags.token)) out.push(`${l.where}: --token puts the gateway token on the command line (every local user reads it in ps and /proc)`);
    if (l.flags.password !== undefined) out.push(`${l.where}: --password selects password auth; only token auth is accepted`);
    if (l.flags.tailscale === "serve" && !tailscaleIdentityOff) out.push(`${l.where}: ${TAILSCALE_IDENTITY_AUTH("--tailscale serve with no config that sets gateway.auth.allowTailscale to false")}`);
  }
  return out;
}

/** Where the gateway is published to the internet with Tailscale Funnel. */
export function funnelProblems(setup: OpenclawSetup): string[] {
  const out: string[] = [];
  for (const c of setup.configs) {
    if (c.config && obj(obj(c.config.gateway).tailscale).mode === "funnel") out.push(`${c.path}: gateway.tailscale.mode is "funnel" (public internet)${editedNote(c)}`);
  }
  for (const l of setup.launches) if (l.flags.tailscale === "funnel") out.push(`${l.where}: --tailscale funnel (public internet)`);
  for (const f of setup.funnels) out.push(`${f} publishes with Tailscale Funnel (public internet)`);
  return out;
}

// ---- tool access ---------------------------------------------------------------------------

const ALIASES = TOOL_ALIASES;
const canonical = (tool: string) => ALIASES[tool.toLowerCase()] ?? tool.toLowerCase();

/** Does a policy entry (tool name, `group:*`, or `*` wildcard) name `tool`? */
export function entryMatches(entry: string, tool: string): boolean {
  const e = entry.trim().toLowerCase();
  const t = canonical(tool);
  if (e === "group:openclaw") return !(OPENCLAW_GROUP_EXCLUDES as readonly string[]).includes(t);
  if (e === "group:plugins") return false;
  if (TOOL_GROUPS[e]) return TOOL_GROUPS[e].includes(t);
  if (e.includes("*")) {
    const re = new RegExp(`^${e.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    return re.test(t) || Object.entries(ALIASES).some(([alias, target]) => target === t && re.test(alias));
  }
  return canonical(e) === t;
}

const anyMatches = (entries: readonly string[], tool: string) => entries.some((e) => entryMatches(e, tool));

interface ToolScope {
  label: string;
  tools: Record<string, unknown>;
}

/** Grants made outside the scope's own lists: per provider, per sender, per channel/group. */
function extraGrants(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  const take = (policy: unknown) => {
    const p = obj(policy);
    out.push(...asStrings(p.allow), ...asStrings(p.alsoAllow));
  };
  const fromTools = (tools: Record<string, unknown>) => {
    for (const p of Object.values(obj(tools.byProvider))) take(p);
    for (const p of Object.values(obj(tools.toolsBySender))) take(p);
  };
  fromTools(obj(config.tools));
  for (const [, agent] of agentEntries(config)) fromTools(obj(obj(agent).tools));
  for (const e of entriesDeep(config.channels)) {
    if (e.key === "tools") take(e.value);
    if (e.key === "toolsBySender") for (const p of Object.values(obj(e.value))) take(p);
  }
  return out;
}

/** Where an OpenClaw config's judgement of what the agent may do reads from: an edit of these keys elsewhere cannot be judged. */
const ENVELOPE_KEYS = new Set(["tools", "agents", "channels", "session", "browser"]);

/** Every agent of a config: `agents.entries` by id, and the legacy `agents.list` roster OpenClaw 2026.9.6 still loads (dist/legacy.roster-*.mjs). */
function agentEntries(config: Record<string, unknown>): Array<[string, unknown]> {
  const agents = obj(config.agents);
  const listed = asArray(agents.list).map((a, i): [string, unknown] => [`list[${i}]${typeof obj(a).id === "string" ? ` (${String(obj(a).id)})` : ""}`, a]);
  return [...Object.entries(obj(agents.entries)).map(([id, a]): [string, unknown] => [`entries.${id}`, a]), ...listed];
}

function scopes(config: Record<string, unknown>): ToolScope[] {
  const global = obj(config.tools);
  const out: ToolScope[] = [{ label: "tools", tools: global }];
  for (const [id, agent] of agentEntries(config)) {
    const own = obj(obj(agent).tools);
    // An agent inherits the global policy; its own profile/allow replace, its denies add.
    out.push({
      label: `agents.${id}.tools`,
      tools: {
        ...global,
        ...own,
        deny: [...asStrings(global.deny), ...asStrings(own.deny)],
        alsoAllow: [...asStrings(global.alsoAllow), ...asStrings(own.alsoAllow)],
        exec: { ...obj(global.exec), ...obj(own.exec) },
        fs: { ...obj(global.fs), ...obj(own.fs) },
      },
    });
  }
  return out;
}

/**
 * May an agent in this scope call `tool`? Over-approximates where OpenClaw's layering is ambiguous
 * (grants anywhere count, only the scope's own denies and allow clamp subtract): a gate must not
 * pass a config that might allow more than the level permits.
 */
export function toolReachable(tools: Record<string, unknown>, extra: readonly string[], tool: string): boolean {
  if (anyMatches(asStrings(tools.deny), tool)) return false;
  const profile = typeof tools.profile === "string" ? tools.profile : "full";
  const base = TOOL_PROFILES[profile] ?? ["*"];
  const allow = asStrings(tools.allow);
  const granted = allow.length > 0 ? anyMatches(allow, tool) : anyMatches(base, tool) || anyMatches(asStrings(tools.alsoAllow), tool);
  // allow: ["write"] also enables apply_patch (tool-policy.md).
  const viaWrite = canonical(tool) === "apply_patch" && toolReachable(tools, extra, "write");
  return granted || anyMatches(extra, tool) || viaWrite;
}

interface Capability {
  what: string;
  tools: readonly string[];
  allowed(c: LevelCapabilities): boolean;
}

const CAPABILITIES: readonly Capability[] = [
  { what: "file reads", tools: TOOL_CATALOG.fileRead, allowed: (c) => c.fileRead },
  { what: "file writes", tools: TOOL_CATALOG.fileWrite, allowed: (c) => c.fileWrite },
  { what: "commands", tools: TOOL_CATALOG.commands, allowed: (c) => c.commands !== "none" },
  { what: "web access", tools: TOOL_CATALOG.web, allowed: (c) => c.web },
  { what: "spawning sessions", tools: TOOL_CATALOG.sessionsSpawn, allowed: (c) => c.sessionsSpawn },
  { what: "scheduled work (cron)", tools: TOOL_CATALOG.automation, allowed: (c) => c.automation },
  { what: "paired-node commands", tools: TOOL_CATALOG.nodes, allowed: (c) => c.nodeSystemRun },
  // Self-reconfiguration is outside every envelope (trustLevels.ts: the gateway tool is never allowed).
  { what: "reconfiguring OpenClaw itself", tools: TOOL_CATALOG.selfReconfiguration, allowed: () => false },
];

/** Exec approval modes inside the envelope: a human or an allowlist decides, never a model or nobody. */
const SAFE_EXEC_MODES = ["deny", "allowlist", "ask"];
const SAFE_EXEC_SECURITY = ["deny", "allowlist"];

function execProblem(exec: Record<string, unknown>): string | undefined {
  if (typeof exec.mode === "string") {
    return SAFE_EXEC_MODES.includes(exec.mode) ? undefined : `exec.mode is "${exec.mode}"`;
  }
  if (typeof exec.security === "string") {
    return SAFE_EXEC_SECURITY.includes(exec.security) ? undefined : `exec.security is "${exec.security}"`;
  }
  return "exec.mode is unset, and OpenClaw's default on the gateway host is full (no approvals)";
}

/**
 * Safe bins run with no approval: the kit's own allowlist predicates (stacks/execAllowlist.ts) decide what
 * may never be one (shells, interpreters, dispatchers, ...), and they may come only from root-owned directories.
 */
function safeBinProblems(label: string, exec: Record<string, unknown>, commandsReachable: boolean): string[] {
  const out: string[] = [];
  for (const bin of asStrings(exec.safeBins)) {
    const why = neverAllowlisted(bin.trim());
    if (why) out.push(`${label}: exec.safeBins names ${bin}, ${why}: it would run any program unasked`);
  }
  for (const dir of asStrings(exec.safeBinTrustedDirs)) {
    if (!EXEC_DIRS.includes(`${dir.trim().replace(/\/+$/, "")}/` as (typeof EXEC_DIRS)[number])) out.push(`${label}: exec.safeBinTrustedDirs names ${dir}; only root-owned ${EXEC_DIRS.join(", ")} may hold safe bins`);
  }
  if (commandsReachable && exec.strictInlineEval === false) out.push(`${label}: exec.strictInlineEval is false: interpreter inline code (python -c, node -e) passes the allowlist`);
  return out;
}

/**
 * Where an OpenClaw config lets the agent do more than trust level `level` allows. Pure, so the kit's
 * component tests can run it on the rendered config. [] means the config is inside the envelope.
 */
export function openclawEnvelopeViolations(level: TrustLevel, config: unknown): string[] {
  const caps = LEVELS[level];
  const cfg = obj(config);
  const extra = extraGrants(cfg);
  const browserOff = obj(cfg.browser).enabled === false;
  const problems: string[] = [];
  for (const scope of scopes(cfg)) {
    for (const cap of CAPABILITIES) {
      if (cap.allowed(caps)) continue;
      const reachable = cap.tools.filter((t) => !(t === "browser" && browserOff) && toolReachable(scope.tools, extra, t));
      if (reachable.length > 0) {
        problems.push(`${scope.label}: ${reachable.join(", ")} reachable, but level ${level} (${caps.name}) allows no ${cap.what}`);
      }
    }
    const runtime = TOOL_GROUPS["group:runtime"].filter((t) => toolReachable(scope.tools, extra, t));
    const execIssue = runtime.length > 0 ? execProblem(obj(scope.tools.exec)) : undefined;
    if (execIssue) problems.push(`${scope.label}: ${runtime.join(", ")} reachable and ${execIssue}; use "ask" or "allowlist" (a human approves misses)`);
    // Where commands run decides what they reach: on the gateway host ("gateway", or "auto" with no sandbox) they run as the
    // gateway, beside its credentials, config and state; the kit's node host runs them as their own user, in their own sandbox.
    const host = obj(scope.tools.exec).host;
    if (runtime.length > 0 && (typeof host !== "string" || host.trim().toLowerCase() !== "node")) {
      problems.push(
        `${scope.label}: ${runtime.join(", ")} reachable and exec.host is ${host === undefined ? 'unset (OpenClaw\'s "auto": the gateway host when no sandbox runs)' : JSON.stringify(host)}: the agent's commands would run as the gateway, beside its credentials; set tools.exec.host "node" (the kit's node host)`,
      );
    }
    problems.push(...safeBinProblems(scope.label, obj(scope.tools.exec), runtime.length > 0));
    const fsTools = ["read", "write", "edit", "apply_patch"].filter((t) => toolReachable(scope.tools, extra, t));
    if (fsTools.length > 0 && obj(scope.tools.fs).workspaceOnly !== true) {
      problems.push(`${scope.label}: ${fsTools.join(", ")} reachable without fs.workspaceOnly: true (files outside the workspace)`);
    }
    if (fsTools.includes("apply_patch") && obj(obj(scope.tools.exec).applyPatch).workspaceOnly === false) {
      problems.push(`${scope.label}: exec.applyPatch.workspaceOnly is false (patches outside the workspace)`);
    }
  }
  if (obj(obj(cfg.tools).elevated).enabled !== false) {
    problems.push("tools.elevated.enabled is not false (OpenClaw enables elevated exec by default; no level allows it)");
  }
  return [...problems, ...channelProblems(cfg), ...sessionProblems(caps, cfg), ...auditProblems(cfg)];
}

/** Who may talk to the agent: every level requires pairing or an allowlist, never anyone on the channel. */
function channelProblems(cfg: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const e of entriesDeep(cfg.channels)) {
    const at = `channels.${e.path.join(".")}`;
    if ((e.key === "dmPolicy" || e.key === "groupPolicy") && e.value === "open") out.push(`${at} is "open": anyone on the channel can drive the agent (use "pairing" or "allowlist")`);
    if (/^(?:group)?allowFrom$/i.test(e.key) && asArray(e.value).some((v) => String(v).trim() === "*")) out.push(`${at} allows "*" (everyone)`);
  }
  return out;
}

/** The guides' session limits: idle sessions end within 30 minutes at every level; time-limited levels also reset daily. */
function sessionProblems(caps: LevelCapabilities, cfg: Record<string, unknown>): string[] {
  const out: string[] = [];
  const session = obj(cfg.session);
  const judgeReset = (label: string, reset: unknown, required: boolean) => {
    if (reset === undefined) {
      if (required) out.push(`${label} is unset: no idle reset (set mode "idle" or "daily" with idleMinutes <= ${SESSION_IDLE_MAX_MINUTES})`);
      return;
    }
    const r = obj(reset);
    if (r.mode !== "idle" && r.mode !== "daily") {
      out.push(`${label}.mode is ${JSON.stringify(r.mode)}: sessions never reset`);
      return;
    }
    if (typeof r.idleMinutes !== "number" || r.idleMinutes > SESSION_IDLE_MAX_MINUTES) {
      out.push(`${label}.idleMinutes is ${r.idleMinutes === undefined ? "unset" : String(r.idleMinutes)}: idle sessions must end within ${SESSION_IDLE_MAX_MINUTES} minutes`);
    }
    if (required && caps.timeLimitedSessions && r.mode !== "daily") out.push(`${label}.mode is "${String(r.mode)}", but level ${caps.level} (${caps.name}) has time-limited sessions: reset "daily" as well`);
  };
  judgeReset("session.reset", session.reset, true);
  for (const [kind, r] of Object.entries(obj(session.resetByType))) judgeReset(`session.resetByType.${kind}`, r, false);
  const maxAge = obj(session.threadBindings).maxAgeHours;
  if (typeof maxAge === "number" && (maxAge <= 0 || maxAge > SESSION_MAX_HOURS)) out.push(`session.threadBindings.maxAgeHours is ${maxAge}: sessions are limited to ${SESSION_MAX_HOURS} hours`);
  return out;
}

/** The audit trail and OpenClaw's own log redaction stay on. */
function auditProblems(cfg: Record<string, unknown>): string[] {
  const out: string[] = [];
  const logging = obj(cfg.logging);
  if (obj(logging.audit).enabled !== true) out.push(`logging.audit.enabled is ${JSON.stringify(obj(logging.audit).enabled) ?? "unset"}: tool calls and config changes must leave an audit record`);
  if (Array.isArray(logging.redactPatterns) && logging.redactPatterns.length === 0) out.push("logging.redactPatterns is empty: it replaces OpenClaw's default redaction list, so tokens and keys reach logs and transcripts");
  if (logging.redactSensitive === "off" || logging.redactSensitive === false) out.push("logging.redactSensitive is off");
  if (logging.level === "silent" || logging.level === "off") out.push(`logging.level is "${String(logging.level)}"`);
  return out;
}

/**
 * What edits of a config this resource does not deliver set within the envelope: logging keys judged on their own (over
 * settings that pass). Edits of the keys that depend on the rest (ENVELOPE_KEYS) are "cannot judge" where they are read.
 */
export function partialEnvelopeViolations(config: Record<string, unknown>): string[] {
  return auditProblems({ logging: deepMerge({ audit: { enabled: true } }, obj(config.logging)) as Record<string, unknown> });
}

/** Every key named dangerously* that is set to true, as dotted paths. */
export function dangerousFlags(config: unknown): string[] {
  const out: string[] = [];
  for (const e of entriesDeep(config)) {
    if (/^dangerously/i.test(e.key) && e.value === true) out.push(e.path.join("."));
  }
  return out;
}
