// breaks: "Network restrictions in place" / BP3: the gateway binds loopback only
// how: an AWS Batch job definition runs the OpenClaw image (docker.io/openclaw/openclaw, a tag) with command `gateway --bind lan` (class variant: Batch container properties)
// expect: violation
import * as aws from "@pulumi/aws";

new aws.batch.JobDefinition("gw", {
  type: "container",
  platformCapabilities: ["FARGATE"],
  containerProperties: JSON.stringify({
    image: "docker.io/openclaw/openclaw:2026.9.6",
    command: ["gateway", "--bind", "lan"],
    resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "2048" }],
    executionRoleArn: "arn:aws:iam::123456789012:role/gw-exec",
    networkConfiguration: { assignPublicIp: "DISABLED" },
  }),
});
