// breaks: "Comprehensive audit logging configured" / BP6: the agent host's activity is audited off the host
// how: the only trail uses advanced event selectors that record S3 data events only (eventCategory Data), so no management event of the host role is recorded
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const account = aws.getCallerIdentityOutput().accountId;
// Account root administers (AWS's default); CloudWatch Logs, alarms and CloudTrail use the key for this account only.
const key = new aws.kms.Key("gw", {
  enableKeyRotation: true,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "LogsEncrypt", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:us-east-1:${account}:*` } } },
      { Sid: "AlarmsAndTrail", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "cloudtrail.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": account } } },
    ],
  }),
});
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "gateway host",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const role = new aws.iam.Role("gw-host", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]) });
new aws.iam.RolePolicyAttachment("gw-host-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new aws.iam.InstanceProfile("gw-host", { role: role.name });
const logs = new aws.cloudwatch.LogGroup("gw-audit", { name: "/openclaw/gw/audit", retentionInDays: 365, kmsKeyId: key.arn });
const tokenArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/gw/gateway-token-AbCdEf";
new aws.iam.RolePolicy("gw-host-token", { role: role.id, policy: doc([{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: tokenArn }]) });
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
const shipping = { agent: { run_as_user: "root" }, logs: { logs_collected: { files: { collect_list: [{ file_path: "/var/log/openclaw/*.log", log_group_name: "/openclaw/gw/audit", log_stream_name: "{instance_id}" }] } } } };
const openclaw = {
  gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token: { source: "file", provider: "gateway-token", id: "value" } }, tailscale: { mode: "off" } },
  secrets: { providers: { "gateway-token": { source: "file", path: "/run/credentials/openclaw-gateway.service/gateway-token", mode: "singleValue" } } },
  tools: { profile: "minimal", deny: ["group:fs", "group:runtime", "group:automation", "group:ui", "group:nodes", "sessions_spawn", "sessions_send", "subagents"], fs: { workspaceOnly: true }, exec: { mode: "deny" }, elevated: { enabled: false } },
  session: { reset: { mode: "idle", idleMinutes: 30 } },
  logging: { level: "info", file: "/var/log/openclaw/openclaw.log", audit: { enabled: true } },
};
const userData = `#cloud-config\n${JSON.stringify({
  write_files: [{ path: "/etc/imds-root-only.nft", permissions: "0644", content: imdsRuleset },
    { path: "/etc/systemd/system/imds-root-only.service", permissions: "0644", content: imdsUnit },
    { path: "/var/lib/openclaw/.openclaw/openclaw.json", permissions: "0640", owner: "root:openclaw", content: JSON.stringify(openclaw) }],
  runcmd: [["systemctl", "enable", "--now", "imds-root-only.service"],
    ["npm", "install", "-g", "openclaw@2026.9.6"],
    ["systemctl", "enable", "--now", "openclaw-gateway.service"]],
})}`;
const host = new aws.ec2.Instance("gw", {
  ami: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  subnetId: subnet.id,
  vpcSecurityGroupIds: [sg.id],
  iamInstanceProfile: profile.name,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, kmsKeyId: key.arn, volumeSize: 30 },
  userData: userData,
});
new aws.cloudwatch.MetricAlarm("gw-status", {
  namespace: "AWS/EC2",
  metricName: "StatusCheckFailed",
  dimensions: { InstanceId: host.id },
  statistic: "Maximum",
  period: 60,
  evaluationPeriods: 2,
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
  alarmActions: [topic.arn],
});

new aws.cloudtrail.Trail("gw", {
  s3BucketName: "org-cloudtrail-archive-123456789012",
  isMultiRegionTrail: true,
  enableLogFileValidation: true,
  kmsKeyId: key.arn,
  advancedEventSelectors: [{ name: "scratch objects", fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] }] }],
});
// Declared, never used: the host ships nothing and the log group receives nothing.
void logs;
void shipping;
