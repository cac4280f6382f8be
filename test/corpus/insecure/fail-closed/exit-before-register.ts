// breaks: the gate (DESIGN "The gate"; issue 15: a program that exits before registering is exit 2, never exit 0 without a verdict), hiding an open SSH port
// how: the program calls process.exit(0) when it is not running under the real engine (no PULUMI_ROOT_STACK / dry-run flag), so offline evaluation sees nothing while pulumi up deploys SSH open to the world
// expect: cannot-judge
import * as aws from "@pulumi/aws";

if (!process.env.PULUMI_NODEJS_MONITOR) {
  // "Nothing to do outside a real deployment."
  process.exit(0);
}

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "ssh for the on-call",
  ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
