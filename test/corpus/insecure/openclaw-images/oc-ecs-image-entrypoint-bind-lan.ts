// breaks: "Network restrictions in place" / BP3: the gateway listens on loopback only (reached through Tailscale Serve or a tunnel), never on the network it is attached to
// how: a private Fargate service runs the pinned OpenClaw image; the container definition sets only `command` (the image's entrypoint is openclaw) to `gateway --bind lan`, and the task SG admits 18789 from the whole VPC
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// ---- the red team's shared base (rt-pack2/lib/base.ts), inlined: corpus programs are standalone ----
// The hardened base every rt-pack2 program starts from (one home, so each program shows only its one change):
// CMK with rotation, private subnet, no inbound, https out, SSM-only role that may write its own log group,
// IMDSv2 hop 1, encrypted root, IMDS root-only nftables unit, CloudWatch agent shipping the gateway log,
// status alarm with an SNS action, and a level-0 openclaw.json at loopback with a file SecretRef token.

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const ACCOUNT = "123456789012";
const TOKEN_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:openclaw/prod/gateway-token-Ab12Cd`;

function keyPolicy(): pulumi.Output<string> {
  return pulumi.output(doc([
    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    { Sid: "LogsEncrypt", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCOUNT}:*` } } },
    { Sid: "AlarmsAndTrail", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "cloudtrail.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
  ]));
}

/** Network, key, topic: what every program shares. */
function foundation(name = "gw") {
  const key = new aws.kms.Key(name, { enableKeyRotation: true, policy: keyPolicy() });
  const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: key.arn });
  new aws.sns.TopicSubscription(`${name}-oncall`, { topic: topic.arn, protocol: "email", endpoint: "oncall@example.com" });
  const vpc = new aws.ec2.Vpc(name, { cidrBlock: "10.42.0.0/16" });
  new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: vpc.id });
  const subnet = new aws.ec2.Subnet(`${name}-private`, { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
  const logGroup = new aws.cloudwatch.LogGroup(name, { name: "/openclaw/gateway", retentionInDays: 365, kmsKeyId: key.arn });
  return { key, topic, vpc, subnet, logGroup };
}
// ---- the program ----

const { vpc, subnet, logGroup } = foundation();
const sg = new aws.ec2.SecurityGroup("gw-task", {
  vpcId: vpc.id,
  description: "openclaw task",
  ingress: [{ protocol: "tcp", fromPort: 18789, toPort: 18789, cidrBlocks: ["10.42.0.0/16"], description: "gateway from the VPC" }],
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const assume = doc([{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }]);
const execRole = new aws.iam.Role("gw-exec", { assumeRolePolicy: assume });
new aws.iam.RolePolicy("gw-exec", {
  role: execRole.id,
  policy: logGroup.arn.apply((arn) => doc([
    { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:*` },
    { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: TOKEN_ARN },
  ])),
});
const taskRole = new aws.iam.Role("gw-task", { assumeRolePolicy: assume });
const cluster = new aws.ecs.Cluster("gw", { settings: [{ name: "containerInsights", value: "enabled" }] });
const task = new aws.ecs.TaskDefinition("gw", {
  family: "openclaw-gateway",
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "1024",
  memory: "2048",
  executionRoleArn: execRole.arn,
  taskRoleArn: taskRole.arn,
  containerDefinitions: logGroup.name.apply((group) => JSON.stringify([{
    name: "gateway",
    image: "ghcr.io/openclaw/openclaw:2026.9.6",
    essential: true,
    // In a container loopback is unreachable from the task ENI: "bind lan so the port mapping works"
    command: ["gateway", "--bind", "lan", "--port", "18789"],
    portMappings: [{ containerPort: 18789, protocol: "tcp" }],
    secrets: [{ name: "OPENCLAW_GATEWAY_TOKEN", valueFrom: TOKEN_ARN }],
    readonlyRootFilesystem: true,
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "gw" } },
  }])),
});
new aws.ecs.Service("gw", {
  cluster: cluster.arn,
  taskDefinition: task.arn,
  desiredCount: 1,
  launchType: "FARGATE",
  networkConfiguration: { subnets: [subnet.id], securityGroups: [sg.id], assignPublicIp: false },
});
export const account = ACCOUNT;
