// breaks: fail closed: a gateway container whose OpenClaw config is baked in the image; what the agent may do there cannot be judged
// how: the task runs `openclaw gateway` with OPENCLAW_CONFIG_PATH naming a file the task does not deliver (its secrets come by valueFrom, as they should: it was a secure control for that, until the pack refused gateways whose config it cannot see)
// expect: cannot-judge
import * as aws from "@pulumi/aws";

const anthropicKeyArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/prod/anthropic-api-key-Ef34Gh";
const tokenArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/prod/gateway-token-Ab12Cd";

const execRole = new aws.iam.Role("gateway-exec", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicyAttachment("gateway-exec", { role: execRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" });
new aws.iam.RolePolicy("gateway-exec-secrets", {
  role: execRole.id,
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [anthropicKeyArn, tokenArn] }] }),
});

new aws.ecs.TaskDefinition("gateway", {
  family: "openclaw-gateway",
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "1024",
  memory: "2048",
  executionRoleArn: execRole.arn,
  containerDefinitions: JSON.stringify([
    {
      name: "gateway",
      image: "ghcr.io/openclaw/openclaw:2026.9.6",
      essential: true,
      readonlyRootFilesystem: true,
      user: "1000:1000",
      command: ["gateway", "--port", "18789", "--bind", "loopback"],
      environment: [{ name: "OPENCLAW_CONFIG_PATH", value: "/etc/openclaw/openclaw.json" }],
      secrets: [
        { name: "ANTHROPIC_API_KEY", valueFrom: anthropicKeyArn },
        { name: "OPENCLAW_GATEWAY_TOKEN", valueFrom: tokenArn },
      ],
    },
  ]),
});
