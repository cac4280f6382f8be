// secure: a level-1 gateway whose openclaw.json is written the way OpenClaw documents it, JSON5 with comments and unquoted keys: loopback, token from LoadCredential, workspace-only file tools, read-only web, no exec
// mirrors: insecure/openclaw/cloud-init-bind-lan.ts, fs-workspace-only-false-level1.ts
// expect: pass
import * as aws from "@pulumi/aws";
import { stringify } from "yaml";

// JSON5, as in OpenClaw's docs (~/.openclaw/openclaw.json accepts comments and trailing commas).
const config = `{
  gateway: {
    mode: "local", port: 18789, bind: "loopback", // operators come in through an SSM port forward
    auth: { mode: "token", token: { source: "file", provider: "gateway-token", id: "value" } },
    tailscale: { mode: "off" },
    terminal: { enabled: false },
  },
  secrets: {
    providers: { "gateway-token": { source: "file", path: "/run/credentials/openclaw-gateway.service/gateway-token", mode: "singleValue" } },
  },
  discovery: { mdns: { mode: "off" } },
  browser: { enabled: false },
  tools: {
    // level 1: read/write inside the workspace and read-only web, no commands
    allow: ["ask_user", "progress_card", "read", "write", "edit", "apply_patch", "memory_search", "memory_get", "web_fetch", "web_search"],
    deny: ["gateway", "openclaw", "plugins", "terminal", "nodes"],
    fs: { workspaceOnly: true },
    exec: { mode: "deny", applyPatch: { workspaceOnly: true } },
    elevated: { enabled: false },
  },
  session: { dmScope: "per-channel-peer", reset: { mode: "idle", idleMinutes: 30 } },
  logging: { level: "info", file: "/var/log/openclaw/openclaw.log", audit: { enabled: true } }, // shipped off the host
}
`;
// The metadata service (the role's credentials) for root only: a table of its own by socket owner, loaded by its own unit at every boot.
const imdsRuleset = `table inet imds_root_only
delete table inet imds_root_only
table inet imds_root_only {
	chain output {
		type filter hook output priority filter - 10; policy accept;
		ip daddr 169.254.169.254 meta skuid != 0 meta l4proto tcp reject with tcp reset
		ip daddr 169.254.169.254 meta skuid != 0 drop
		ip6 daddr fd00:ec2::254 meta skuid != 0 meta l4proto tcp reject with tcp reset
		ip6 daddr fd00:ec2::254 meta skuid != 0 drop
	}
}
`;
const imdsUnit = `[Unit]
Description=Only root-owned sockets reach the instance metadata service
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target sysinit.target shutdown.target
After=local-fs.target nftables.service
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f /etc/imds-root-only.nft

[Install]
WantedBy=sysinit.target
`;
// The gateway's log leaves the host: the CloudWatch agent (as root, the only user the metadata service answers) ships it to the KMS log group below.
const shipping = JSON.stringify({ agent: { run_as_user: "root" }, logs: { logs_collected: { files: { collect_list: [{ file_path: "/var/log/openclaw/*.log", log_group_name: "/openclaw/gateway", log_stream_name: "{instance_id}" }] } } } });
const cloudConfig = `#cloud-config\n${stringify({
  write_files: [
    { path: "/etc/imds-root-only.nft", permissions: "0644", content: imdsRuleset },
    { path: "/etc/systemd/system/imds-root-only.service", permissions: "0644", content: imdsUnit },
    { path: "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json", permissions: "0644", content: shipping },
    { path: "/etc/openclaw/openclaw.json", owner: "root:openclaw", permissions: "0640", content: config },
  ],
  runcmd: ["systemctl enable --now imds-root-only.service", "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json", "systemctl enable --now clawkeep-token.service openclaw-gateway.service"],
})}`;

const assumeRole = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const role = new aws.iam.Role("gateway", { assumeRolePolicy: assumeRole });
new aws.iam.RolePolicyAttachment("gateway-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new aws.iam.InstanceProfile("gateway", { role: role.name });
const sg = new aws.ec2.SecurityGroup("gateway", {
  vpcId: "vpc-0a1b2c3d4e5f60718", description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const logKey = new aws.kms.Key("gateway-logs", { enableKeyRotation: true, description: "openclaw gateway logs" });
const logs = new aws.cloudwatch.LogGroup("gateway", { name: "/openclaw/gateway", retentionInDays: 365, kmsKeyId: logKey.arn });
// The agent on the host ships into this group with the host role: new streams and events, nothing else.
new aws.iam.RolePolicy("gateway-logs", {
  role: role.id,
  policy: logs.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:*` }] })),
});
const host = new aws.ec2.Instance("gateway", {
  ami: "ami-0d3b1a2c3e4f5a6b7", instanceType: "t3.medium", subnetId: "subnet-0a1b2c3d4e5f60718",
  vpcSecurityGroupIds: [sg.id], associatePublicIpAddress: false, iamInstanceProfile: profile.name,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true },
  tags: { Name: "openclaw-gateway", "clawkeep:trustLevel": "1" },
  userData: cloudConfig,
});
const alerts = new aws.sns.Topic("alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.cloudwatch.MetricAlarm("gateway-status", { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: host.id },
  statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [alerts.arn] });
