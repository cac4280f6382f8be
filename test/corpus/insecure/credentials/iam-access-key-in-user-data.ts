// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist); an IAM user key is a long-lived credential where the instance role suffices
// how: an aws.iam.AccessKey's id and secret outputs are interpolated into user data as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// The skills bucket lives in the tooling account; a user key was quicker than a cross-account role.
const reader = new aws.iam.User("skills-reader", { path: "/openclaw/" });
new aws.iam.UserPolicy("skills-reader", {
  user: reader.name,
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::openclaw-skills-tooling/*" }] }),
});
const readerKey = new aws.iam.AccessKey("skills-reader", { user: reader.name });

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
install -d -m 0700 /root/.aws
printf '[skills]\naws_access_key_id = %s\naws_secret_access_key = %s\n' ${readerKey.id} ${readerKey.secret} > /root/.aws/credentials
aws s3 sync --profile skills s3://openclaw-skills-tooling/ /var/lib/openclaw/skills/
`,
});
const alerts = new aws.sns.Topic("alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.cloudwatch.MetricAlarm("gateway-status", { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: host.id },
  statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [alerts.arn] });
