// When an alarm on a failure metric can fire. Failure metrics count failures (StatusCheckFailed is 0 or 1
// per minute; error counts are >= 0 and 0 when healthy): an alarm that watches one is a failure alarm
// only if some failure breaches it and "no failure" (0) does not. The kit's own shape
// (components/alarms/failureAlarm.ts: threshold 1, GreaterThanOrEqualToThreshold) is the reference.

/** Comparisons CloudWatch offers on a static threshold; band comparisons (anomaly detection) are not judged here. */
const STATIC = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"] as const;

function breaches(comparison: (typeof STATIC)[number], value: number, threshold: number): boolean {
  if (comparison === "GreaterThanThreshold") return value > threshold;
  if (comparison === "GreaterThanOrEqualToThreshold") return value >= threshold;
  if (comparison === "LessThanThreshold") return value < threshold;
  return value <= threshold;
}

/**
 * Why an alarm on a failure metric (0 when healthy, at most `perDatapoint` per datapoint) can never
 * report a failure, or undefined when it can (or when the question does not apply: band comparisons,
 * metric math). Sum adds the datapoints of a period; SampleCount counts them whatever they hold.
 */
export function failureAlarmProblem(props: { comparisonOperator?: unknown; threshold?: unknown; statistic?: unknown; period?: unknown }, perDatapoint = 1, datapointSeconds = 60): string | undefined {
  const comparison = props.comparisonOperator;
  const threshold = props.threshold;
  if (typeof comparison !== "string" || !(STATIC as readonly string[]).includes(comparison) || typeof threshold !== "number") return undefined;
  const cmp = comparison as (typeof STATIC)[number];
  if (props.statistic === "SampleCount") return `it counts datapoints (SampleCount), which are there whether the host fails or not`;
  const period = typeof props.period === "number" && props.period > 0 ? props.period : datapointSeconds;
  const worst = props.statistic === "Sum" ? perDatapoint * Math.max(1, Math.floor(period / datapointSeconds)) : perDatapoint;
  if (breaches(cmp, 0, threshold)) return `it is in alarm when nothing fails (0 ${cmp} ${threshold}), so it says nothing about a failure`;
  if (!breaches(cmp, worst, threshold)) return `the metric is at most ${worst} per period, so ${cmp} ${threshold} never fires`;
  return undefined;
}
