// breaks: "Network restrictions in place" / BP3 isolation (ingress 18789 from the internet), hidden in a program shape the offline judge must run too
// how: the program is an exported async function (a supported Pulumi entry point: the engine calls it); every resource, including an SG open to 0.0.0.0/0 on the gateway port, is registered inside it
// expect: violation
import * as aws from "@pulumi/aws";

export = async () => {
  const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
  const sg = new aws.ec2.SecurityGroup("gw", {
    vpcId: vpc.id,
    description: "gateway ui",
    ingress: [{ protocol: "tcp", fromPort: 18789, toPort: 18789, cidrBlocks: ["0.0.0.0/0"] }],
    egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
  });
  return { securityGroupId: sg.id };
};
