// Protects: availability and detection. A host (an instance, or the instance a spot request gets)
// that fails its status checks (hung kernel, lost network, failed disk) must page someone, not fail silently.
// Checklist: "Alerts set for anomalous activity"; best practice 6, monitoring.
// Fix: a cloudwatch.MetricAlarm on StatusCheckFailed (or _System/_Instance) with dimensions {InstanceId}
// and alarmActions (an SNS topic, or the EC2 recover action), whose threshold a failure reaches
// (lib/alarms.ts: Maximum >= 1, or > 0; never > 1 on a 0/1 metric).
import { UNKNOWN, field, refersTo, type Known } from "../lib/references";
import { label, stackIndex } from "../lib/stackIndex";
import type { StackResource, StackRule } from "../lib/types";
import { asArray, isRecord } from "../lib/values";
import { failureAlarmProblem } from "../lib/alarms";

const INSTANCE = "aws:ec2/instance:Instance";
const SPOT_REQUEST = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** Does the alarm's InstanceId name this host (a spot request: the instance that fulfils it)? */
function watches(alarm: StackResource, value: Known<unknown>, host: StackResource): boolean {
  if (host.type !== SPOT_REQUEST) return refersTo(alarm, value, host);
  if (value === UNKNOWN) return alarm.dependencies.includes(host.urn);
  const fulfilled = field(host.props, "spotInstanceId");
  return typeof value === "string" && value === fulfilled;
}

/** Metric name and InstanceId dimension of the alarm's metric, or of each metric query's metric. */
function metrics(alarm: StackResource): Array<{ name: unknown; instanceId: Known<unknown> }> {
  const out = [{ name: alarm.props.metricName, instanceId: field(alarm.props, "dimensions", "InstanceId") }];
  for (const q of asArray(alarm.props.metricQueries)) {
    const m = isRecord(q) && isRecord(q.metric) ? q.metric : undefined;
    if (m) out.push({ name: m.metricName, instanceId: field(m, "dimensions", "InstanceId") });
  }
  return out;
}

const watchesStatus = (name: unknown) => typeof name === "string" && /^StatusCheckFailed(_System|_Instance|_AttachedEBS)?$/.test(name);

export const ec2StatusCheckAlarm: StackRule = {
  kind: "stack",
  name: "ec2-status-check-alarm",
  description: "Every EC2 instance, and the instance of every spot request, has a CloudWatch alarm on its StatusCheckFailed metric that triggers an action and whose threshold and comparison a failure (1) breaches and a healthy host (0) does not.",
  protects: "the operator's ability to notice a dead or impaired agent host",
  checklistItems: ["anomaly-alerts", "monitoring-maintenance"],
  severity: "medium",
  enforcementLevel: "mandatory",
  remediation:
    'Add aws.cloudwatch.MetricAlarm({ namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: instance.id }, statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [topic.arn] }).',
  resourceTypes: [INSTANCE, SPOT_REQUEST],
  validateStack(resources) {
    const index = stackIndex(resources);
    const statusAlarms = index.of(ALARM).map((a) => ({ a, ids: metrics(a).filter((m) => watchesStatus(m.name)).map((m) => m.instanceId) })).filter((x) => x.ids.length > 0);
    const out: Array<{ urn: string; message: string }> = [];
    for (const host of index.of(INSTANCE, SPOT_REQUEST)) {
      const watching = statusAlarms.filter(({ a, ids }) => ids.some((id) => watches(a, id, host))).map((x) => x.a);
      if (watching.length === 0) {
        out.push({ urn: host.urn, message: `${label(host)} has no StatusCheckFailed alarm` });
      } else if (!watching.some((a) => asArray(a.props.alarmActions).length > 0 && a.props.actionsEnabled !== false)) {
        out.push({ urn: host.urn, message: `${label(host)}: its status-check alarm (${watching.map((a) => a.name).join(", ")}) has no enabled alarmActions` });
      } else if (watching.every((a) => failureAlarmProblem(a.props) !== undefined)) {
        out.push({ urn: host.urn, message: `${label(host)}: its status-check alarm can never fire on a failure: ${watching.map((a) => `${a.name}: ${failureAlarmProblem(a.props)}`).join("; ")} (StatusCheckFailed is 0 or 1)` });
      }
    }
    return out;
  },
};
