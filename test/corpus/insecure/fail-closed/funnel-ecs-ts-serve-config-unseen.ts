// breaks: "Tailscale-only access without Funnel" / BP3: nothing publishes the gateway to the internet
// how: an ECS task's tailscale sidecar reads TS_SERVE_CONFIG from a file on an EFS volume the program does not write: the serve config (and its AllowFunnel) cannot be seen
// expect: cannot-judge
import * as aws from "@pulumi/aws";

new aws.ecs.TaskDefinition("gw", {
  family: "openclaw-gateway",
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "1024",
  memory: "2048",
  volumes: [{ name: "ts-config", efsVolumeConfiguration: { fileSystemId: "fs-0123456789abcdef0", rootDirectory: "/tailscale" } }],
  containerDefinitions: JSON.stringify([
    { name: "gateway", image: "ghcr.io/openclaw/openclaw:2026.9.6", essential: true, command: ["gateway", "--bind", "loopback", "--port", "18789"] },
    {
      name: "tailscale", image: "tailscale/tailscale:v1.80.3", essential: true,
      environment: [{ name: "TS_SERVE_CONFIG", value: "/config/serve.json" }, { name: "TS_USERSPACE", value: "true" }],
      mountPoints: [{ sourceVolume: "ts-config", containerPath: "/config", readOnly: true }],
    },
  ]),
});
