// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist); user data is readable by anyone with ec2:DescribeInstanceAttribute
// how: a (hardened) tailscale.TailnetKey's key output is interpolated into user data: `tailscale up --auth-key=${joinKey.key}`
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";

const joinKey = new tailscale.TailnetKey("gateway-join", { tags: ["tag:openclaw"], reusable: false, preauthorized: true, expiry: 3600 });

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
  userData: pulumi.interpolate`#!/bin/bash
set -euo pipefail
tailscale up --auth-key=${joinKey.key} --advertise-tags=tag:openclaw --hostname=openclaw-gateway
`,
});
const alerts = new aws.sns.Topic("alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.cloudwatch.MetricAlarm("gateway-status", { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: host.id },
  statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [alerts.arn] });
