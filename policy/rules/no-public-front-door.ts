// Protects: the private gateway from public front doors that are not security groups. An API Gateway
// route through a VPC link, a VPC endpoint service any account may connect to, a CloudFront VPC origin
// or a Global Accelerator endpoint each carry internet traffic to a private load balancer or host, past
// every security group that admits only the VPC.
// Question: does anything of the program publish a door into the VPC without authenticating the caller?
// Refused: an HTTP/WebSocket (v2) or REST (v1) API whose route or method reaches a VPC_LINK integration
// with authorization NONE (WebSocket: its $connect route; REST: unless the API is PRIVATE); a VPC
// endpoint service or allowed principal of "*" (any account); a CloudFront VPC origin or a distribution
// using one; a Global Accelerator endpoint group with endpoints. Accepted: VPC-link routes with IAM,
// JWT, Lambda or Cognito authorization, and endpoint services limited to named principals.
// Checklist: "Network restrictions in place"; best practice 3, network segmentation and isolation.
// Fix: authorize the route (AWS_IAM, JWT, CUSTOM) or drop the API; name the accounts allowed to connect; reach the gateway over Tailscale.
import { items, known, label, stackIndex, throwBlind, at, type StackIndex } from "../lib/stackIndex";
import { UNKNOWN } from "../lib/references";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { asArray, isRecord } from "../lib/values";

export const FRONT_DOOR = {
  v2Api: "aws:apigatewayv2/api:Api",
  v2Integration: "aws:apigatewayv2/integration:Integration",
  v2Route: "aws:apigatewayv2/route:Route",
  v1Api: "aws:apigateway/restApi:RestApi",
  v1Integration: "aws:apigateway/integration:Integration",
  v1Method: "aws:apigateway/method:Method",
  endpointService: "aws:ec2/vpcEndpointService:VpcEndpointService",
  endpointPrincipal: "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple",
  vpcOrigin: "aws:cloudfront/vpcOrigin:VpcOrigin",
  distribution: "aws:cloudfront/distribution:Distribution",
  acceleratorGroup: "aws:globalaccelerator/endpointGroup:EndpointGroup",
  customAcceleratorGroup: "aws:globalaccelerator/customRoutingEndpointGroup:CustomRoutingEndpointGroup",
} as const;

const isVpcLink = (integration: unknown) => String(known(at(integration, "connectionType")) ?? "").toUpperCase() === "VPC_LINK";
/** A route's or method's authorization, NONE when unset (both APIs' default). */
const authOf = (r: StackResource, key: string): string => {
  const v = at(r.props, key);
  if (v === UNKNOWN) throw new CannotJudge(`the authorization of ${label(r)}`);
  return typeof v === "string" && v !== "" ? v.toUpperCase() : "NONE";
};
const anyPrincipal = (p: unknown) => typeof p === "string" && (p === "*" || /^arn:[^:]*:iam::\*:/.test(p));

/** OpenAPI bodies (v1 and v2 import): operations whose x-amazon-apigateway-integration goes through a VPC link with no security requirement. */
function openApiDoors(body: unknown): string[] {
  let doc: unknown = body;
  if (typeof body === "string") {
    try {
      doc = JSON.parse(body);
    } catch {
      return [];
    }
  }
  if (!isRecord(doc) || !isRecord(doc.paths)) return [];
  const topSecured = asArray(doc.security).length > 0;
  const out: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!isRecord(ops)) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (!isRecord(op) || !isVpcLink(op["x-amazon-apigateway-integration"])) continue;
      const secured = op.security !== undefined ? asArray(op.security).some((s) => isRecord(s) && Object.keys(s).length > 0) : topSecured;
      if (!secured && !isRecord(op["x-amazon-apigateway-auth"])) out.push(`${method === "x-amazon-apigateway-any-method" ? "ANY" : method.toUpperCase()} ${path}`);
    }
  }
  return out;
}

function v2Doors(index: StackIndex, out: StackViolation[], blind: CannotJudge[]): void {
  for (const api of index.of(FRONT_DOOR.v2Api)) {
    const doors = openApiDoors(known(at(api.props, "body")));
    if (doors.length > 0) out.push({ urn: api.urn, message: `${label(api)}: its OpenAPI body sends ${doors.join(", ")} through a VPC link with no authorization, a public URL into the VPC` });
  }
  for (const route of index.of(FRONT_DOOR.v2Route)) {
    try {
      const target = at(route.props, "target");
      const integrations = target === UNKNOWN ? index.resolve(route, UNKNOWN, [FRONT_DOOR.v2Integration]) : typeof target === "string" && target.startsWith("integrations/") ? index.find([FRONT_DOOR.v2Integration], ["id"], target.slice("integrations/".length)) : [];
      const linked = integrations.find((i) => isVpcLink(i.props));
      if (!linked) continue;
      const apiId = known(at(route.props, "apiId"));
      const api = typeof apiId === "string" ? index.find([FRONT_DOOR.v2Api], ["id"], apiId)[0] : undefined;
      const websocket = String(known(at(api?.props, "protocolType")) ?? "") === "WEBSOCKET";
      // A WebSocket API authorizes once, on $connect; every other route rides that connection.
      const gate = websocket ? index.of(FRONT_DOOR.v2Route).find((r) => known(at(r.props, "apiId")) === apiId && known(at(r.props, "routeKey")) === "$connect") : route;
      const auth = gate ? authOf(gate, "authorizationType") : "NONE";
      if (auth === "NONE") {
        out.push({ urn: route.urn, message: `${label(route)} (${String(known(at(route.props, "routeKey")) ?? "?")}) sends requests through a VPC link (${label(linked)}) with authorization NONE${websocket ? " on $connect" : ""}: a public URL into the VPC` });
      }
    } catch (e) {
      if (e instanceof CannotJudge) blind.push(e);
      else throw e;
    }
  }
}

function v1Doors(index: StackIndex, out: StackViolation[], blind: CannotJudge[]): void {
  const privateApi = (api: StackResource | undefined) => asArray(known(at(api?.props, "endpointConfiguration", "types"))).includes("PRIVATE");
  const apiById = (id: unknown) => (typeof id === "string" ? index.find([FRONT_DOOR.v1Api], ["id"], id)[0] : undefined);
  for (const api of index.of(FRONT_DOOR.v1Api)) {
    if (privateApi(api)) continue;
    const doors = openApiDoors(known(at(api.props, "body")));
    if (doors.length > 0) out.push({ urn: api.urn, message: `${label(api)}: its OpenAPI body sends ${doors.join(", ")} through a VPC link with no authorization, a public URL into the VPC` });
  }
  for (const integration of index.of(FRONT_DOOR.v1Integration)) {
    if (!isVpcLink(integration.props)) continue;
    try {
      const restApi = known(at(integration.props, "restApi"));
      if (privateApi(apiById(restApi))) continue;
      const resourceId = known(at(integration.props, "resourceId"));
      const httpMethod = known(at(integration.props, "httpMethod"));
      const methods = index.of(FRONT_DOOR.v1Method).filter((m) => known(at(m.props, "restApi")) === restApi && known(at(m.props, "resourceId")) === resourceId && known(at(m.props, "httpMethod")) === httpMethod);
      if (methods.length === 0) throw new CannotJudge(`the method ${label(integration)} serves (its authorization decides who reaches the VPC link)`);
      for (const m of methods) {
        if (authOf(m, "authorization") === "NONE") out.push({ urn: integration.urn, message: `${label(integration)} sends ${String(httpMethod)} requests through a VPC link, and its method ${label(m)} has authorization NONE on a non-private API: a public URL into the VPC` });
      }
    } catch (e) {
      if (e instanceof CannotJudge) blind.push(e);
      else throw e;
    }
  }
}

function endpointServiceDoors(index: StackIndex, out: StackViolation[], blind: CannotJudge[]): void {
  for (const svc of index.of(FRONT_DOOR.endpointService)) {
    const principals = at(svc.props, "allowedPrincipals");
    if (principals === UNKNOWN) {
      blind.push(new CannotJudge(`the allowed principals of ${label(svc)}`));
      continue;
    }
    const any = items(principals).filter(anyPrincipal);
    if (any.length > 0) out.push({ urn: svc.urn, message: `${label(svc)} lets any AWS account (${String(any[0])}) create an endpoint to it${known(at(svc.props, "acceptanceRequired")) === false ? ", accepted without review" : ""}: a private link into the VPC from anywhere` });
  }
  for (const p of index.of(FRONT_DOOR.endpointPrincipal)) {
    const arn = at(p.props, "principalArn");
    if (arn === UNKNOWN) blind.push(new CannotJudge(`the principal of ${label(p)}`));
    else if (anyPrincipal(arn)) out.push({ urn: p.urn, message: `${label(p)} allows principal ${String(arn)}: any AWS account may create an endpoint to the service` });
  }
}

function edgeDoors(index: StackIndex, out: StackViolation[]): void {
  for (const o of index.of(FRONT_DOOR.vpcOrigin)) out.push({ urn: o.urn, message: `${label(o)} puts ${String(known(at(o.props, "vpcOriginEndpointConfig", "arn")) ?? "a private load balancer or instance")} behind a public CloudFront distribution` });
  for (const d of index.of(FRONT_DOOR.distribution)) {
    const viaVpc = asArray(known(at(d.props, "origins"))).filter((o) => isRecord(o) && isRecord(o.vpcOriginConfig));
    if (viaVpc.length > 0) out.push({ urn: d.urn, message: `${label(d)} serves ${viaVpc.length} VPC origin(s) to the internet` });
  }
  for (const g of index.of(FRONT_DOOR.acceleratorGroup)) {
    const endpoints = asArray(known(at(g.props, "endpointConfigurations"))).map((e) => known(at(e, "endpointId")));
    if (endpoints.length > 0) out.push({ urn: g.urn, message: `${label(g)} sends the accelerator's public anycast addresses to ${endpoints.map((e) => String(e ?? "an endpoint")).join(", ")}` });
  }
  for (const g of index.of(FRONT_DOOR.customAcceleratorGroup)) out.push({ urn: g.urn, message: `${label(g)} maps the accelerator's public addresses onto hosts in VPC subnets` });
}

export const noPublicFrontDoor: StackRule = {
  kind: "stack",
  name: "no-public-front-door",
  description:
    "No public front door into the VPC that is not a security group: API Gateway routes and methods through a VPC link with authorization NONE (WebSocket: on $connect; REST: unless PRIVATE; OpenAPI bodies too), VPC endpoint services open to any account, CloudFront VPC origins, Global Accelerator endpoint groups. VPC-link routes with IAM, JWT, Lambda or Cognito authorization and endpoint services for named accounts are accepted.",
  protects: "the private gateway from internet traffic carried past its security groups by a managed front end",
  checklistItems: ["network-restrictions", "network-isolation"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    'Give every VPC-link route an authorizer (authorizationType "AWS_IAM", "JWT" or "CUSTOM"; REST: authorization other than NONE, or endpointConfiguration PRIVATE), list only named accounts in allowedPrincipals, and drop CloudFront VPC origins and Global Accelerator endpoints in front of the gateway: reach it over Tailscale or an SSM port forward.',
  resourceTypes: Object.values(FRONT_DOOR),
  judges: "API Gateway VPC-link routes and methods, VPC endpoint services, CloudFront VPC origins, Global Accelerator endpoint groups",
  validateStack(resources) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    v2Doors(index, out, blind);
    v1Doors(index, out, blind);
    endpointServiceDoors(index, out, blind);
    edgeDoors(index, out);
    throwBlind(blind);
    return out;
  },
};
