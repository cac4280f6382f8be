// Protects: the gate itself. A dynamic provider resource (pulumi.dynamic.Resource) runs the program's own
// code at deploy time: it may open a secret to everyone or start a host, and no rule sees what it does.
// Checklist: "Network restrictions in place" and "API keys stored in ... secrets manager" (the corpus case
// opens the gateway token's resource policy to everyone through one).
// Fix: use the provider's own resources, or record a reviewed exception (clawkeep:policyExceptions) naming
// the resource after a person has read its provider code.
import type { ResourceRule } from "../lib/types";

export const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";

export const noOpaqueDynamicResource: ResourceRule = {
  kind: "resource",
  name: "no-opaque-dynamic-resource",
  description: "No dynamic provider resource (pulumi.dynamic.Resource): what it creates is decided by provider code at deploy time, which no rule can judge.",
  protects: "the policy gate from resources whose effect only their own code knows",
  checklistItems: ["network-restrictions", "api-keys-in-secret-store"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Replace it with the provider's own resources (the rules judge those), or, after reading its provider code, record a reviewed exception for this resource in clawkeep:policyExceptions.",
  resourceTypes: [DYNAMIC_RESOURCE_TYPE],
  validateResource() {
    return ["a dynamic provider resource: what it creates is decided by its provider code at deploy time, so the pack cannot judge it"];
  },
};
