// breaks: "Network restrictions in place" / BP3 isolation: nothing on the internet reaches the gateway port
// how: the operator picks a Lightsail instance (cheaper) and opens the gateway port 18789 to 0.0.0.0/0 with lightsail.InstancePublicPorts
// expect: violation
import * as aws from "@pulumi/aws";

const host = new aws.lightsail.Instance("gw", {
  availabilityZone: "us-east-1a",
  blueprintId: "debian_12",
  bundleId: "medium_3_0",
});
// Replaces Lightsail's default firewall (22 and 80 open) with just the gateway port.
new aws.lightsail.InstancePublicPorts("gw", {
  instanceName: host.name,
  portInfos: [{ protocol: "tcp", fromPort: 18789, toPort: 18789, cidrs: ["0.0.0.0/0"] }],
});
