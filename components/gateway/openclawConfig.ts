// openclaw.json for one gateway cell, rendered from the stack model. Every key here was checked against
// the pinned OpenClaw's strict schema (2026.9.6): an unknown key stops the gateway (exit 78).
import { AGENT_NODE_COMMANDS, AGENT_NODE_NAME, CREDENTIALS_DIR, PATHS, TOKEN_CREDENTIAL, providerKeyCredential, providerKeyFileName } from "../base/layout";
import type { StackModel } from "../../stacks/schema";
import { TOOL_CATALOG } from "../../stacks/openclawTools";
import type { LevelCapabilities, ModelProvider } from "../../stacks/trustLevels";

/** The auth lock-out the guide asks for: 5 failed attempts lock the caller out for 15 minutes. */
export const AUTH_LOCKOUT = { maxAttempts: 5, lockoutMinutes: 15 } as const;

/** Secret provider alias for the gateway token (schema: ^[a-z][a-z0-9_-]{0,63}$). */
export const TOKEN_SECRET_PROVIDER = "gateway-token";
/** The one agent the kit configures; OpenClaw's default agent id. */
export const AGENT_ID = "main";
/** Daily session reset hour (UTC on the host) for time-limited levels. */
export const DAILY_RESET_HOUR = 4;

type ExecMode = "deny" | "allowlist" | "ask" | "auto" | "full";
type SecretRef = { source: "file"; provider: string; id: string };

/** The subset of OpenClaw's config schema the kit writes. */
export interface OpenclawConfig {
  gateway: {
    mode: "local";
    port: number;
    bind: "loopback";
    auth: {
      mode: "token";
      token: SecretRef;
      rateLimit: { maxAttempts: number; windowMs: number; lockoutMs: number; exemptLoopback: boolean };
      allowTailscale: boolean;
    };
    tailscale: { mode: "off" };
    /** Tailscale Serve proxies from the host's loopback (through the ingress bridge): its forwarded headers are trusted from there only. */
    trustedProxies: string[];
    terminal: { enabled: boolean };
    cliAgents: { enabled: boolean };
    controlUi: { enabled: boolean; automaticallyFetchFavicons: boolean };
    nodes: {
      pairing: { autoApproveLocal: boolean; sshVerify: boolean };
      commands: { deny: string[] } | { allow: string[] };
      pluginTools: { enabled: boolean };
      allowSkills: boolean;
    };
    reload: { mode: "hybrid" };
  };
  secrets: { providers: Record<string, { source: "file"; path: string; mode: "singleValue" }> };
  models: {
    catalogRefresh: { enabled: boolean };
    providers: Partial<Record<ModelProvider, { apiKey: SecretRef; agentRuntime: { id: "openclaw" } }>>;
  };
  discovery: { mdns: { mode: "off" } };
  update: { checkOnStart: boolean; auto: { enabled: boolean } };
  browser: { enabled: boolean };
  plugins: { allow: string[]; entries: Record<string, { enabled: boolean }> };
  hooks: { enabled: boolean; internal: { enabled: boolean } };
  commands: { bash: boolean; config: boolean; debug: boolean };
  agents: {
    defaults: {
      model: { primary: string; fallbacks: string[] };
      modelPolicy: { allow: string[] };
      workspace: string;
      elevatedDefault: "off";
      sandbox: { mode: "off" };
      contextPruning: { mode: "cache-ttl"; ttl: string };
    };
  };
  tools: {
    allow: string[];
    deny: string[];
    fs: { workspaceOnly: boolean };
    exec: { mode: ExecMode; host: "gateway" | "node"; node?: string; timeoutSeconds: number; strictInlineEval: boolean; applyPatch: { workspaceOnly: boolean } };
    elevated: { enabled: boolean };
    agentToAgent: { enabled: boolean };
    sessions: { visibility: "tree" };
    loopDetection: { enabled: boolean };
  };
  session: {
    dmScope: "per-channel-peer";
    reset: { mode: "idle" | "daily"; idleMinutes: number; atHour?: number };
    threadBindings?: { maxAgeHours: number };
  };
  logging: { level: "info"; file: string; consoleStyle: "json"; consoleLevel: "info"; audit: { enabled: boolean } };
  security: { audit: { suppressions: Array<{ checkId: string; detailIncludes?: string; reason: string }> } };
}

/** Paths that tests point into a temp dir; the defaults are the host contract (layout.ts). */
export interface RenderOptions {
  /** The gateway token file: the systemd credential the unit hands over. */
  tokenFile?: string;
  /** Directory of the provider key files (`<provider>-api-key`): the unit's credentials directory. */
  providerKeyDir?: string;
  workspaceDir?: string;
  logFile?: string;
}

export const DEFAULT_TOKEN_FILE = `${CREDENTIALS_DIR}/${TOKEN_CREDENTIAL}`;
export const DEFAULT_LOG_FILE = `${PATHS.logDir}/openclaw.log`;

/**
 * Catalog tools the kit never grants although their capability is allowed: no browser or display on
 * the host, x_search needs an xAI account, code_execution runs code off the host, terminal is an
 * interactive shell that bypasses exec approvals.
 */
export const WITHHELD_TOOLS = ["browser", "x_search", "code_execution", "terminal"] as const;

const grant = (tools: readonly string[]): string[] => tools.filter((t) => !(WITHHELD_TOOLS as readonly string[]).includes(t));

/** Tool ids granted per level; anything not listed is unavailable (allowlist, not denylist). */
export function allowedTools(caps: LevelCapabilities): string[] {
  return [
    ...TOOL_CATALOG.conversation,
    ...(caps.fileRead ? grant(TOOL_CATALOG.fileRead) : []),
    ...(caps.fileWrite ? grant(TOOL_CATALOG.fileWrite) : []),
    ...(caps.web ? grant(TOOL_CATALOG.web) : []),
    ...(caps.commands !== "none" ? grant(TOOL_CATALOG.commands) : []),
    ...(caps.sessionsSpawn ? [...grant(TOOL_CATALOG.sessionsSpawn), ...grant(TOOL_CATALOG.sessionsManage)] : []),
    ...(caps.automation ? grant(TOOL_CATALOG.automation) : []),
  ];
}

/** Denied at every level, whatever the allowlist says: self-reconfiguration and the interactive terminal. */
export const ALWAYS_DENIED_TOOLS = [...TOOL_CATALOG.selfReconfiguration, "terminal"] as const;

export function deniedTools(caps: LevelCapabilities): string[] {
  // `nodes` relays commands to paired hosts; only levels that allow node system.run keep it possible.
  return [...ALWAYS_DENIED_TOOLS, ...(caps.nodeSystemRun ? [] : ["nodes"])];
}

/**
 * OpenClaw's exec mode for a level. Both command levels use "ask": allowlist matches run, any other
 * command asks a human; the host approvals document adds askFallback "deny".
 */
export function execMode(caps: LevelCapabilities): ExecMode {
  return caps.commands === "none" ? "deny" : "ask";
}

/** The memory tools (memory_search, memory_get) come from this plugin; the fileRead grant needs it. */
export const MEMORY_PLUGIN = "memory-core";

/**
 * The only plugins the gateway may load: each provider's own (plugin id = provider id) and, where the
 * level reads files, the memory plugin. Exec, sessions, cron and web tools are core; so is node pairing.
 */
export function allowedPlugins(model: StackModel): string[] {
  return [...model.providers, ...(model.capabilities.fileRead ? [MEMORY_PLUGIN] : [])];
}

/** Commands run on the node host (as the agent's own user) wherever the level runs commands at all. */
export function execOnNode(caps: LevelCapabilities): boolean {
  return caps.commands !== "none";
}

/** Fallbacks keep the strongest-model rule: only other strong models of a configured provider. */
export function fallbackModels(model: StackModel): string[] {
  const providers = new Set<string>(model.providers);
  return model.model.strongModels.filter((m) => m !== model.model.primary && providers.has(m.split("/")[0]));
}

/**
 * One file secret provider per model provider key, each reading the systemd credential the unit loads
 * from fetch-token's key directory: the key never sits in openclaw.json or the process environment. A
 * missing file leaves only that provider unavailable (OpenClaw starts it "cold"); an empty one would stop
 * the gateway, so fetch-token never writes one.
 */
function providerKeySecrets(model: StackModel, dir: string): {
  secretProviders: OpenclawConfig["secrets"]["providers"];
  modelProviders: OpenclawConfig["models"]["providers"];
} {
  const secretProviders: OpenclawConfig["secrets"]["providers"] = {};
  const modelProviders: OpenclawConfig["models"]["providers"] = {};
  for (const provider of model.providers) {
    const alias = providerKeyFileName(provider);
    secretProviders[alias] = { source: "file", path: `${dir}/${providerKeyCredential(provider)}`, mode: "singleValue" };
    // Pinned, not "auto": a plugin harness (OpenAI's implicit Codex app-server) would run the turn with
    // its own tools, outside the level's tool policy, and OpenClaw would fetch that plugin from npm.
    modelProviders[provider] = { apiKey: { source: "file", provider: alias, id: "value" }, agentRuntime: { id: "openclaw" } };
  }
  return { secretProviders, modelProviders };
}

export function renderOpenclawConfig(model: StackModel, opts: RenderOptions = {}): OpenclawConfig {
  const caps = model.capabilities;
  const limits = model.limits;
  const lockoutMs = AUTH_LOCKOUT.lockoutMinutes * 60_000;
  const fallbacks = fallbackModels(model);
  const keys = providerKeySecrets(model, opts.providerKeyDir ?? CREDENTIALS_DIR);
  return {
    gateway: {
      mode: "local",
      port: model.gateway.port,
      bind: "loopback",
      auth: {
        mode: "token",
        // The token never sits in this file: the unit hands it over as a systemd credential.
        token: { source: "file", provider: TOKEN_SECRET_PROVIDER, id: "value" },
        rateLimit: { maxAttempts: AUTH_LOCKOUT.maxAttempts, windowMs: lockoutMs, lockoutMs, exemptLoopback: false },
        allowTailscale: false,
      },
      tailscale: { mode: "off" },
      trustedProxies: ["127.0.0.1"],
      terminal: { enabled: false },
      cliAgents: { enabled: false },
      controlUi: { enabled: true, automaticallyFetchFavicons: false },
      nodes: {
        pairing: { autoApproveLocal: false, sshVerify: false },
        // The node host's surface, and no more; below level 2 no node may run anything.
        commands: execOnNode(caps) ? { allow: [...AGENT_NODE_COMMANDS] } : { deny: ["system.run"] },
        // A paired node's device token sits where the agent's commands run: it may publish no tools or skills.
        pluginTools: { enabled: false },
        allowSkills: false,
      },
      reload: { mode: "hybrid" },
    },
    secrets: {
      providers: {
        [TOKEN_SECRET_PROVIDER]: { source: "file", path: opts.tokenFile ?? DEFAULT_TOKEN_FILE, mode: "singleValue" },
        ...keys.secretProviders,
      },
    },
    models: {
      // The hosted catalog is not a provider API: the egress allowlist would refuse it anyway.
      catalogRefresh: { enabled: false },
      providers: keys.modelProviders,
    },
    discovery: { mdns: { mode: "off" } },
    update: { checkOnStart: false, auto: { enabled: false } },
    browser: { enabled: false },
    plugins: { allow: allowedPlugins(model), entries: { browser: { enabled: false } } },
    // No webhook endpoint and no internal hooks: hooks.token could only sit in this file in clear text.
    hooks: { enabled: false, internal: { enabled: false } },
    commands: { bash: false, config: false, debug: false },
    agents: {
      defaults: {
        model: { primary: model.model.primary, fallbacks },
        // Sessions may not switch to a model outside the strong list.
        modelPolicy: { allow: [model.model.primary, ...fallbacks] },
        workspace: opts.workspaceDir ?? PATHS.workspaceDir,
        elevatedDefault: "off",
        sandbox: { mode: "off" },
        contextPruning: { mode: "cache-ttl", ttl: "1h" },
      },
    },
    tools: {
      allow: allowedTools(caps),
      deny: deniedTools(caps),
      fs: { workspaceOnly: true },
      exec: {
        mode: execMode(caps),
        // Never on the gateway: the node host runs commands as the agent's user, away from the gateway's secrets.
        ...(execOnNode(caps) ? { host: "node" as const, node: AGENT_NODE_NAME } : { host: "gateway" as const }),
        timeoutSeconds: limits.execTimeoutSeconds,
        strictInlineEval: true,
        applyPatch: { workspaceOnly: true },
      },
      elevated: { enabled: false },
      agentToAgent: { enabled: false },
      sessions: { visibility: "tree" },
      loopDetection: { enabled: true },
    },
    session: {
      dmScope: "per-channel-peer",
      reset: caps.timeLimitedSessions
        ? { mode: "daily", atHour: DAILY_RESET_HOUR, idleMinutes: limits.sessionIdleMinutes }
        : { mode: "idle", idleMinutes: limits.sessionIdleMinutes },
      ...(caps.timeLimitedSessions ? { threadBindings: { maxAgeHours: limits.sessionMaxHours } } : {}),
    },
    // JSON lines on stdout reach the journal under the unit's trusted fields; that copy is the one shipped (the file is not).
    logging: { level: "info", file: opts.logFile ?? DEFAULT_LOG_FILE, consoleStyle: "json", consoleLevel: "info", audit: { enabled: true } },
    security: {
      audit: {
        suppressions: [
          {
            checkId: "fs.config.perms_group_readable",
            reason: "the host keeps openclaw.json 0640 root:openclaw so the service reads but cannot rewrite it; it holds no secret (the token and provider keys are SecretRefs) and the group has no other member",
          },
          {
            // Matches only the flag finding that reports this list itself; every other flag still warns.
            checkId: "config.insecure_or_dangerous_flags",
            detailIncludes: "security.audit.suppressions configured",
            reason: "the suppressions above are reviewed and carry their reasons; OpenClaw still reports them as info (security.audit.suppressions.active)",
          },
        ],
      },
    },
  };
}

export function renderOpenclawJson(model: StackModel, opts: RenderOptions = {}): string {
  return `${JSON.stringify(renderOpenclawConfig(model, opts), null, 2)}\n`;
}

/** The host's exec approvals document (`openclaw approvals set --file`), where the allowlist lives. */
export interface ExecApprovals {
  version: 1;
  defaults: ExecApprovalPolicy;
  agents: Record<string, ExecApprovalPolicy & { allowlist: ExecApprovalEntry[] }>;
}
/** OpenClaw's allowlist entry: the resolved binary, and the arguments it is pinned to (omitted = any arguments). */
export interface ExecApprovalEntry {
  pattern: string;
  argPattern?: string;
}
interface ExecApprovalPolicy {
  security: "deny" | "allowlist";
  ask: "off" | "on-miss";
  askFallback: "deny";
  autoAllowSkills: false;
}

export function renderExecApprovals(model: StackModel): ExecApprovals {
  const commands = model.capabilities.commands !== "none";
  const policy: ExecApprovalPolicy = {
    security: commands ? "allowlist" : "deny",
    ask: commands ? "on-miss" : "off",
    // No approver reachable = denied, never run.
    askFallback: "deny",
    autoAllowSkills: false,
  };
  return {
    version: 1,
    defaults: policy,
    agents: { [AGENT_ID]: { ...policy, allowlist: commands ? model.execAllowlist.map((e) => (e.argPattern === undefined ? { pattern: e.path } : { pattern: e.path, argPattern: e.argPattern })) : [] } },
  };
}

export function renderExecApprovalsJson(model: StackModel): string {
  return `${JSON.stringify(renderExecApprovals(model), null, 2)}\n`;
}

/** Where a guide limit lands: the OpenClaw key that enforces it, or what the kit does instead. */
export interface LimitMapping {
  /** The limit as the guides state it. */
  limit: string;
  /** The stack model field that sets it, when the stack can tune it. */
  modelField?: string;
  /** The OpenClaw 2026.9.6 key(s) the renderer sets, or "none in OpenClaw". */
  openclawKey: string;
  /** For "none in OpenClaw": what the kit does instead (or where the limit must be set). */
  kitInstead?: string;
}

export const NONE_IN_OPENCLAW = "none in OpenClaw";

export const LIMIT_MAPPING: readonly LimitMapping[] = [
  {
    limit: "5 failed logins lock the caller out for 15 minutes, loopback included",
    openclawKey: "gateway.auth.rateLimit {maxAttempts: 5, windowMs: 900000, lockoutMs: 900000, exemptLoopback: false}",
  },
  {
    limit: "token auth on every connection, loopback included",
    openclawKey: "gateway.auth.mode token, gateway.auth.token SecretRef (file provider, singleValue) to the systemd credential",
  },
  {
    limit: "gateway token rotated every 30 days",
    modelField: "rotation.gatewayTokenDays",
    openclawKey: NONE_IN_OPENCLAW,
    kitInstead: "the kit rotates the Secrets Manager secret on schedule; the unit re-reads the credential on restart",
  },
  {
    limit: "sessions reset after 30 minutes of inactivity",
    modelField: "limits.sessionIdleMinutes",
    openclawKey: "session.reset.idleMinutes (mode idle; mode daily at levels with time-limited sessions)",
  },
  {
    limit: "maximum session length 8 hours",
    modelField: "limits.sessionMaxHours",
    openclawKey: NONE_IN_OPENCLAW,
    kitInstead:
      "session.reset has only idle and daily modes: time-limited levels reset daily at 04:00 (a session lives under 24 h) plus the idle reset, and session.threadBindings.maxAgeHours caps thread-bound sessions at sessionMaxHours",
  },
  {
    limit: "context pruning (old tool output dropped, recent context kept)",
    openclawKey: "agents.defaults.contextPruning {mode: cache-ttl, ttl: 1h}; compaction stays on (OpenClaw default)",
  },
  {
    limit: "context pruning by message count (max 100 messages, keep the 20 most recent)",
    openclawKey: NONE_IN_OPENCLAW,
    kitInstead: "OpenClaw prunes and compacts by token budget, not message count; the kit relies on contextPruning and compaction",
  },
  {
    limit: "command execution limited to 300 seconds",
    modelField: "limits.execTimeoutSeconds",
    openclawKey: "tools.exec.timeoutSeconds",
  },
  {
    limit: "at most 50 tool calls per run",
    modelField: "limits.maxToolCallsPerRun",
    openclawKey: NONE_IN_OPENCLAW,
    kitInstead: "tools.loopDetection.enabled stops repeated tool loops; there is no per-run call counter to set",
  },
  {
    limit: "human approval times out after 300 seconds and the action is denied",
    modelField: "limits.approvalTimeoutSeconds",
    openclawKey: NONE_IN_OPENCLAW,
    kitInstead:
      "OpenClaw fixes pending exec approvals at 30 minutes and denies them on expiry; the host approvals set askFallback deny, so with no approver reachable the command is denied at once",
  },
  {
    limit: "at most 60 model requests per minute",
    openclawKey: NONE_IN_OPENCLAW,
    kitInstead: "set the rate limit on the provider side (API key / workspace limits); the gateway has no request-rate key",
  },
  {
    limit: "at most 100,000 model tokens per hour",
    openclawKey: NONE_IN_OPENCLAW,
    kitInstead: "set spend/token limits on the provider side; the gateway has no token-rate key",
  },
];
