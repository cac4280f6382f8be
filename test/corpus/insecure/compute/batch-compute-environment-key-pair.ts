// breaks: "Role-based access control implemented" / BP5: no long-lived SSH key on hosts that run agent jobs
// how: AWS Batch EC2 compute environment with computeResources.ec2KeyPair "ops"; its launch template is hardened
// expect: violation
import * as aws from "@pulumi/aws";

const assumedBy = (service: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const template = new aws.ec2.LaunchTemplate("gw", {
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 30, encrypted: "true", kmsKeyId: key.arn } }],
});
const instanceRole = new aws.iam.Role("batch-instance", {
  assumeRolePolicy: assumedBy("ec2.amazonaws.com"),
  managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"],
});
const profile = new aws.iam.InstanceProfile("batch-instance", { role: instanceRole.name });
const serviceRole = new aws.iam.Role("batch-service", {
  assumeRolePolicy: assumedBy("batch.amazonaws.com"),
  managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole"],
});
new aws.batch.ComputeEnvironment("agents", {
  type: "MANAGED",
  serviceRole: serviceRole.arn,
  computeResources: {
    type: "EC2",
    maxVcpus: 4,
    instanceTypes: ["m6i.large"],
    subnets: [subnet.id],
    securityGroupIds: [sg.id],
    instanceRole: profile.arn,
    ec2KeyPair: "ops",
    launchTemplate: { launchTemplateId: template.id },
  },
});
