// breaks: "Network restrictions in place" / BP3 isolation: the gateway is not published to the internet
// how: the gateway container on App Runner, whose ingress is public unless networkConfiguration.ingressConfiguration says otherwise (left out)
// expect: violation
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("gw", { enableKeyRotation: true });
new aws.apprunner.Service("gw", {
  serviceName: "openclaw-gateway",
  encryptionConfiguration: { kmsKey: key.arn },
  sourceConfiguration: {
    autoDeploymentsEnabled: false,
    imageRepository: {
      imageRepositoryType: "ECR_PUBLIC",
      imageIdentifier: "public.ecr.aws/openclaw/gateway:2026.9.6",
      imageConfiguration: { port: "18789" },
    },
  },
  instanceConfiguration: { cpu: "1024", memory: "2048" },
});
