// breaks: the gate (issue 15: a crash is exit 2 "cannot judge offline", never a pass of the resources that did register)
// how: the instance's user data is rendered inside an apply that throws (a missing template file), so the instance never registers offline
// expect: cannot-judge
import * as aws from "@pulumi/aws";
import * as fs from "node:fs";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const userData = key.arn.apply((arn) => fs.readFileSync(`${__dirname}/templates/gateway-user-data.sh`, "utf8").replace("@KEY_ARN@", arn));
new aws.ec2.Instance("gw", {
  ami: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  subnetId: subnet.id,
  userData,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, kmsKeyId: key.arn },
});
