// breaks: BP2 gateway token authentication / Mistake 1: the gateway requires its token
// how: a Lightsail container service deployment runs the OpenClaw image with command `gateway --auth none` (class variant: Lightsail containers)
// expect: violation
import * as aws from "@pulumi/aws";

const service = new aws.lightsail.ContainerService("gw", { name: "openclaw-gw", power: "small", scale: 1, isDisabled: false });
new aws.lightsail.ContainerServiceDeploymentVersion("gw", {
  serviceName: service.name,
  containers: [{ containerName: "gateway", image: "ghcr.io/openclaw/openclaw:2026.9.6", commands: ["gateway", "--auth", "none", "--port", "18789"], ports: { "18789": "HTTP" } }],
});
