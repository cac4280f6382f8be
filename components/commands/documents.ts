// The kit's SSM Command documents: every command the kit's automation or its people send to the host is
// one of these, never a free shell (AWS-RunShellScript). Each runs one fixed script; what varies is a
// parameter that SSM checks against allowedPattern / allowedValues before the host sees it, and that the
// script still treats as data. Pure: the tests validate, substitute and run the same text.
import { GATEWAY_UNIT, PICKUP_SCRIPT_PATH, PICKUP_TIMEOUT_SECONDS } from "../base/layout";

/** What a document is for; its name is clawkeep-<stack>-<cell>-<purpose>. */
export const COMMAND_PURPOSES = ["pickup", "gateway"] as const;
export type CommandPurpose = (typeof COMMAND_PURPOSES)[number];

export function commandDocumentName(stack: string, cellName: string, purpose: CommandPurpose): string {
  return `clawkeep-${stack}-${cellName}-${purpose}`;
}

export interface DocumentParameter {
  type: "String";
  description: string;
  default: string;
  allowedPattern?: string;
  allowedValues?: string[];
}

export interface CommandDocument {
  schemaVersion: "2.2";
  description: string;
  parameters: Record<string, DocumentParameter>;
  mainSteps: Array<{
    action: "aws:runShellScript";
    name: string;
    precondition: { StringEquals: ["platformType", "Linux"] };
    inputs: { timeoutSeconds: string; runCommand: string[] };
  }>;
}

/** A Secrets Manager version id (a UUID or a ClientRequestToken), or "current" for AWSCURRENT. */
export const VERSION_ID_PATTERN = "^(current|[A-Za-z0-9_-]{32,64})$";
/** Seconds, 30 to 9999 (the script's own bound is PICKUP_TIMEOUT_SECONDS; the rotation asks for less). */
export const TIMEOUT_PATTERN = "^([3-9][0-9]|[1-9][0-9]{2,3})$";
export const GATEWAY_ACTIONS = ["start", "stop", "restart"] as const;
export type GatewayAction = (typeof GATEWAY_ACTIONS)[number];

const step = (name: string, timeoutSeconds: string, runCommand: string[]): CommandDocument["mainSteps"][number] => ({
  action: "aws:runShellScript",
  name,
  precondition: { StringEquals: ["platformType", "Linux"] },
  inputs: { timeoutSeconds, runCommand },
});

/**
 * pickup-token on the host: bare (EventBridge: AWSCURRENT), or a rotation's version, installed or tested.
 * The values sit in single quotes and reach pickup-token as separate arguments; it re-checks the id.
 */
export function pickupDocument(): CommandDocument {
  return {
    schemaVersion: "2.2",
    description: "clawkeep: the gateway takes a version of its token and the current provider keys (pickup-token); no other command",
    parameters: {
      versionId: { type: "String", description: "Secrets Manager version id of the gateway token, or current (AWSCURRENT)", default: "current", allowedPattern: VERSION_ID_PATTERN },
      mode: { type: "String", description: "install: stage and restart if needed; test: prove the gateway accepts it", default: "install", allowedValues: ["install", "test"] },
      executionTimeout: { type: "String", description: "seconds the script may run", default: String(PICKUP_TIMEOUT_SECONDS), allowedPattern: TIMEOUT_PATTERN },
    },
    mainSteps: [
      step("pickupToken", "{{ executionTimeout }}", [
        "set -eu",
        "version='{{ versionId }}' mode='{{ mode }}'",
        "set --",
        'if [ "$version" != current ]; then set -- --version-id "$version"; fi',
        'if [ "$mode" = test ]; then set -- "$@" --test; fi',
        `exec ${PICKUP_SCRIPT_PATH} "$@"`,
      ]),
    ],
  };
}

/** Start, stop (revocation) or restart the gateway unit; nothing else. */
export function gatewayDocument(): CommandDocument {
  return {
    schemaVersion: "2.2",
    description: `clawkeep: start, stop (revoke) or restart ${GATEWAY_UNIT}; no other command`,
    parameters: {
      action: { type: "String", description: `what systemctl does to ${GATEWAY_UNIT}`, default: "restart", allowedValues: [...GATEWAY_ACTIONS] },
    },
    mainSteps: [
      step("gatewayUnit", "120", [
        "set -eu",
        "action='{{ action }}'",
        `case "$action" in ${GATEWAY_ACTIONS.join("|")}) ;; *) echo "not an action: $action" >&2; exit 2 ;; esac`,
        `exec systemctl "$action" ${GATEWAY_UNIT}`,
      ]),
    ],
  };
}

export function commandDocument(purpose: CommandPurpose): CommandDocument {
  return purpose === "pickup" ? pickupDocument() : gatewayDocument();
}

export class DocumentParameterError extends Error {
  override readonly name = "DocumentParameterError";
}

/**
 * SSM's own check of a SendCommand's parameters: no unknown name, one value each, within allowedValues,
 * matching allowedPattern (Java regex: `$` also matches before one final newline). Missing ones take
 * their default. Returns the values the document runs with.
 */
export function validateParameters(doc: CommandDocument, given: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(given)) if (!(name in doc.parameters)) throw new DocumentParameterError(`parameter ${JSON.stringify(name)} is not one of ${Object.keys(doc.parameters).join(", ")}`);
  for (const [name, p] of Object.entries(doc.parameters)) {
    const values = given[name] ?? [p.default];
    if (values.length !== 1) throw new DocumentParameterError(`parameter ${name} takes exactly one value, got ${values.length}`);
    const v = values[0];
    if (p.allowedValues && !p.allowedValues.includes(v)) throw new DocumentParameterError(`parameter ${name} is ${JSON.stringify(v)}; allowed: ${p.allowedValues.join(", ")}`);
    if (p.allowedPattern) {
      const re = new RegExp(p.allowedPattern);
      if (!re.test(v) && !(v.endsWith("\n") && re.test(v.slice(0, -1)))) throw new DocumentParameterError(`parameter ${name} is ${JSON.stringify(v)}; it must match ${p.allowedPattern}`);
    }
    out[name] = v;
  }
  return out;
}

/** The script the host runs: each {{ name }} replaced by its value, as SSM does (text, before the shell). */
export function renderCommands(doc: CommandDocument, values: Readonly<Record<string, string>>): string {
  return doc.mainSteps
    .flatMap((s) => s.inputs.runCommand)
    .map((line) => line.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => {
      if (!(name in values)) throw new DocumentParameterError(`the document uses {{ ${name} }}, which has no value`);
      return values[name];
    }))
    .join("\n");
}

/** SendCommand's Parameters for the pickup document (checked here first, as SSM will). */
export function pickupParameters(versionId: string | "current", mode: "install" | "test", timeoutSeconds: number): Record<string, string[]> {
  const p = { versionId: [versionId], mode: [mode], executionTimeout: [String(timeoutSeconds)] };
  validateParameters(pickupDocument(), p);
  return p;
}

export function gatewayParameters(action: GatewayAction): Record<string, string[]> {
  const p = { action: [action] };
  validateParameters(gatewayDocument(), p);
  return p;
}

/**
 * EventBridge's constant input for the pickup document: a bare run (AWSCURRENT). No event field reaches
 * the host, so a late or repeated event cannot install an old token or key.
 */
export function pickupEventInput(): string {
  return JSON.stringify(pickupParameters("current", "install", PICKUP_TIMEOUT_SECONDS));
}
