// Protects: the gate itself. A dynamic provider resource (pulumi.dynamic.Resource) runs the program's own
// code at deploy time, and a template deployer (CloudFormation stack, stack set, Service Catalog product,
// Serverless Application Repository app) creates whatever its template or package says: either may
// start a host with IMDSv1 and a public address or open a secret to everyone, and no rule sees it.
// Checklist: "Network restrictions in place" and "API keys stored in ... secrets manager" (the corpus cases
// open the gateway token's policy through a dynamic resource and launch an IMDSv1 host inside a stack).
// Fix: use the provider's own resources, or record a reviewed exception (clawkeep:policyExceptions) naming
// the resource after a person has read its provider code or template.
import type { ResourceRule } from "../lib/types";

export const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";

/** Resources that deploy other resources from a template, package or registered type the pack does not judge, and why. */
export const TEMPLATE_DEPLOYERS: Readonly<Record<string, string>> = {
  "aws:cloudformation/stack:Stack": "a CloudFormation stack: its template creates resources the pack does not judge",
  "aws:cloudformation/stackSet:StackSet": "a CloudFormation stack set: its template creates resources in every account and region it is deployed to, unjudged",
  "aws:cloudformation/stackSetInstance:StackSetInstance": "a CloudFormation stack set instance: it deploys a stack set's template, unjudged",
  "aws:cloudformation/stackInstances:StackInstances": "CloudFormation stack instances: they deploy a stack set's template, unjudged",
  "aws:cloudformation/cloudFormationType:CloudFormationType": "a CloudFormation registry type: its handler code decides what its resources do",
  "aws:servicecatalog/provisionedProduct:ProvisionedProduct": "a Service Catalog provisioned product: its product's template creates resources the pack does not judge",
  "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": "a Serverless Application Repository stack: the application's template creates resources the pack does not judge",
  "aws-native:cloudformation:Stack": "a CloudFormation stack: its template creates resources the pack does not judge",
  "aws-native:cloudformation:StackSet": "a CloudFormation stack set: its template creates resources the pack does not judge",
  "aws-native:servicecatalog:CloudFormationProvisionedProduct": "a Service Catalog provisioned product: its product's template creates resources the pack does not judge",
};

export const noOpaqueDynamicResource: ResourceRule = {
  kind: "resource",
  name: "no-opaque-dynamic-resource",
  description:
    "No dynamic provider resource (pulumi.dynamic.Resource) and no template deployer (CloudFormation stack, stack set and its instances, registry type, Service Catalog provisioned product, Serverless Application Repository stack): what they create is decided at deploy time by code or a template no rule judges.",
  protects: "the policy gate from resources whose effect only their own code or template knows",
  checklistItems: ["network-restrictions", "api-keys-in-secret-store"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Replace it with the provider's own resources (the rules judge those), or, after a person has read its provider code or template, record a reviewed exception for this resource in clawkeep:policyExceptions.",
  resourceTypes: [DYNAMIC_RESOURCE_TYPE, ...Object.keys(TEMPLATE_DEPLOYERS)],
  validateResource(type) {
    const deployer = TEMPLATE_DEPLOYERS[type];
    if (deployer) return [`${deployer}, so the pack cannot judge it`];
    return ["a dynamic provider resource: what it creates is decided by its provider code at deploy time, so the pack cannot judge it"];
  },
};
