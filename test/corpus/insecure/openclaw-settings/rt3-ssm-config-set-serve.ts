// breaks: gateway auth: Tailscale identity auth through Serve (allowTailscale unset, so true)
// how: an SSM document associated with the host runs `openclaw config set gateway.tailscale.mode serve` on the config the user data ships (no allowTailscale in it); the pack judges an edit-only config as "partial" and skips the Serve check there
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";

// ---- the red team's shared base (rt-pack3/lib/base.ts), inlined: corpus programs are standalone ----
// The hardened base every rt-pack2 program starts from (one home, so each program shows only its one change):
// CMK with rotation, private subnet, no inbound, https out, SSM-only role that may write its own log group,
// IMDSv2 hop 1, encrypted root, IMDS root-only nftables unit, CloudWatch agent shipping the gateway log,
// status alarm with an SNS action, and a level-0 openclaw.json at loopback with a file SecretRef token.

export const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
export const ACCOUNT = "123456789012";
export const TOKEN_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:openclaw/prod/gateway-token-Ab12Cd`;

export function level0Config(): Record<string, unknown> {
  return {
    gateway: {
      mode: "local", port: 18789, bind: "loopback",
      auth: { mode: "token", token: { source: "file", provider: "gateway-token", id: "value" }, rateLimit: { maxAttempts: 5, windowMs: 900000, lockoutMs: 900000, exemptLoopback: false } },
      tailscale: { mode: "off" }, terminal: { enabled: false },
    },
    secrets: { providers: { "gateway-token": { source: "file", path: "/run/credentials/openclaw-gateway.service/gateway-token", mode: "singleValue" } } },
    discovery: { mdns: { mode: "off" } }, browser: { enabled: false },
    tools: { allow: ["ask_user", "progress_card"], deny: ["gateway", "openclaw", "plugins", "terminal", "nodes"], fs: { workspaceOnly: true }, exec: { mode: "deny" }, elevated: { enabled: false } },
    session: { dmScope: "per-channel-peer", reset: { mode: "idle", idleMinutes: 30 } },
    logging: { level: "info", file: "/var/log/openclaw/openclaw.log", audit: { enabled: true } },
  };
}

export const GATEWAY_UNIT = `[Unit]
Description=OpenClaw gateway
After=network-online.target
[Service]
User=openclaw
ExecStart=/usr/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs gateway --port 18789
Environment=OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json OPENCLAW_STATE_DIR=/var/lib/openclaw
LoadCredential=gateway-token:/run/clawkeep/gateway-token
StateDirectory=openclaw
LogsDirectory=openclaw
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
[Install]
WantedBy=multi-user.target
`;

const IMDS_RULESET = `table inet imds_root_only
delete table inet imds_root_only
table inet imds_root_only {
	chain output {
		type filter hook output priority filter - 10; policy accept;
		ip daddr 169.254.169.254 meta skuid != 0 meta l4proto tcp reject with tcp reset
		ip daddr 169.254.169.254 meta skuid != 0 drop
	}
}
`;
const IMDS_UNIT = `[Unit]
Description=Only root-owned sockets reach the instance metadata service
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target sysinit.target shutdown.target
After=local-fs.target nftables.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f /etc/imds-root-only.nft
[Install]
WantedBy=sysinit.target
`;
const SHIPPING = JSON.stringify({ agent: { run_as_user: "root" }, logs: { logs_collected: { files: { collect_list: [{ file_path: "/var/log/openclaw/*.log", log_group_name: "/openclaw/gateway", log_stream_name: "{instance_id}" }] } } } });

export interface WriteFile { path: string; content: string; permissions?: string; owner?: string }

export interface HostOptions {
  /** openclaw.json written to /etc/openclaw/openclaw.json; null: none. */
  config?: Record<string, unknown> | null;
  /** Replaces the gateway unit; null: none. */
  unit?: string | null;
  files?: WriteFile[];
  /** runcmd entries after the base ones (imds, cloudwatch agent, token staging) and before starting the gateway. */
  runcmd?: Array<string | string[]>;
  /** Whether to start openclaw-gateway.service at the end (default: when a unit is shipped). */
  startGateway?: boolean;
  tags?: Record<string, string>;
  /** Extra inline policies for the host role. */
  rolePolicies?: Array<pulumi.Input<string>>;
  ingress?: aws.types.input.ec2.SecurityGroupIngress[];
  /** A raw user data replacing the generated cloud-config entirely. */
  rawUserData?: pulumi.Input<string>;
  /** Ship logs with the CloudWatch agent (default true). */
  shipping?: boolean;
  ami?: pulumi.Input<string>;
  metadataOptions?: aws.types.input.ec2.InstanceMetadataOptions;
  /** Overrides of the status alarm's arguments. */
  alarm?: Partial<aws.cloudwatch.MetricAlarmArgs>;
}

export interface Host {
  instance: aws.ec2.Instance;
  role: aws.iam.Role;
  key: aws.kms.Key;
  topic: aws.sns.Topic;
  sg: aws.ec2.SecurityGroup;
  vpc: aws.ec2.Vpc;
  subnet: aws.ec2.Subnet;
  logGroup: aws.cloudwatch.LogGroup;
}

export function baseFiles(shipping = true): WriteFile[] {
  return [
    { path: "/etc/imds-root-only.nft", permissions: "0644", content: IMDS_RULESET },
    { path: "/etc/systemd/system/imds-root-only.service", permissions: "0644", content: IMDS_UNIT },
    ...(shipping ? [{ path: "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json", permissions: "0644", content: SHIPPING }] : []),
  ];
}

export function baseRuncmd(shipping = true): Array<string | string[]> {
  return [
    "systemctl enable --now imds-root-only.service",
    ...(shipping ? ["amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"] : []),
    ["sh", "-c", `install -d -m 0700 /run/clawkeep && umask 077 && aws secretsmanager get-secret-value --secret-id ${TOKEN_ARN} --query SecretString --output text > /run/clawkeep/gateway-token`],
  ];
}

export function cloudConfig(o: HostOptions = {}): string {
  const config = o.config === undefined ? level0Config() : o.config;
  const unit = o.unit === undefined ? GATEWAY_UNIT : o.unit;
  const files: WriteFile[] = [...baseFiles(o.shipping ?? true)];
  if (config) files.push({ path: "/etc/openclaw/openclaw.json", owner: "root:openclaw", permissions: "0640", content: JSON.stringify(config, null, 2) });
  if (unit) files.push({ path: "/etc/systemd/system/openclaw-gateway.service", permissions: "0644", content: unit });
  files.push(...(o.files ?? []));
  const start = o.startGateway ?? unit !== null;
  const runcmd = [...baseRuncmd(o.shipping ?? true), ...(o.runcmd ?? []), ...(start ? ["systemctl daemon-reload", "systemctl enable --now openclaw-gateway.service"] : [])];
  return `#cloud-config\n${stringify({ write_files: files, runcmd })}`;
}

export function keyPolicy(): pulumi.Output<string> {
  return pulumi.output(doc([
    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    { Sid: "LogsEncrypt", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCOUNT}:*` } } },
    { Sid: "AlarmsAndTrail", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "cloudtrail.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
  ]));
}

/** Network, key, topic: what every program shares. */
export function foundation(name = "gw") {
  const key = new aws.kms.Key(name, { enableKeyRotation: true, policy: keyPolicy() });
  const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: key.arn });
  new aws.sns.TopicSubscription(`${name}-oncall`, { topic: topic.arn, protocol: "email", endpoint: "oncall@example.com" });
  const vpc = new aws.ec2.Vpc(name, { cidrBlock: "10.42.0.0/16" });
  new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: vpc.id });
  const subnet = new aws.ec2.Subnet(`${name}-private`, { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
  const logGroup = new aws.cloudwatch.LogGroup(name, { name: "/openclaw/gateway", retentionInDays: 365, kmsKeyId: key.arn });
  return { key, topic, vpc, subnet, logGroup };
}

export function gatewayHost(o: HostOptions = {}, name = "gw"): Host {
  const { key, topic, vpc, subnet, logGroup } = foundation(name);
  const sg = new aws.ec2.SecurityGroup(name, {
    vpcId: vpc.id,
    description: "gateway host",
    ingress: o.ingress ?? [],
    egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
  });
  const role = new aws.iam.Role(`${name}-host`, { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]) });
  new aws.iam.RolePolicyAttachment(`${name}-host-ssm`, { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
  new aws.iam.RolePolicy(`${name}-host-logs`, { role: role.id, policy: logGroup.arn.apply((arn) => doc([{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:*` }])) });
  new aws.iam.RolePolicy(`${name}-host-token`, { role: role.id, policy: doc([{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: TOKEN_ARN }]) });
  (o.rolePolicies ?? []).forEach((p, i) => new aws.iam.RolePolicy(`${name}-host-extra-${i}`, { role: role.id, policy: p }));
  const profile = new aws.iam.InstanceProfile(`${name}-host`, { role: role.name });
  const instance = new aws.ec2.Instance(name, {
    ami: o.ami ?? "ami-0d3b1a2c3e4f5a6b7",
    instanceType: "t3.medium",
    subnetId: subnet.id,
    vpcSecurityGroupIds: [sg.id],
    associatePublicIpAddress: false,
    iamInstanceProfile: profile.name,
    metadataOptions: o.metadataOptions ?? { httpTokens: "required", httpPutResponseHopLimit: 1 },
    rootBlockDevice: { encrypted: true, kmsKeyId: key.arn, volumeSize: 30 },
    tags: { Name: "openclaw-gateway", "clawkeep:trustLevel": "0", ...(o.tags ?? {}) },
    userData: o.rawUserData ?? cloudConfig(o),
  });
  new aws.cloudwatch.MetricAlarm(`${name}-status`, {
    namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: instance.id },
    statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [topic.arn],
    ...(o.alarm ?? {}),
  });
  return { instance, role, key, topic, sg, vpc, subnet, logGroup };
}

/**
 * A Secrets Manager secret the host may read, as the kit requires it: rotated every 30 days by an
 * (external) rotation function, and a policy that refuses the host role off its instance and off its VPC.
 */
export function hostBoundSecret(name: string, host: Host, secretName: string): aws.secretsmanager.Secret {
  const secret = new aws.secretsmanager.Secret(name, { name: secretName, kmsKeyId: host.key.arn });
  new aws.secretsmanager.SecretRotation(`${name}-rotation`, {
    secretId: secret.id,
    rotationLambdaArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:openclaw-rotate`,
    rotationRules: { automaticallyAfterDays: 30 },
  });
  new aws.secretsmanager.SecretPolicy(`${name}-policy`, {
    secretArn: secret.arn,
    policy: pulumi.all([host.role.arn, host.instance.arn, host.vpc.id]).apply(([roleArn, instanceArn, vpcId]) => doc([
      { Sid: "OnlyOnItsInstance", Effect: "Deny", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { ArnEquals: { "aws:PrincipalArn": roleArn }, StringNotEquals: { "ec2:SourceInstanceARN": instanceArn } } },
      { Sid: "OnlyFromItsVpc", Effect: "Deny", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { ArnEquals: { "aws:PrincipalArn": roleArn }, StringNotEquals: { "aws:SourceVpc": vpcId } } },
    ])),
  });
  return secret;
}

// ---- rt-pack3: a level-2 host (commands through OpenClaw's exec approvals) -------------------------------
/** The level-2 openclaw.json of the kit's secure corpus program: exec through an allowlist, a human asked on a miss. */
export function level2Config(): Record<string, unknown> {
  const c = level0Config();
  c.tools = {
    allow: ["ask_user", "progress_card", "read", "write", "edit", "apply_patch", "memory_search", "memory_get", "web_fetch", "web_search", "exec", "process", "sessions_spawn", "sessions_yield", "subagents", "sessions_list", "sessions_history", "sessions_send", "session_status"],
    deny: ["gateway", "openclaw", "plugins", "terminal", "nodes"], fs: { workspaceOnly: true },
    exec: { mode: "allowlist", host: "node", timeoutSeconds: 300, strictInlineEval: true, applyPatch: { workspaceOnly: true } },
    elevated: { enabled: false },
  };
  c.session = { dmScope: "per-channel-peer", reset: { mode: "daily", atHour: 4, idleMinutes: 30 } };
  return c;
}
export const LEVEL2_UNIT = GATEWAY_UNIT.replace("OPENCLAW_STATE_DIR=/var/lib/openclaw", "OPENCLAW_STATE_DIR=/var/lib/openclaw OPENCLAW_CONFIG_READONLY=1");
export const SAFE_POLICY = { security: "allowlist", ask: "on-miss", askFallback: "deny", autoAllowSkills: false };
/** jq pinned to a path filter over workspace JSON files, and wc: the kit's secure corpus allowlist. */
export const SAFE_ALLOWLIST: unknown[] = [{ pattern: "/usr/bin/jq", argPattern: "^\\.[A-Za-z_.]* [A-Za-z0-9_./-]+\\.json$" }, { pattern: "/usr/bin/wc" }];
export function approvalsDoc(allowlist: unknown[] = SAFE_ALLOWLIST, policy: Record<string, unknown> = SAFE_POLICY, agent = "main"): string {
  return JSON.stringify({ version: 1, defaults: policy, agents: { [agent]: { ...policy, allowlist } } }, null, 2);
}
export const APPROVALS_PATH = "/etc/openclaw/approvals.json";
/** As the gateway user, into OpenClaw's state (SQLite) under the unit's state directory. */
export const SET_APPROVALS = `sudo -u openclaw OPENCLAW_STATE_DIR=/var/lib/openclaw/ openclaw approvals set --file ${APPROVALS_PATH}`;

export interface Level2Options extends HostOptions {
  /** The approvals document's text (default: the safe one); null: none shipped or set. */
  approvals?: string | null;
}
/** A level-2 gateway host whose exec approvals are shipped as a file and set with `openclaw approvals set --file`. */
export function level2Host(o: Level2Options = {}, name = "gw"): Host {
  const approvals = o.approvals === undefined ? approvalsDoc() : o.approvals;
  return gatewayHost({
    ...o,
    config: o.config === undefined ? level2Config() : o.config,
    unit: o.unit === undefined ? LEVEL2_UNIT : o.unit,
    files: [...(approvals !== null ? [{ path: APPROVALS_PATH, owner: "root:openclaw", permissions: "0640", content: approvals }] : []), ...(o.files ?? [])],
    runcmd: [...(approvals !== null ? [SET_APPROVALS] : []), ...(o.runcmd ?? [])],
    tags: { "clawkeep:trustLevel": "2", ...(o.tags ?? {}) },
  }, name);
}
// ---- the program ----
const host = gatewayHost();
const serveDoc = new aws.ssm.Document("gw-serve", {
  documentType: "Command",
  content: JSON.stringify({ schemaVersion: "2.2", description: "publish the gateway on the tailnet", mainSteps: [{ action: "aws:runShellScript", name: "serve", inputs: { runCommand: [
    "sudo -u openclaw OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json openclaw config set gateway.tailscale.mode serve",
    "systemctl restart openclaw-gateway.service",
  ] } }] }),
});
new aws.ssm.Association("gw-serve", { name: serveDoc.name, targets: [{ key: "InstanceIds", values: [host.instance.id] }] });
