// Protects: the alarm and notification topics. A topic policy open to Principal "*" lets anyone
// publish fake alerts (or subscribe and read the real ones).
// Checklist: "Alerts set for anomalous activity" (alerts nobody can forge); "Network restrictions in place".
// Fix: limit the policy to the publishing service with aws:SourceArn/SourceAccount, or to named principals.
import { parseKnownPolicy, publicStatementMessages } from "../lib/policyDoc";
import type { ResourceRule } from "../lib/types";

export const snsTopicNotPublic: ResourceRule = {
  kind: "resource",
  name: "sns-topic-not-public",
  description: 'No SNS topic policy allows Principal "*" (or everyone but a NotPrincipal) without a condition that pins the caller to a bounded account, organization, network or principal (a wildcard value pins nothing).',
  protects: "alert topics from forged publications and eavesdropping subscriptions",
  checklistItems: ["anomaly-alerts", "network-restrictions"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: 'Replace Principal "*" with the publishing service (e.g. cloudwatch.amazonaws.com) plus an aws:SourceArn or aws:SourceAccount condition, or with named principals.',
  resourceTypes: ["aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy"],
  validateResource(_type, props) {
    if (props.policy === undefined || props.policy === null) return [];
    const doc = parseKnownPolicy(props.policy, "the topic policy");
    if (doc.error) return [`policy: ${doc.error}`];
    return publicStatementMessages(doc, "policy");
  },
};
