// breaks: BP5 dedicated hardened host: the agent never holds the instance role's credentials
// how: an ECS task on EC2 (no privileged flag) with networkMode "host" and user "root:root": a root socket in the host's network namespace passes `meta skuid != 0`
// expect: violation
import * as aws from "@pulumi/aws";

new aws.ecs.TaskDefinition("gw", {
  family: "openclaw-gateway",
  requiresCompatibilities: ["EC2"],
  networkMode: "host",
  containerDefinitions: JSON.stringify([{ name: "gateway", image: "ghcr.io/openclaw/openclaw:2026.9.6", essential: true, memory: 2048, user: "root:root", command: ["gateway", "--bind", "loopback", "--port", "18789"] }]),
});
