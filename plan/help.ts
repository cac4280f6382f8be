// `npm run plan -- --help`: the flags, the stacks there are, every config key in one line, the exit codes.
// The keys come from the schema (stacks/schema.ts); a test keeps this one-line meaning per key complete.
import { CONFIG_NAMESPACE, knownKeysAt, listStacks, rawConfigSchema } from "../stacks";

/** One line per top-level config key: what it decides. */
export const CONFIG_KEY_MEANINGS: Readonly<Record<keyof typeof rawConfigSchema.shape, string>> = {
  trustLevel: "0 advisor, 1 controlled write, 2 expanded, 3 autonomous: what the agent may do (required)",
  cellName: "the cell's name in resource and secret names (default gw)",
  instanceType: "the EC2 instance type (default by level: t3.medium, c6i.xlarge)",
  rootVolumeGb: "root volume size in GB, 20-1000 (default by level: 30, 100)",
  stateVolumeGb: "the agent's state volume in GB, 8-1000 (default 20); it outlives every host",
  egressMode: "public-egress (host has its own IPv4) or private-nat (behind a NAT gateway)",
  interfaceEndpoints: "VPC interface endpoints for AWS APIs; only with private-nat",
  vpcCidr: "the cell VPC's private /16-/24 (default 10.42.0.0/16)",
  ingressCidrs: "CIDRs inside the VPC that may reach Tailscale UDP 41641; never 0.0.0.0/0",
  logRetentionDays: "gateway and flow log retention, a CloudWatch value >= 90 (default 365)",
  openclawVersion: "the exact OpenClaw version installed on the host",
  nodeVersion: "the exact Node version installed on the host",
  gatewayPort: "the gateway's loopback port, 1024-65535 (default 18789)",
  gatewayTokenRotationDays: "gateway token rotation, 1-90 days (default 30)",
  providerKeyRotationDays: "model provider key rotation, 1-90 days (default 90)",
  modelProviders: "model providers the gateway may call: anthropic, openai",
  model: "the primary model, one of strongModels",
  strongModels: "the models agents with tools may use",
  egressAllowlist: "extra DNS names the egress proxy lets the gateway reach ([] at level 0)",
  execAllowlist: "absolute paths of commands the agent may run (levels 2-3)",
  approvalTimeoutSeconds: "how long an approval waits for a human before denying, 30-3600 s",
  sessionIdleMinutes: "idle session timeout, 5-30 minutes",
  sessionMaxHours: "maximum session length, 1-8 hours",
  maxToolCallsPerRun: "tool calls per agent run, 1-200",
  execTimeoutSeconds: "timeout of one command, 10-1800 s",
  promotion: "the recorded review {reviewer, date, tested}; required at levels 2-3",
  alarmEmail: "an e-mail address subscribed to the alarm topic (levels 2-3: this or alarmSubscriptions is required)",
  alarmSubscriptions: "up to 5 more alarm subscribers {protocol: email|https|sqs|lambda, endpoint}",
  backupRetentionDays: "days a daily recovery point of the state volume is kept (L0-1: 7-35, default 14; L2-3: 14-90, default 35)",
  stateVolumeSnapshotId: "restore: build the state volume from this recovery point (snap-...; set by npm run restore)",
  teardown: "what pulumi destroy keeps: audit trail, backups, the secrets' recovery window",
  openclawIntegrity: "npm integrity (sha512-...) of an OpenClaw version the kit does not pin",
  nodeIntegrity: "npm integrity (sha512-...) of a Node version the kit does not pin",
  packageMirror: "mirrors for hosts that cannot reach the public registries",
  adminRoleArns: "IAM roles that manage the kit's secrets besides the deploying role",
  openaiProjectId: "the OpenAI project (proj_...) whose keys the rotation mints; with openai",
  openaiServiceAccountId: "the OpenAI service account the rotation mints keys for; with openai",
  anthropicApiKey: "the Anthropic API key: a secret (pulumi config set --secret)",
  openaiApiKey: "the OpenAI API key: a secret (pulumi config set --secret)",
  openaiAdminKey: "the OpenAI admin key the rotation uses: a secret, only with openai",
  securityLogRetentionDays: "security and audit log retention, a CloudWatch value >= 90 (default 365)",
  trailRetentionDays: "CloudTrail object retention, 365-3653 days",
  alarms: "security alarm thresholds",
  businessHours: "the hours outside which a change raises an alarm",
  access: "IAM principals that may assume the Admin, Operator and Viewer roles",
  tailscale: "how the host joins the tailnet and whether the kit manages the tailnet policy",
  tags: "extra tags on every resource",
  policyExceptions: "reviewed exceptions to the policy pack: [{ruleId, resource (name or URN pattern), reason (>= 20 chars), reviewer, expires (YYYY-MM-DD, <= 90 days ahead)}]; RULES.md says which rules take none",
};

export const USAGE = `usage: npm run plan -- (--stack NAME | --program FILE) [--out DIR] [--against DIR] [--config key=value]...
       [--json | --format text|json|sarif|junit] [--policy-pack-config FILE]

  --stack NAME        evaluate this kit (index.ts) with stacks/Pulumi.NAME.yaml
  --program FILE      judge any Pulumi TypeScript program with the policy pack
  --out DIR           write the host files, user data and plan.json to DIR (a new or empty directory,
                      or one an earlier plan wrote: its files are replaced, nothing else is touched)
  --against DIR       say what this plan does to a cell running the plan an earlier --out DIR wrote:
                      per change nothing, reload, a restart, a runtime upgrade or a new host
  --config key=value  override one ${CONFIG_NAMESPACE} config key for this run (repeatable)
  --json              print the plan (or judgement) as JSON to stdout; progress goes to stderr
  --format F          text (default), json (= --json), sarif (SARIF 2.1.0 for code scanning) or junit
  --stack-file FILE   with --program: the program's Pulumi.<stack>.yaml; its clawkeep:policyExceptions apply
  --policy-pack-config FILE  rule levels and thresholds, as pulumi preview --policy-pack-config takes them
  --help              the stacks, every config key and the exit codes`;

export const EXIT_CODES = `exit codes (every judged run ends with a "verdict:" line saying the same):
  0  pass: no mandatory violation, nothing the offline judge could not see
  1  refused: a mandatory policy rule is violated (or a rule failed)
  2  bad input (flags, stack config, --out), or cannot judge offline: something the verdict needs
     exists only at deploy time (a lookup with no answer, transforms, a crash, ...); see README
  3  internal error of the plan itself`;

/** The full --help text: usage, the stacks in `stacksDir`, every config key with its meaning, exit codes. */
export function helpText(stacksDir?: string): string {
  const keys = Object.keys(CONFIG_KEY_MEANINGS) as Array<keyof typeof CONFIG_KEY_MEANINGS>;
  const width = Math.max(...keys.map((k) => k.length));
  const keyLines = keys.map((k) => {
    const nested = knownKeysAt([k]);
    return `  ${k.padEnd(width)}  ${CONFIG_KEY_MEANINGS[k]}${nested.length > 0 ? ` {${nested.join(", ")}}` : ""}`;
  });
  return [
    USAGE,
    "",
    `stacks (stacks/Pulumi.NAME.yaml): ${listStacks(stacksDir).join(", ")}`,
    "",
    `config keys (${CONFIG_NAMESPACE}:KEY in a stack file, KEY=value with --config; README "Config keys" has defaults and bounds):`,
    ...keyLines,
    "",
    EXIT_CODES,
  ].join("\n");
}
