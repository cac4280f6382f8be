// A synthetic program of 1,000 resources for the policy bench: a mix of the types the rules judge.
import * as aws from "@pulumi/aws";

for (let i = 0; i < 250; i++) {
  new aws.ec2.SecurityGroup(`sg-${i}`, {
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }],
    egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
  });
  new aws.kms.Key(`key-${i}`, { enableKeyRotation: i % 2 === 0 });
  new aws.cloudwatch.LogGroup(`logs-${i}`, { retentionInDays: i % 3 === 0 ? 30 : 365 });
  new aws.iam.Policy(`policy-${i}`, {
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::bucket-${i}/*` }] }),
    tags: { group: `g-${i % 10}` },
  });
}
