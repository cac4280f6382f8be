// breaks: "no public ingress" / "Network restrictions in place" / BP3 + BP5 (dedicated private host, Tailscale-only access)
// how: the gateway runs on a Lightsail container service (not a Lightsail instance): its deployment's publicEndpoint serves container port 18789 on a public https://*.cs.amazonlightsail.com URL, the gateway bound to lan inside the container
// expect: violation
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// "Lightsail containers are the cheapest always-on option"
const service = new aws.lightsail.ContainerService("openclaw", { name: "openclaw-gw", power: "small", scale: 1, isDisabled: false });
const token = new pulumi.Config("openclaw").getSecret("gatewayToken");
new aws.lightsail.ContainerServiceDeploymentVersion("openclaw", {
  serviceName: service.name,
  containers: [{
    containerName: "gateway",
    image: "ghcr.io/openclaw/openclaw:2026.9.6",
    commands: ["gateway", "--bind", "lan", "--port", "18789"],
    environment: token ? { OPENCLAW_GATEWAY_TOKEN: token } : {},
    ports: { "18789": "HTTP" },
  }],
  publicEndpoint: {
    containerName: "gateway",
    containerPort: 18789,
    healthCheck: { path: "/healthz", successCodes: "200-299", intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
  },
});
export const url = service.url;
