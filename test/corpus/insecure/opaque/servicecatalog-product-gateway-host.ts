// breaks: BP5 / every host the program launches is judged (IMDSv2, encrypted disk, no public address)
// how: the gateway host comes from a Service Catalog product (a template the pack never sees) provisioned by aws.servicecatalog.ProvisionedProduct
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
new aws.servicecatalog.ProvisionedProduct("gw-host", {
  name: "openclaw-gateway",
  productName: "team-ec2-host",
  provisioningArtifactName: "v3",
  provisioningParameters: [{ key: "SubnetId", value: subnet.id }, { key: "AssociatePublicIp", value: "true" }],
});
