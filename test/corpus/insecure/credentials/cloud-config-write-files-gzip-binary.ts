// breaks: "Never embed API keys directly in configuration files or code" (openclaw security practices, Securing Your API Keys)
// how: write_files with encoding gzip and a YAML !!binary block (cloud-init's documented form) holds ANTHROPIC_API_KEY=sk-ant-...
// expect: violation
import * as aws from "@pulumi/aws";
import { gzipSync } from "node:zlib";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const anthropicKey = "sk-ant-api03-" + "3f5YeD8bKj2Gx_4Ndm55qBm6J4czgm4pkWvEfs0wgwfi9eA0O7dRGeF5T5MHw8tTg4keGy_usZmxh9k7VoqdMUQoHEikMAA";
const envFile = gzipSync(`ANTHROPIC_API_KEY=${anthropicKey}\n`).toString("base64");

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
  tags: { Name: "openclaw-gateway" },
  userData: `#cloud-config
write_files:
  - path: /etc/openclaw/gateway.env
    owner: root:openclaw
    permissions: "0640"
    encoding: gzip
    content: !!binary |
      ${envFile}
`,
});
const alerts = new aws.sns.Topic("alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.cloudwatch.MetricAlarm("gateway-status", { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: host.id },
  statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [alerts.arn] });
