// breaks: "Comprehensive audit logging configured" (guide: "Audit Logging ... non-negotiable", centralized, >= 90 days retention; BP3 level 3 "audit logging for all operations")
// how: the agent host runs from a launch template + ASG; the only audit source is a CloudTrail trail with enableLogging: false (and no OpenClaw audit log, no log group)
// expect: violation
import * as aws from "@pulumi/aws";

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
// The gateway token: Secrets Manager, customer key, 30-day rotation, owned by the secrets stack.
const tokenArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/gw/gateway-token-AbCdEf";
const role = new aws.iam.Role("gw-host", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]) });
new aws.iam.RolePolicyAttachment("gw-host-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
new aws.iam.RolePolicy("gw-host-token", { role: role.id, policy: doc([{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: tokenArn }]) });
const profile = new aws.iam.InstanceProfile("gw-host", { role: role.name });

const openclaw = {
  gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token: { source: "file", provider: "gateway-token", id: "value" } }, tailscale: { mode: "off" } },
  secrets: { providers: { "gateway-token": { source: "file", path: "/run/credentials/openclaw-gateway.service/gateway-token", mode: "singleValue" } } },
  tools: {
    profile: "messaging",
    deny: ["group:automation", "group:runtime", "group:ui", "group:nodes", "sessions_spawn", "sessions_send", "subagents"],
    alsoAllow: ["read", "write", "edit", "web_fetch"],
    fs: { workspaceOnly: true },
    exec: { mode: "deny" },
    elevated: { enabled: false },
  },
  session: { reset: { mode: "idle", idleMinutes: 30 } },
};
const userData = `#cloud-config\n${JSON.stringify({
  write_files: [{ path: "/var/lib/openclaw/.openclaw/openclaw.json", permissions: "0640", owner: "root:openclaw", content: JSON.stringify(openclaw) }],
  runcmd: [["npm", "install", "-g", "openclaw@2026.9.6"], ["systemctl", "enable", "--now", "openclaw-gateway.service"]],
})}`;
const template = new aws.ec2.LaunchTemplate("gw", {
  imageId: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  vpcSecurityGroupIds: [sg.id],
  iamInstanceProfile: { arn: profile.arn },
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 30, encrypted: "true", kmsKeyId: key.arn } }],
  userData: Buffer.from(userData).toString("base64"),
  tagSpecifications: [{ resourceType: "instance", tags: { Name: "openclaw-gateway", "clawkeep:trustLevel": "1" } }],
  tags: { "clawkeep:trustLevel": "1" },
});
const group = new aws.autoscaling.Group("gw", {
  vpcZoneIdentifiers: [subnet.id],
  minSize: 1,
  maxSize: 1,
  launchTemplate: { id: template.id, version: "$Latest" },
});
new aws.cloudwatch.MetricAlarm("gw-status", {
  namespace: "AWS/EC2",
  metricName: "StatusCheckFailed",
  dimensions: { AutoScalingGroupName: group.name },
  statistic: "Maximum",
  period: 60,
  evaluationPeriods: 2,
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
  alarmActions: [topic.arn],
});
// "The org trail covers us" — this stack's trail was switched off during a noisy incident and never back on.
new aws.cloudtrail.Trail("gw", { s3BucketName: "org-cloudtrail-archive-123456789012", isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: key.arn, enableLogging: false });
