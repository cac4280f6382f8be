// breaks: "Network restrictions in place" / BP3 isolation (all ports open to the internet), registered late so a hasty judge has already finished
// how: the open ingress rule is registered from a setTimeout two seconds after the program module returns; the real engine waits for it, a judge that stops at the end of the module does not
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
setTimeout(() => {
  new aws.vpc.SecurityGroupIngressRule("gw-late", { securityGroupId: sg.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" });
}, 2000);
