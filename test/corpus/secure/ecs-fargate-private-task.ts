// secure: the gateway container on ECS Fargate in a private subnet: no public IP, no inbound, https out, read-only root filesystem, logs to a KMS log group kept 365 days
// how: ecs.TaskDefinition + ecs.Service with networkConfiguration.assignPublicIp false; the execution role has only AmazonECSTaskExecutionRolePolicy
// expect: pass
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const account = aws.getCallerIdentityOutput().accountId;
// Account root administers (AWS's default); CloudWatch may use the key to publish alarms to the encrypted topic.
const key = new aws.kms.Key("gw", {
  enableKeyRotation: true,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "LogsEncrypt", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:us-east-1:${account}:*` } } },
      { Sid: "AlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": account } } },
    ],
  }),
});
const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const logs = new aws.cloudwatch.LogGroup("gw", { name: "/openclaw/gw/gateway", retentionInDays: 365, kmsKeyId: key.arn });
const execRole = new aws.iam.Role("gw-exec", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicyAttachment("gw-exec", { role: execRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" });
const cluster = new aws.ecs.Cluster("gw", { settings: [{ name: "containerInsights", value: "enabled" }] });
const task = new aws.ecs.TaskDefinition("gw", {
  family: "openclaw-gateway",
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "1024",
  memory: "2048",
  executionRoleArn: execRole.arn,
  containerDefinitions: pulumi.jsonStringify([
    {
      name: "gateway",
      image: "ghcr.io/openclaw/openclaw:2026.9.6",
      essential: true,
      readonlyRootFilesystem: true,
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": logs.name, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "gw" } },
    },
  ]),
});
new aws.ecs.Service("gw", {
  cluster: cluster.arn,
  taskDefinition: task.arn,
  desiredCount: 1,
  launchType: "FARGATE",
  networkConfiguration: { subnets: [subnet.id], securityGroups: [sg.id], assignPublicIp: false },
});
