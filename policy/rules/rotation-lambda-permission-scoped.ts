// Protects: the rotation Lambda from the confused-deputy problem. A permission for the
// secretsmanager.amazonaws.com principal without a source lets Secrets Manager invoke it on behalf
// of any account's secret.
// Checklist: "Keys rotated within last 90 days" (rotation that cannot be hijacked).
// Fix: set sourceAccount (AWS's recommendation) or sourceArn (one secret) on the lambda.Permission.
import { boundedArn } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

export const rotationLambdaPermissionScoped: ResourceRule = {
  kind: "resource",
  name: "rotation-lambda-permission-scoped",
  description: "A Lambda permission granted to secretsmanager.amazonaws.com names the source account (12 digits) or a source secret ARN of one account.",
  protects: "the rotation function from being invoked for secrets of other accounts",
  checklistItems: ["keys-rotated-90-days"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Set sourceAccount to the stack's account id (aws.getCallerIdentity) or sourceArn to the secret's ARN on the aws.lambda.Permission.",
  resourceTypes: ["aws:lambda/permission:Permission"],
  appliesTo: (_type, props) => props.principal === "secretsmanager.amazonaws.com",
  validateResource(_type, props) {
    const account = nonEmpty(props.sourceAccount) && /^\d{12}$/.test(props.sourceAccount);
    const arn = nonEmpty(props.sourceArn) && boundedArn(props.sourceArn);
    if (account || arn) return [];
    const given = nonEmpty(props.sourceArn) || nonEmpty(props.sourceAccount) ? ` (${[props.sourceAccount, props.sourceArn].filter(nonEmpty).join(", ")} names no one account)` : "";
    return [`secretsmanager.amazonaws.com may invoke the function without a bounded sourceAccount or sourceArn${given}`];
  },
};
