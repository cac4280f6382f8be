// breaks: BP1 "gateway bound to loopback" / the gate: a config change the plan cannot read must not pass unjudged
// how: runcmd pipes a JSON5 merge patch into `openclaw config patch --stdin` (OpenClaw 2026.9.6), binding the gateway to the LAN; the pack modelled only `config set KEY VALUE` and let it through
// expect: cannot-judge
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";

// ---- the red team's shared base (rt-pack2/lib/base.ts), inlined: corpus programs are standalone ----
// The hardened base every rt-pack2 program starts from (one home, so each program shows only its one change):
// CMK with rotation, private subnet, no inbound, https out, SSM-only role that may write its own log group,
// IMDSv2 hop 1, encrypted root, IMDS root-only nftables unit, CloudWatch agent shipping the gateway log,
// status alarm with an SNS action, and a level-0 openclaw.json at loopback with a file SecretRef token.

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const ACCOUNT = "123456789012";
const TOKEN_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:openclaw/prod/gateway-token-Ab12Cd`;

function level0Config(): Record<string, unknown> {
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

const GATEWAY_UNIT = `[Unit]
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

interface WriteFile { path: string; content: string; permissions?: string; owner?: string }

interface HostOptions {
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

interface Host {
  instance: aws.ec2.Instance;
  role: aws.iam.Role;
  key: aws.kms.Key;
  topic: aws.sns.Topic;
  sg: aws.ec2.SecurityGroup;
  vpc: aws.ec2.Vpc;
  subnet: aws.ec2.Subnet;
  logGroup: aws.cloudwatch.LogGroup;
}

function baseFiles(shipping = true): WriteFile[] {
  return [
    { path: "/etc/imds-root-only.nft", permissions: "0644", content: IMDS_RULESET },
    { path: "/etc/systemd/system/imds-root-only.service", permissions: "0644", content: IMDS_UNIT },
    ...(shipping ? [{ path: "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json", permissions: "0644", content: SHIPPING }] : []),
  ];
}

function baseRuncmd(shipping = true): Array<string | string[]> {
  return [
    "systemctl enable --now imds-root-only.service",
    ...(shipping ? ["amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"] : []),
    ["sh", "-c", `install -d -m 0700 /run/clawkeep && umask 077 && aws secretsmanager get-secret-value --secret-id ${TOKEN_ARN} --query SecretString --output text > /run/clawkeep/gateway-token`],
  ];
}

function cloudConfig(o: HostOptions = {}): string {
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

function keyPolicy(): pulumi.Output<string> {
  return pulumi.output(doc([
    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    { Sid: "LogsEncrypt", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCOUNT}:*` } } },
    { Sid: "AlarmsAndTrail", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "cloudtrail.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
  ]));
}

/** Network, key, topic: what every program shares. */
function foundation(name = "gw") {
  const key = new aws.kms.Key(name, { enableKeyRotation: true, policy: keyPolicy() });
  const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: key.arn });
  new aws.sns.TopicSubscription(`${name}-oncall`, { topic: topic.arn, protocol: "email", endpoint: "oncall@example.com" });
  const vpc = new aws.ec2.Vpc(name, { cidrBlock: "10.42.0.0/16" });
  new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: vpc.id });
  const subnet = new aws.ec2.Subnet(`${name}-private`, { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
  const logGroup = new aws.cloudwatch.LogGroup(name, { name: "/openclaw/gateway", retentionInDays: 365, kmsKeyId: key.arn });
  return { key, topic, vpc, subnet, logGroup };
}

function gatewayHost(o: HostOptions = {}, name = "gw"): Host {
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
// ---- the program ----


gatewayHost({ runcmd: [["sh", "-c", "printf '{gateway: {bind: \"lan\"}}' | sudo -u openclaw openclaw config patch --stdin"]] });
