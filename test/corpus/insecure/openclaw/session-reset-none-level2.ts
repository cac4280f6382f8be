// breaks: "Level 2: ... Time-limited sessions" (securing AI agents, best practice 7); mistake 4: "No Session Limits"
// how: session.reset.mode "none" on a level-2 host: sessions never reset, neither daily nor when idle
// expect: violation
import * as aws from "@pulumi/aws";
import { stringify } from "yaml";

const config = {
  gateway: {
    mode: "local", port: 18789, bind: "loopback",
    auth: {
      mode: "token", token: { source: "file", provider: "gateway-token", id: "value" },
      rateLimit: { maxAttempts: 5, windowMs: 900000, lockoutMs: 900000, exemptLoopback: false },
    },
    tailscale: { mode: "off" }, terminal: { enabled: false },
  },
  secrets: {
    providers: {
      "gateway-token": { source: "file", path: "/run/credentials/openclaw-gateway.service/gateway-token", mode: "singleValue" },
    },
  },
  discovery: { mdns: { mode: "off" } }, browser: { enabled: false },
  tools: {
    allow: [
      "ask_user", "progress_card", "read", "write", "edit", "apply_patch", "memory_search", "memory_get", "web_fetch",
      "web_search", "exec", "process", "sessions_spawn", "sessions_yield", "subagents", "sessions_list",
      "sessions_history", "sessions_send", "session_status",
    ],
    deny: ["gateway", "openclaw", "plugins", "terminal", "nodes"], fs: { workspaceOnly: true },
    exec: { mode: "ask", host: "node", timeoutSeconds: 300, strictInlineEval: true, applyPatch: { workspaceOnly: true } },
    elevated: { enabled: false },
  },
  session: { dmScope: "per-channel-peer", reset: { mode: "none" } },
  logging: { level: "info", audit: { enabled: true } },
};

// The gateway image ships the units (LoadCredential=gateway-token:...); cloud-init drops the config and starts them.
const cloudConfig = `#cloud-config\n${stringify({
  write_files: [{ path: "/etc/openclaw/openclaw.json", owner: "root:openclaw", permissions: "0640", content: JSON.stringify(config, null, 2) }],
  runcmd: ["systemctl enable --now clawkeep-token.service openclaw-gateway.service"],
})}`;

const assumeRole = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const role = new aws.iam.Role("gateway", { assumeRolePolicy: assumeRole });
new aws.iam.RolePolicyAttachment("gateway-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new aws.iam.InstanceProfile("gateway", { role: role.name });
const sg = new aws.ec2.SecurityGroup("gateway", {
  vpcId: "vpc-0a1b2c3d4e5f60718", description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const host = new aws.ec2.Instance("gateway", {
  ami: "ami-0d3b1a2c3e4f5a6b7", instanceType: "t3.medium", subnetId: "subnet-0a1b2c3d4e5f60718",
  vpcSecurityGroupIds: [sg.id], associatePublicIpAddress: false, iamInstanceProfile: profile.name,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true },
  tags: { Name: "openclaw-gateway", "clawkeep:trustLevel": "2" },
  userData: cloudConfig,
});
const alerts = new aws.sns.Topic("alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.cloudwatch.MetricAlarm("gateway-status", { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: host.id },
  statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [alerts.arn] });
