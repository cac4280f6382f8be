import { describe, expect, it } from "vitest";
import type { StackResource } from "../lib/types";
import { imdsRootOnly } from "./imds-root-only";
import { noNetworkSideDoor } from "./no-network-side-door";
import { noPublicIngress } from "./no-public-ingress";

const r = (type: string, name: string, props: Record<string, unknown>): StackResource => ({ type, name, urn: `urn:${name}`, props, dependencies: [] });

describe("no-network-side-door", () => {
  const judge = (resources: StackResource[]) => noNetworkSideDoor.validateStack(resources, {});
  it("refuses every way of joining another network to the VPC", () => {
    expect(judge([r("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "p", { vpcId: "vpc-1", peerOwnerId: "999988887777" })])[0].message).toMatch(/account 999988887777/);
    for (const t of ["aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter", "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "aws:ec2/vpnConnection:VpnConnection", "aws:ec2clientvpn/networkAssociation:NetworkAssociation", "aws:directconnect/gatewayAssociation:GatewayAssociation"]) expect(judge([r(t, "x", {})]), t).toHaveLength(1);
    expect(judge([r("aws:ec2/vpnGateway:VpnGateway", "v", { vpcId: "vpc-1" })])).toHaveLength(1);
    expect(judge([r("aws:ec2clientvpn/authorizationRule:AuthorizationRule", "a", { authorizeAllGroups: true, targetNetworkCidr: "0.0.0.0/0" })])[0].message).toMatch(/every Client VPN user/);
  });
  it("passes a detached VPN gateway and a Client VPN rule for one group", () => {
    expect(judge([r("aws:ec2/vpnGateway:VpnGateway", "v", {}), r("aws:ec2clientvpn/authorizationRule:AuthorizationRule", "a", { accessGroupId: "ops", targetNetworkCidr: "10.1.0.0/16" })])).toEqual([]);
  });
});

describe("no-public-ingress: Lightsail front ends", () => {
  const judge = (resources: StackResource[]) => noPublicIngress.validateStack(resources, { gatewayPort: 18789 });
  const svc = r("aws:lightsail/containerService:ContainerService", "svc", { name: "gw", power: "small", scale: 1 });
  it("refuses a public endpoint, public domains, load balancers and distributions", () => {
    expect(judge([svc, r("aws:lightsail/containerServiceDeploymentVersion:ContainerServiceDeploymentVersion", "d", { serviceName: "gw", publicEndpoint: { containerName: "gateway", containerPort: 18789 } })])[0].message).toMatch(/public https URL/);
    expect(judge([r("aws:lightsail/lb:Lb", "lb", { name: "x" })])).toHaveLength(1);
    expect(judge([r("aws:lightsail/distribution:Distribution", "cdn", {})])).toHaveLength(1);
  });
  it("passes a deployment with no public endpoint; cannot judge a service deployed elsewhere", () => {
    expect(judge([svc, r("aws:lightsail/containerServiceDeploymentVersion:ContainerServiceDeploymentVersion", "d", { serviceName: "gw" })])).toEqual([]);
    expect(() => judge([svc])).toThrow(/deploys no ContainerServiceDeploymentVersion/);
  });
});

describe("imds-root-only: containers that pass the root-only guard", () => {
  const task = (networkMode: string, c: Record<string, unknown>, compat = ["EC2"]) => r("aws:ecs/taskDefinition:TaskDefinition", "t", { networkMode, requiresCompatibilities: compat, containerDefinitions: JSON.stringify([{ name: "gateway", ...c }]) });
  const judge = (resources: StackResource[]) => imdsRootOnly.validateStack(resources, {});
  it("refuses privileged containers and explicit root in the host's network", () => {
    expect(judge([task("bridge", { privileged: true })])[0].message).toMatch(/privileged/);
    expect(judge([task("host", { user: "0:0" })])[0].message).toMatch(/as root/);
    const host = r("aws:ec2/instance:Instance", "h", { userData: "#cloud-config\nruncmd:\n  - docker run -d --network host --user root ghcr.io/openclaw/openclaw:2026.9.6\n" });
    expect(judge([host]).some((v) => /as root in the host's network/.test(v.message))).toBe(true);
  });
  it("passes non-root host networking, bridge networking and Fargate; an unset user in the host's network cannot be judged", () => {
    expect(judge([task("host", { user: "1000" }), task("bridge", {}), task("awsvpc", { privileged: false }, ["FARGATE"])])).toEqual([]);
    expect(() => judge([task("host", {})])).toThrow(/default user/);
  });
});
