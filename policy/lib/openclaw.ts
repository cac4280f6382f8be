// OpenClaw on an instance: finding the openclaw.json its cloud-init writes, and judging that config
// against the gateway rules and the trust level's envelope (stacks/trustLevels.ts). Key names and
// defaults follow OpenClaw 2026.9.6's documentation (docs/gateway/config-tools/tool-policy.md,
// docs/tools/exec.md, docs/gateway/sandbox-vs-tool-policy-vs-elevated.md).
import { parse as parseYaml } from "yaml";
import { OPENCLAW_GROUP_EXCLUDES, TOOL_ALIASES, TOOL_CATALOG, TOOL_GROUPS, TOOL_PROFILES } from "../../stacks/openclawTools";
import { LEVELS, TRUST_LEVELS, TRUST_LEVEL_TAG, type LevelCapabilities, type TrustLevel } from "../../stacks/trustLevels";
import { shippedFiles, userDataText } from "./userData";
import { asArray, asStrings, entriesDeep, isRecord, tagsOf } from "./values";

/** Resources that can deliver an openclaw.json to a host: cloud-init user data, or a host bundle object in S3. */
export const OPENCLAW_TYPES = [
  "aws:ec2/instance:Instance",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:s3/bucketObjectv2:BucketObjectv2",
  "aws:s3/bucketObject:BucketObject",
] as const;

/** config is set when the file parsed, error when it did not (one shape: see ParsedPolicy). */
export interface FoundConfig {
  path: string;
  config?: Record<string, unknown>;
  error?: string;
}

// JSON first (what a renderer writes); YAML accepts most of JSON5's relaxed syntax as a fallback.
function parseConfig(text: string): Record<string, unknown> | string {
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : "the file is not a JSON object";
  } catch (jsonError) {
    try {
      const v: unknown = parseYaml(text);
      if (isRecord(v)) return v;
    } catch {
      // fall through to the JSON error, the more useful of the two
    }
    return `not valid JSON/JSON5 (${(jsonError as Error).message})`;
  }
}

const cache = new Map<string, FoundConfig[]>();

/** Every openclaw.json the resource delivers (cloud-init write_files or a host bundle), parsed. [] when none. */
export function openclawConfigs(props: Record<string, unknown>): FoundConfig[] {
  const source = userDataText(props) ?? (typeof props.contentBase64 === "string" ? props.contentBase64 : undefined);
  if (source === undefined) return [];
  const hit = cache.get(source);
  if (hit) return hit;
  const found: FoundConfig[] = shippedFiles(props)
    .filter((f) => f.path.endsWith("openclaw.json"))
    .map((f) => {
      if (f.content === undefined) return { path: f.path, error: `its encoding "${f.encoding}" cannot be decoded` };
      const parsed = parseConfig(f.content);
      return typeof parsed === "string" ? { path: f.path, error: parsed } : { path: f.path, config: parsed };
    });
  if (cache.size > 32) cache.clear();
  cache.set(source, found);
  return found;
}

export function shipsOpenclaw(_type: string, props: Record<string, unknown>): boolean {
  return openclawConfigs(props).length > 0;
}

/** The parsed configs only (rules other than openclaw-config-readable skip the unreadable ones). */
export function readableConfigs(props: Record<string, unknown>): Array<{ path: string; config: Record<string, unknown> }> {
  return openclawConfigs(props).flatMap((f) => (f.config ? [{ path: f.path, config: f.config }] : []));
}

export function obj(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/**
 * The trust level the instance declares with the clawkeep:trustLevel tag. An untagged gateway is
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
  for (const agent of Object.values(obj(obj(config.agents).entries))) fromTools(obj(obj(agent).tools));
  for (const e of entriesDeep(config.channels)) {
    if (e.key === "tools") take(e.value);
    if (e.key === "toolsBySender") for (const p of Object.values(obj(e.value))) take(p);
  }
  return out;
}

function scopes(config: Record<string, unknown>): ToolScope[] {
  const global = obj(config.tools);
  const out: ToolScope[] = [{ label: "tools", tools: global }];
  for (const [id, agent] of Object.entries(obj(obj(config.agents).entries))) {
    const own = obj(obj(agent).tools);
    // An agent inherits the global policy; its own profile/allow replace, its denies add.
    out.push({
      label: `agents.entries.${id}.tools`,
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
  return problems;
}

/** Every key named dangerously* that is set to true, as dotted paths. */
export function dangerousFlags(config: unknown): string[] {
  const out: string[] = [];
  for (const e of entriesDeep(config)) {
    if (/^dangerously/i.test(e.key) && e.value === true) out.push(e.path.join("."));
  }
  return out;
}
