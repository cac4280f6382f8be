// breaks: "no public ingress" / BP3: nothing on the internet reaches the gateway
// how: a Lightsail load balancer (always internet-facing, no security group) forwards to the gateway port; the instance side is a Lightsail instance whose firewall is closed
// expect: violation
import * as aws from "@pulumi/aws";

const lb = new aws.lightsail.Lb("gw", { name: "openclaw-lb", healthCheckPath: "/healthz", instancePort: 18789 });
new aws.lightsail.LbAttachment("gw", { lbName: lb.name, instanceName: "openclaw-gw" });
