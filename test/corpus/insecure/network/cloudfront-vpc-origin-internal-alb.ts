// breaks: "Network restrictions in place" / BP3: no public ingress to the gateway (Tailscale-only access)
// how: a CloudFront VPC origin puts the internal ALB in front of the gateway behind a public distribution (no security group admits the internet)
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
const a = new aws.ec2.Subnet("gw-a", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24", availabilityZone: "us-east-1a" });
const b = new aws.ec2.Subnet("gw-b", { vpcId: vpc.id, cidrBlock: "10.42.2.0/24", availabilityZone: "us-east-1b" });
const alb = new aws.lb.LoadBalancer("gw", { internal: true, loadBalancerType: "application", subnets: [a.id, b.id] });
const origin = new aws.cloudfront.VpcOrigin("gw", {
  vpcOriginEndpointConfig: { name: "gw", arn: alb.arn, httpPort: 80, httpsPort: 443, originProtocolPolicy: "http-only", originSslProtocols: { items: ["TLSv1.2"], quantity: 1 } },
});
new aws.cloudfront.Distribution("gw", {
  enabled: true,
  origins: [{ originId: "gw", domainName: alb.dnsName, vpcOriginConfig: { vpcOriginId: origin.id } }],
  defaultCacheBehavior: { targetOriginId: "gw", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], forwardedValues: { queryString: true, cookies: { forward: "all" } } },
  restrictions: { geoRestriction: { restrictionType: "none" } },
  viewerCertificate: { cloudfrontDefaultCertificate: true },
});
