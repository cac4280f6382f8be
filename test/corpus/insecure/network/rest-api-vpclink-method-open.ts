// breaks: "Network restrictions in place" / BP3: no public ingress to the gateway (Tailscale-only access)
// how: a regional REST API (v1) proxies {proxy+} with authorization NONE through a VPC link to the internal NLB in front of the gateway port
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const nlb = new aws.lb.LoadBalancer("gw-api", { internal: true, loadBalancerType: "network", subnets: [subnet.id] });
const link = new aws.apigateway.VpcLink("gw", { name: "gw", targetArn: nlb.arn });
const api = new aws.apigateway.RestApi("gw", { endpointConfiguration: { types: "REGIONAL" } });
const proxy = new aws.apigateway.Resource("gw", { restApi: api.id, parentId: api.rootResourceId, pathPart: "{proxy+}" });
const method = new aws.apigateway.Method("gw", { restApi: api.id, resourceId: proxy.id, httpMethod: "ANY", authorization: "NONE", apiKeyRequired: true });
new aws.apigateway.Integration("gw", { restApi: api.id, resourceId: proxy.id, httpMethod: method.httpMethod, type: "HTTP_PROXY", integrationHttpMethod: "ANY", uri: "http://gateway.internal:18789/{proxy}", connectionType: "VPC_LINK", connectionId: link.id });
