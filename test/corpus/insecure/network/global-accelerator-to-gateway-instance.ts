// breaks: "Network restrictions in place" / BP3: no public ingress to the gateway (Tailscale-only access)
// how: a Global Accelerator endpoint group sends its public anycast addresses straight to the gateway instance (client IP preserved)
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const host = new aws.ec2.Instance("gw", {
  ami: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  subnetId: subnet.id,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, volumeSize: 30 },
});
const accelerator = new aws.globalaccelerator.Accelerator("gw", { name: "gw", enabled: true });
const listener = new aws.globalaccelerator.Listener("gw", { acceleratorArn: accelerator.id, protocol: "TCP", portRanges: [{ fromPort: 18789, toPort: 18789 }] });
new aws.globalaccelerator.EndpointGroup("gw", { listenerArn: listener.id, endpointGroupRegion: "us-east-1", endpointConfigurations: [{ endpointId: host.id, clientIpPreservationEnabled: true }] });
