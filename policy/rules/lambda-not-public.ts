// Protects: Lambda functions (the rotation functions hold secret-writing permissions) from being
// invoked by anyone: a function URL without auth, a permission for Principal "*", or a permission for
// a service principal with no source (any account's bucket, topic, rule or API of that service may
// then invoke it: the confused deputy).
// Checklist: "Network restrictions in place"; "Role-based access control implemented".
// Fix: function URLs with authorizationType AWS_IAM; permissions to a named principal, or to a service with sourceArn/sourceAccount.
import { boundedArn } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

const URL = "aws:lambda/functionUrl:FunctionUrl";
const PERMISSION = "aws:lambda/permission:Permission";
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
/** rotation-lambda-permission-scoped judges Secrets Manager's permission. */
const OWN_RULE = "secretsmanager.amazonaws.com";

export const lambdaNotPublic: ResourceRule = {
  kind: "resource",
  name: "lambda-not-public",
  description:
    'No Lambda function URL uses authorizationType NONE, no Lambda permission grants Principal "*" without a bounded sourceArn, sourceAccount or principalOrgId, and none grants a service principal without a bounded sourceArn or sourceAccount.',
  protects: "functions and the credentials of their roles from unauthenticated callers and other accounts' resources",
  checklistItems: ["network-restrictions", "role-based-access"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    'Use authorizationType "AWS_IAM" on function URLs; grant lambda.Permission to a named principal, or to a service with sourceArn (the one rule, topic, bucket or API) or sourceAccount (the stack\'s account); with principal "*" set principalOrgId.',
  resourceTypes: [URL, PERMISSION],
  validateResource(type, props) {
    if (type === URL) return props.authorizationType === "NONE" ? ["the function URL has authorizationType NONE (anyone on the internet can call it)"] : [];
    const principal = props.principal;
    const sourceArn = nonEmpty(props.sourceArn) && boundedArn(props.sourceArn);
    const sourceAccount = nonEmpty(props.sourceAccount) && /^\d{12}$/.test(props.sourceAccount);
    if (principal === "*") {
      if (props.functionUrlAuthType === "NONE") return ['Principal "*" may invoke the function URL without authentication (functionUrlAuthType NONE)'];
      return sourceArn || sourceAccount || nonEmpty(props.principalOrgId) ? [] : ['Principal "*" may invoke the function with no bounded sourceArn, sourceAccount or principalOrgId'];
    }
    if (typeof principal === "string" && /\.amazonaws\.com(\.cn)?$/.test(principal) && principal !== OWN_RULE && !sourceArn && !sourceAccount) {
      const given = nonEmpty(props.sourceArn) ? ` (sourceArn ${props.sourceArn} names no one account)` : "";
      return [`${principal} may invoke the function on behalf of any account: no bounded sourceArn or sourceAccount${given}`];
    }
    return [];
  },
};
