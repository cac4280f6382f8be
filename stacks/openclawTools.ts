// OpenClaw 2026.9.6's tool catalog: which tools give an agent which capability, and OpenClaw's own
// groups, profiles and aliases (docs/gateway/config-tools/tool-policy.md). The one home of these facts:
// the config renderer grants from it and the policy pack judges reachability with it; their decisions
// stay independent.

/** Tools by what they let an agent do. */
export const TOOL_CATALOG = {
  /** Harmless at every level: ask the human, keep a plan card. */
  conversation: ["ask_user", "progress_card"],
  fileRead: ["read", "memory_search", "memory_get"],
  fileWrite: ["write", "edit", "apply_patch"],
  web: ["web_fetch", "web_search", "x_search", "browser"],
  commands: ["exec", "process", "code_execution", "terminal"],
  sessionsSpawn: ["sessions_spawn", "subagents", "sessions_send"],
  /** List, read and yield to the agent's own sessions: harmless alone; the kit grants them with sessionsSpawn. */
  sessionsManage: ["sessions_yield", "sessions_list", "sessions_history", "session_status"],
  automation: ["cron"],
  /** Commands on paired nodes. */
  nodes: ["nodes", "computer"],
  /** OpenClaw reconfiguring itself: never allowed at any level. */
  selfReconfiguration: ["gateway", "openclaw", "plugins", "secrets"],
} as const satisfies Record<string, readonly string[]>;

export type ToolCapability = keyof typeof TOOL_CATALOG;

/** OpenClaw's `group:*` entries. */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  "group:runtime": ["exec", "process", "code_execution"],
  "group:fs": ["read", "write", "edit", "apply_patch"],
  "group:sessions": [
    "sessions", "sessions_list", "sessions_history", "sessions_search", "conversations_list", "conversations_send",
    "conversations_turn", "sessions_send", "sessions_spawn", "sessions_yield", "subagents", "session_status", "suggest_task", "dismiss_task",
  ],
  "group:memory": ["memory_search", "memory_get"],
  "group:web": ["web_search", "x_search", "web_fetch"],
  "group:ui": ["browser", "screen", "theme", "dashboard", "terminal", "portal", "canvas", "show_widget", "progress_card"],
  "group:automation": ["heartbeat_respond", "cron", "gateway", "plugins", "openclaw"],
  "group:messaging": ["message"],
  "group:nodes": ["nodes", "computer"],
  "group:agents": ["agents_list", "get_goal", "create_goal", "update_goal", "progress_card", "ask_user", "skill_workshop"],
  "group:media": ["view_image", "image_generate", "music_generate", "video_generate", "tts", "pdf"],
};
/** `group:openclaw` is every core tool except these. */
export const OPENCLAW_GROUP_EXCLUDES = ["read", "write", "edit", "apply_patch", "exec", "process", "canvas"] as const;

/** Profiles' base allowlists ("Tool profiles"); "*" = no core filtering (full or unset). */
export const TOOL_PROFILES: Readonly<Record<string, readonly string[]>> = {
  minimal: ["session_status", "gateway"],
  coding: [
    "group:fs", "group:runtime", "group:web", "group:sessions", "group:memory", "cron", "gateway", "get_goal", "create_goal",
    "update_goal", "progress_card", "ask_user", "skill_workshop", "view_image", "image_generate", "music_generate", "video_generate", "theme",
  ],
  messaging: [
    "group:messaging", "sessions", "sessions_list", "sessions_history", "sessions_search", "conversations_list", "conversations_send",
    "conversations_turn", "sessions_send", "sessions_spawn", "sessions_yield", "subagents", "session_status", "gateway", "ask_user", "theme",
  ],
  full: ["*"],
};

export const TOOL_ALIASES: Readonly<Record<string, string>> = { bash: "exec", automations: "cron" };
