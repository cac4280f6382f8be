// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist)
// how: a (legacy) launch configuration's plain userData runs `tailscale up --auth-key=tskey-auth-...`
// expect: violation
import * as aws from "@pulumi/aws";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const tailscaleKey = "tskey-auth-" + "kE28B1pD8sfImjCNTRL-s2Iwvr8fq6dAGNKg3xavCEMoTDHmb3KkQ";

const assumeRole = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const role = new aws.iam.Role("gateway", { assumeRolePolicy: assumeRole });
new aws.iam.RolePolicyAttachment("gateway-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new aws.iam.InstanceProfile("gateway", { role: role.name });
const sg = new aws.ec2.SecurityGroup("gateway", {
  vpcId: "vpc-0a1b2c3d4e5f60718", description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const launchConfig = new aws.ec2.LaunchConfiguration("gateway", {
  imageId: "ami-0d3b1a2c3e4f5a6b7", instanceType: "t3.medium", iamInstanceProfile: profile.name,
  securityGroups: [sg.id], associatePublicIpAddress: false,
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, volumeSize: 30, volumeType: "gp3" },
  userData: `#!/bin/bash\ntailscale up --auth-key=${tailscaleKey} --advertise-tags=tag:openclaw --hostname=openclaw-gateway\n`,
});
new aws.autoscaling.Group("gateway", {
  minSize: 1, maxSize: 1, desiredCapacity: 1, vpcZoneIdentifiers: ["subnet-0a1b2c3d4e5f60718"], launchConfiguration: launchConfig.name,
  tags: [{ key: "Name", value: "openclaw-gateway", propagateAtLaunch: true }],
});
