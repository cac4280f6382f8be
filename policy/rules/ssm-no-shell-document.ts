// Protects: every managed host. AWS's shell documents (AWS-RunShellScript and kin) run any command the
// caller writes, as root; a role allowed to send one is root on each host it may target. Automation
// (rotation, pickup, EventBridge, maintenance windows) and people run the program's own documents,
// whose parameters SSM checks (allowedPattern), instead.
// Checklist: "Role-based access control implemented"; best practice 4, strict access controls.
// Fix: a Command document of your own with one fixed script and bounded parameters; grant SendCommand on its ARN.
import { identityPolicies, IAM_POLICY_TYPES } from "../lib/iam";
import { globMatch, grantsAction, label } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";
import { asStrings, readKnown } from "../lib/values";

/** AWS-owned documents that run what the caller passes (commands, scripts, another document, a shell session). */
export const SHELL_DOCUMENTS = [
  "AWS-RunShellScript",
  "AWS-RunPowerShellScript",
  "AWS-RunRemoteScript",
  "AWS-RunDocument",
  "AWS-RunAnsiblePlaybook",
  "AWS-RunSaltState",
  "AWS-ApplyChefRecipes",
  "AWS-StartInteractiveCommand",
  "AWS-StartNonInteractiveCommand",
  "AWS-StartPortForwardingSessionToRemoteHost",
  "SSM-SessionManagerRunShell",
] as const;
/** What sends or schedules a document on a host. */
const DOCUMENT_ACTIONS = ["ssm:SendCommand", "ssm:StartSession", "ssm:CreateAssociation", "ssm:StartAutomationExecution", "ssm:RegisterTaskWithMaintenanceWindow"];

const POLICY_TYPES: readonly string[] = IAM_POLICY_TYPES;
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const ASSOCIATION = "aws:ssm/association:Association";
const WINDOW_TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";

/** The shell documents a resource pattern covers ("*", document/*, document/AWS-Run*, the exact ARN...). */
export function shellDocumentsCovered(pattern: string): string[] {
  if (pattern === "*") return [...SHELL_DOCUMENTS];
  const parts = pattern.split(":");
  if (parts.length < 6 || !globMatch(parts[2], "ssm")) return [];
  // AWS-owned documents carry no account; the region and partition are the pattern's own when literal.
  const region = parts[3] && !/[*?]/.test(parts[3]) ? parts[3] : "us-east-1";
  const partition = parts[1] && !/[*?]/.test(parts[1]) ? parts[1] : "aws";
  return SHELL_DOCUMENTS.filter((d) => globMatch(pattern, `arn:${partition}:ssm:${region}::document/${d}`) || globMatch(pattern, `arn:${partition}:ssm:${region}:123456789012:document/${d}`));
}

/** A document name or ARN that is one of the shell documents. */
function shellDocumentNamed(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const name = value.includes(":document/") ? value.slice(value.indexOf(":document/") + ":document/".length) : value;
  return SHELL_DOCUMENTS.find((d) => d === name);
}

export const ssmNoShellDocument: ResourceRule = {
  kind: "resource",
  name: "ssm-no-shell-document",
  description: "No IAM policy, EventBridge target, association or maintenance-window task may send an AWS shell document (AWS-RunShellScript, AWS-StartInteractiveCommand, ...), by name or by wildcard.",
  protects: "every managed host from a role (automation or person) that could run any command on it as root",
  checklistItems: ["role-based-access", "strict-allowlists"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    "Create an SSM Command document of your own (one fixed aws:runShellScript step, parameters with allowedPattern/allowedValues) and grant ssm:SendCommand on that document's ARN and the target instances only.",
  resourceTypes: [...POLICY_TYPES, TARGET, ASSOCIATION, WINDOW_TASK],
  validateResource(type, props) {
    if (type === TARGET) {
      const doc = shellDocumentNamed(readKnown(props, "arn", undefined));
      return doc ? [`the rule target runs ${doc} (any command, as root) on its targets`] : [];
    }
    if (type === ASSOCIATION) {
      const doc = shellDocumentNamed(readKnown(props, "name", undefined));
      return doc ? [`the association runs ${doc} (any command, as root) on its targets`] : [];
    }
    if (type === WINDOW_TASK) {
      const doc = shellDocumentNamed(readKnown(props, "taskArn", undefined));
      return doc ? [`the maintenance-window task runs ${doc} (any command, as root) on its targets`] : [];
    }
    return identityPolicies(type, props).flatMap(({ where, doc }) => {
      if (doc.error) return [];
      return doc.statements.flatMap((s, i) => {
        const actions = DOCUMENT_ACTIONS.filter((a) => grantsAction(s, a));
        if (actions.length === 0) return [];
        const covered = s.notResources.length > 0 ? [...SHELL_DOCUMENTS].filter((d) => !s.notResources.some((nr) => shellDocumentsCovered(nr).includes(d))) : [...new Set(asStrings(s.resources).flatMap(shellDocumentsCovered))];
        return covered.length > 0 ? [`${where} ${label(s, i)} allows ${actions.join(", ")} on ${covered.length === SHELL_DOCUMENTS.length ? "every document, AWS's shell documents included" : covered.join(", ")}`] : [];
      });
    });
  },
};
