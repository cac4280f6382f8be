// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist)
// how: a #cloud-config bootcmd writes a static AWS access key id (AKIA...) and secret to /root/.aws/credentials
// expect: violation
import * as aws from "@pulumi/aws";
import { stringify } from "yaml";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const accessKeyId = "AKIA" + "XLLD64UGBAAR114K";
const secretAccessKey = "RnE/+reM8ET4nzLD6bk/" + "TEURB82iFsVR+1aDdxVN";

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
  userData: `#cloud-config\n${stringify({ bootcmd: ["install -d -m 0700 /root/.aws", `printf '[default]\\naws_access_key_id = %s\\naws_secret_access_key = %s\\n' ${accessKeyId} ${secretAccessKey} > /root/.aws/credentials`] })}`,
});
const alerts = new aws.sns.Topic("alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.cloudwatch.MetricAlarm("gateway-status", { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: host.id },
  statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [alerts.arn] });
