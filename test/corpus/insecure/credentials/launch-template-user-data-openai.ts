// breaks: "Never embed API keys directly in configuration files or code" (openclaw security practices, Securing Your API Keys)
// how: a launch template's userData (base64 of a #!/bin/bash script) exports OPENAI_API_KEY=sk-proj-...; an autoscaling group launches it
// expect: violation
import * as aws from "@pulumi/aws";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const openaiKey = "sk-proj-" + "cWqizPXJtYUgGfvLmv71zxLjXHP-pG0CA-nPAXeUxK6MIDD5UUwUJN-ek4NFjyPccuhNIeE1xzT3BlbkFJ3r39jRixmIGGtQLJqF-e0sMbSXrZ_yWTJekCRO2amUW0-iPPIeH_cewI_KaW0asWzaLxFyCtr5";
const script = `#!/bin/bash
set -euo pipefail
install -d -m 0750 -o root -g openclaw /etc/openclaw
echo "OPENAI_API_KEY=${openaiKey}" > /etc/openclaw/gateway.env
systemctl enable --now openclaw-gateway
`;

const assumeRole = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const role = new aws.iam.Role("gateway", { assumeRolePolicy: assumeRole });
new aws.iam.RolePolicyAttachment("gateway-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new aws.iam.InstanceProfile("gateway", { role: role.name });
const sg = new aws.ec2.SecurityGroup("gateway", {
  vpcId: "vpc-0a1b2c3d4e5f60718", description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const template = new aws.ec2.LaunchTemplate("gateway", {
  imageId: "ami-0d3b1a2c3e4f5a6b7", instanceType: "t3.medium", iamInstanceProfile: { name: profile.name },
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 30, volumeType: "gp3" } }],
  networkInterfaces: [{ associatePublicIpAddress: "false", securityGroups: [sg.id], subnetId: "subnet-0a1b2c3d4e5f60718" }],
  tagSpecifications: [{ resourceType: "instance", tags: { Name: "openclaw-gateway" } }],
  userData: Buffer.from(script).toString("base64"),
});
new aws.autoscaling.Group("gateway", {
  minSize: 1, maxSize: 1, desiredCapacity: 1, vpcZoneIdentifiers: ["subnet-0a1b2c3d4e5f60718"],
  launchTemplate: { id: template.id, version: "$Latest" },
});
