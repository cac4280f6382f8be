// breaks: "API keys stored in environment variables or secrets manager" (openclaw security practices, production checklist)
// how: an ECS task definition's containerDefinitions environment sets OPENCLAW_GATEWAY_TOKEN to a literal 64-hex token
// expect: violation
import * as aws from "@pulumi/aws";

const execRole = new aws.iam.Role("gateway-exec", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
new aws.iam.RolePolicyAttachment("gateway-exec", { role: execRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" });

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
      environment: [
        { name: "OPENCLAW_CONFIG_PATH", value: "/etc/openclaw/openclaw.json" },
        { name: "OPENCLAW_GATEWAY_TOKEN", value: "53994636405b7629aced7dfdd411975b075338c6389baf1800fcdb21b6cd63f8" },
      ],
    },
  ]),
});
