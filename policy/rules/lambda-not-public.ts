// Protects: Lambda functions (the rotation functions hold secret-writing permissions) from being
// invoked by anyone on the internet through a function URL without auth or a "*" permission.
// Checklist: "Network restrictions in place"; "Role-based access control implemented".
// Fix: function URLs with authorizationType AWS_IAM; permissions to a named principal with a source condition.
import type { ResourceRule } from "../lib/types";

const URL = "aws:lambda/functionUrl:FunctionUrl";
const PERMISSION = "aws:lambda/permission:Permission";
const nonEmpty = (v: unknown) => typeof v === "string" && v.trim() !== "";

export const lambdaNotPublic: ResourceRule = {
  kind: "resource",
  name: "lambda-not-public",
  description: 'No Lambda function URL uses authorizationType NONE, and no Lambda permission grants Principal "*" without a source condition.',
  protects: "functions and the credentials of their roles from unauthenticated callers",
  checklistItems: ["network-restrictions", "role-based-access"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Use authorizationType "AWS_IAM" on function URLs; grant lambda.Permission to a named principal with sourceArn/sourceAccount/principalOrgId.',
  resourceTypes: [URL, PERMISSION],
  validateResource(type, props) {
    if (type === URL) return props.authorizationType === "NONE" ? ["the function URL has authorizationType NONE (anyone on the internet can call it)"] : [];
    if (props.principal !== "*") return [];
    if (props.functionUrlAuthType === "NONE") return ['Principal "*" may invoke the function URL without authentication (functionUrlAuthType NONE)'];
    return nonEmpty(props.sourceArn) || nonEmpty(props.sourceAccount) || nonEmpty(props.principalOrgId)
      ? []
      : ['Principal "*" may invoke the function with no sourceArn, sourceAccount or principalOrgId'];
  },
};
