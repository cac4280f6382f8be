// Protects: the agent's logs (tool calls, file paths, message excerpts) from being copied out of the
// account. A subscription filter, an account-wide subscription policy, a log destination or a vended-log
// delivery destination whose target ARN belongs to another account ships every event to whoever holds
// that account, outside the key, retention and access the stack sets on its log groups.
// Checklist: "Comprehensive audit logging configured" (logs stay where you control them); best practice 6.
// A central log-archive account of your organization is a reviewed exception (stacks/policyExceptions.ts), not a default.
// Fix: ship to a Kinesis stream, Firehose or Lambda of the stack's own account, and replicate from there under your control.
import { ownAccounts } from "../lib/iam";
import { field } from "../lib/references";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { CannotJudge, containsUnknown } from "../lib/unknown";
import { isRecord } from "../lib/values";

const SUBSCRIPTION_FILTER = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter";
const ACCOUNT_POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy";
const LOG_DESTINATION = "aws:cloudwatch/logDestination:LogDestination";
const DELIVERY_DESTINATION = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination";

/** Where each resource sends log events: the target ARNs it names. */
function targets(r: StackResource): unknown[] {
  if (r.type === SUBSCRIPTION_FILTER) return [field(r.props, "destinationArn")];
  if (r.type === LOG_DESTINATION) return [field(r.props, "targetArn")];
  if (r.type === DELIVERY_DESTINATION) return [field(r.props, "deliveryDestinationConfiguration", "destinationResourceArn")];
  if (r.type === ACCOUNT_POLICY && field(r.props, "policyType") === "SUBSCRIPTION_FILTER_POLICY") {
    const doc = field(r.props, "policyDocument");
    if (typeof doc !== "string") return [doc];
    try {
      const parsed: unknown = JSON.parse(doc);
      return [isRecord(parsed) ? parsed.DestinationArn : undefined];
    } catch {
      return [doc];
    }
  }
  return [];
}

export const logDeliveryInAccount: StackRule = {
  kind: "stack",
  name: "log-delivery-in-account",
  description:
    "No CloudWatch Logs subscription filter, account subscription policy, log destination or delivery destination sends log events to a resource of another account (the target ARN's account must be the stack's own).",
  protects: "the agent's logs from being copied to an account the stack does not control",
  checklistItems: ["audit-logging", "monitoring-maintenance"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Point destinationArn at a Kinesis stream, Firehose or Lambda of the stack's own account; if an organization log-archive account must receive them, record a reviewed exception for this resource.",
  resourceTypes: [SUBSCRIPTION_FILTER, ACCOUNT_POLICY, LOG_DESTINATION, DELIVERY_DESTINATION],
  validateStack(resources) {
    const out: StackViolation[] = [];
    const blind: string[] = [];
    let own: Set<string> | undefined;
    for (const r of resources) {
      for (const t of targets(r)) {
        if (t === undefined || t === null) continue;
        if (typeof t !== "string" || containsUnknown(t)) {
          blind.push(`where ${r.type.split(":").pop()} "${r.name}" sends log events (its target ARN is not known yet)`);
          continue;
        }
        const account = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(t)?.[1];
        if (!account) continue;
        own ??= ownAccounts(resources);
        if (own.size === 0) {
          blind.push(`whether account ${account} (the target of "${r.name}") is the stack's own: no ARN of the program names its account`);
          continue;
        }
        if (!own.has(account)) out.push({ urn: r.urn, message: `${r.type.split(":").pop()} "${r.name}" sends log events to ${t}, in account ${account}, not the stack's own (${[...own].join(", ")})` });
      }
    }
    if (out.length === 0 && blind.length > 0) throw new CannotJudge(blind.join("; "));
    return out;
  },
};
