// breaks: BP3 "Network segmentation and isolation" / "Network restrictions in place": the gateway's task has no public address
// how: the gateway runs as an ECS Fargate service with networkConfiguration.assignPublicIp: true (closed SG, logs to a KMS log group)
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-public", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const logs = new aws.cloudwatch.LogGroup("gw", { retentionInDays: 365, kmsKeyId: key.arn });
const execRole = new aws.iam.Role("gw-exec", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
});
const cluster = new aws.ecs.Cluster("gw", { settings: [{ name: "containerInsights", value: "enabled" }] });
const task = new aws.ecs.TaskDefinition("gw", {
  family: "openclaw-gateway",
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "1024",
  memory: "2048",
  executionRoleArn: execRole.arn,
  containerDefinitions: logs.name.apply((group) =>
    JSON.stringify([
      {
        name: "gateway",
        image: "ghcr.io/openclaw/openclaw:2026.9.6",
        essential: true,
        readonlyRootFilesystem: true,
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "gw" } },
      },
    ]),
  ),
});
new aws.ecs.Service("gw", {
  cluster: cluster.arn,
  taskDefinition: task.arn,
  desiredCount: 1,
  launchType: "FARGATE",
  networkConfiguration: { subnets: [subnet.id], securityGroups: [sg.id], assignPublicIp: true },
});
