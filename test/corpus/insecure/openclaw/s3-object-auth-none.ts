// breaks: "OpenClaw requires authentication even on localhost... Always require authentication." (securing AI agents, mistake 1)
// how: openclaw.json travels as an S3 object (BucketObjectv2 content) the host copies at boot; it sets gateway.auth.mode "none"
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = {
  gateway: {
    mode: "local", port: 18789, bind: "loopback", auth: { mode: "none" }, tailscale: { mode: "off" },
    terminal: { enabled: false },
  },
  discovery: { mdns: { mode: "off" } }, browser: { enabled: false },
  tools: {
    allow: ["ask_user", "progress_card"], deny: ["gateway", "openclaw", "plugins", "terminal", "nodes"],
    fs: { workspaceOnly: true }, exec: { mode: "deny" }, elevated: { enabled: false },
  },
  session: { dmScope: "per-channel-peer", reset: { mode: "idle", idleMinutes: 30 } },
  logging: { level: "info", audit: { enabled: true } },
};

const bucket = new aws.s3.Bucket("gateway-config");
new aws.s3.BucketPublicAccessBlock("gateway-config", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
new aws.s3.BucketObjectv2("openclaw-json", {
  bucket: bucket.id, key: "gateway/openclaw.json", content: JSON.stringify(config, null, 2), serverSideEncryption: "aws:kms",
  tags: { "clawkeep:trustLevel": "0" },
});

const assumeRole = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const role = new aws.iam.Role("gateway", { assumeRolePolicy: assumeRole });
new aws.iam.RolePolicyAttachment("gateway-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new aws.iam.InstanceProfile("gateway", { role: role.name });
const sg = new aws.ec2.SecurityGroup("gateway", {
  vpcId: "vpc-0a1b2c3d4e5f60718", description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
new aws.iam.RolePolicy("gateway-config-read", {
  role: role.id,
  policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${bucket.arn}/gateway/*` }] }),
});
const host = new aws.ec2.Instance("gateway", {
  ami: "ami-0d3b1a2c3e4f5a6b7", instanceType: "t3.medium", subnetId: "subnet-0a1b2c3d4e5f60718",
  vpcSecurityGroupIds: [sg.id], associatePublicIpAddress: false, iamInstanceProfile: profile.name,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true },
  tags: { Name: "openclaw-gateway", "clawkeep:trustLevel": "0" },
  userData: pulumi.interpolate`#!/bin/bash
set -euo pipefail
aws s3 cp s3://${bucket.bucket}/gateway/openclaw.json /etc/openclaw/openclaw.json
systemctl enable --now clawkeep-token.service openclaw-gateway.service
`,
});
const alerts = new aws.sns.Topic("alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.cloudwatch.MetricAlarm("gateway-status", { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: host.id },
  statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [alerts.arn] });
