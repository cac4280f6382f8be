// secure: user data ships an environment-file template with ${ANTHROPIC_API_KEY} and REPLACE_ME placeholders; the boot script fills them from Secrets Manager, so no credential is in the program
// mirrors: insecure/credentials/user-data-weak-gateway-token-changeme.ts, s3-object-gateway-token-env.ts
// expect: pass
import * as aws from "@pulumi/aws";
import { stringify } from "yaml";

const anthropicKeyArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/prod/anthropic-api-key-Ef34Gh";
const tokenArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/prod/gateway-token-Ab12Cd";
// Placeholders, not values: envsubst fills ${ANTHROPIC_API_KEY}; sed replaces REPLACE_ME.
const template = "ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}\nOPENCLAW_GATEWAY_TOKEN=REPLACE_ME\nOPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json\n";
const fill = `set -eu; umask 077
ANTHROPIC_API_KEY=$(aws secretsmanager get-secret-value --secret-id ${anthropicKeyArn} --query SecretString --output text) envsubst < /etc/openclaw/gateway.env.tmpl > /run/openclaw/gateway.env
token=$(aws secretsmanager get-secret-value --secret-id ${tokenArn} --query SecretString --output text); sed -i "s|REPLACE_ME|$token|" /run/openclaw/gateway.env`;

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
const assumeRole = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const role = new aws.iam.Role("gateway", { assumeRolePolicy: assumeRole });
new aws.iam.RolePolicyAttachment("gateway-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new aws.iam.InstanceProfile("gateway", { role: role.name });
const sg = new aws.ec2.SecurityGroup("gateway", {
  vpcId: "vpc-0a1b2c3d4e5f60718", description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
new aws.iam.RolePolicy("gateway-secrets", {
  role: role.id,
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [anthropicKeyArn, tokenArn] }] }),
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
  tags: { Name: "openclaw-gateway" },
  userData: `#cloud-config\n${stringify({
    write_files: [
      { path: "/etc/imds-root-only.nft", permissions: "0644", content: imdsRuleset },
      { path: "/etc/systemd/system/imds-root-only.service", permissions: "0644", content: imdsUnit },
      { path: "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json", permissions: "0644", content: shipping },
      { path: "/etc/openclaw/gateway.env.tmpl", permissions: "0600", content: template },
    ],
    runcmd: ["systemctl enable --now imds-root-only.service", "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json", "install -d -m 0700 /run/openclaw", ["sh", "-c", fill], "systemctl enable --now openclaw-gateway.service"],
  })}`,
});
const alerts = new aws.sns.Topic("alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.cloudwatch.MetricAlarm("gateway-status", { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: host.id },
  statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [alerts.arn] });
