// The trust-level table of DESIGN.md, in one place. Everything that differs by level (OpenClaw tool
// policy, host sandbox, egress allowlist, instance defaults) is derived from this table.

export const TRUST_LEVELS = [0, 1, 2, 3] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

/** How the agent may run commands on the host. */
export type CommandPolicy =
  /** no exec tool at all */
  | "none"
  /** approved commands run; any other command asks a human and is denied on timeout */
  | "approved-ask"
  /** allowlisted commands run freely; the rest ask a human, denied on timeout */
  | "allowlist-ask";

export interface LevelCapabilities {
  level: TrustLevel;
  name: "advisor" | "controlled-write" | "expanded" | "autonomous";
  /** Agent file tools: none at L0, confined to the workspace above it. */
  fileRead: boolean;
  fileWrite: boolean;
  commands: CommandPolicy;
  /** web_fetch / web_search; the egress proxy still limits where they can go. */
  web: boolean;
  /** Agent may spawn and message sub-sessions. */
  sessionsSpawn: boolean;
  /** Agent may schedule its own work (cron). The `gateway` tool (self-reconfiguration) is never allowed. */
  automation: boolean;
  /** Stack may list extra egress domains beyond the model providers. */
  extraEgressAllowed: boolean;
  /** Sessions are time-limited (hard cap on length), not only idle-reset. */
  timeLimitedSessions: boolean;
  /** A recorded review (who, when, what was tested) must be in the stack config. */
  promotionRequired: boolean;
  /** Paired nodes may run system commands. */
  nodeSystemRun: boolean;
  /** Alarms must reach a person: the stack names at least one subscriber of the alarm topic. */
  alarmSubscriberRequired: boolean;
  /** Defaults for the host size; the guides' production spec (4 vCPU / 8 GiB / 100 GB) from level 2. */
  defaultInstanceType: string;
  defaultRootVolumeGb: number;
  /** Days a daily recovery point of the state volume is kept: longer where a promotion follows weeks of observation. */
  backupRetentionDays: { default: number; min: number; max: number };
}

const small = { defaultInstanceType: "t3.medium", defaultRootVolumeGb: 30, backupRetentionDays: { default: 14, min: 7, max: 35 } } as const;
const production = { defaultInstanceType: "c6i.xlarge", defaultRootVolumeGb: 100, backupRetentionDays: { default: 35, min: 14, max: 90 } } as const;

export const LEVELS: Readonly<Record<TrustLevel, LevelCapabilities>> = {
  0: {
    level: 0,
    name: "advisor",
    fileRead: false,
    fileWrite: false,
    commands: "none",
    web: false,
    sessionsSpawn: false,
    automation: false,
    extraEgressAllowed: false,
    timeLimitedSessions: false,
    promotionRequired: false,
    nodeSystemRun: false,
    alarmSubscriberRequired: false,
    ...small,
  },
  1: {
    level: 1,
    name: "controlled-write",
    fileRead: true,
    fileWrite: true,
    commands: "none",
    web: true,
    sessionsSpawn: false,
    automation: false,
    extraEgressAllowed: true,
    timeLimitedSessions: false,
    promotionRequired: false,
    nodeSystemRun: false,
    alarmSubscriberRequired: false,
    ...small,
  },
  2: {
    level: 2,
    name: "expanded",
    fileRead: true,
    fileWrite: true,
    commands: "approved-ask",
    web: true,
    sessionsSpawn: true,
    automation: false,
    extraEgressAllowed: true,
    timeLimitedSessions: true,
    promotionRequired: true,
    nodeSystemRun: false,
    alarmSubscriberRequired: true,
    ...production,
  },
  3: {
    level: 3,
    name: "autonomous",
    fileRead: true,
    fileWrite: true,
    commands: "allowlist-ask",
    web: true,
    sessionsSpawn: true,
    automation: true,
    extraEgressAllowed: true,
    timeLimitedSessions: true,
    promotionRequired: true,
    nodeSystemRun: true,
    alarmSubscriberRequired: true,
    ...production,
  },
};

/** Model provider API hosts; the egress allowlist always holds the configured providers' hosts. */
export const PROVIDER_HOSTS = {
  anthropic: ["api.anthropic.com"],
  openai: ["api.openai.com"],
} as const;
export type ModelProvider = keyof typeof PROVIDER_HOSTS;
export const MODEL_PROVIDERS = Object.keys(PROVIDER_HOSTS) as ModelProvider[];

/** The tag that declares a resource's trust level; the kit writes it once (cellTags), the pack reads it. */
export const TRUST_LEVEL_TAG = "clawkeep:trustLevel";
