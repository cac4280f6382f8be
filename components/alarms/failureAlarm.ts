import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface FailureAlarmArgs {
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  /** Where the alarm goes: the cell's topic, and for status checks an EC2 action (recover, reboot). */
  alarmActions: pulumi.Input<string>[];
  /** Also tell the topic when it clears. */
  okActions?: pulumi.Input<string>[];
  /** Sum for error counts; Maximum for 0/1 status checks. */
  statistic?: "Sum" | "Maximum";
  periodSeconds?: number;
  evaluationPeriods?: number;
  /** No data means nothing failed for error counts; status checks keep CloudWatch's default. */
  treatMissingData?: "notBreaching" | "missing";
  tags?: Record<string, string>;
}

/** An alarm on at least one failure of a metric: the shape every failure alarm of a cell shares. */
export function failureAlarm(name: string, args: FailureAlarmArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: args.namespace,
      metricName: args.metricName,
      dimensions: args.dimensions,
      statistic: args.statistic ?? "Sum",
      period: args.periodSeconds ?? 300,
      evaluationPeriods: args.evaluationPeriods ?? 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: args.treatMissingData ?? "notBreaching",
      alarmActions: args.alarmActions,
      okActions: args.okActions,
      tags: args.tags,
    },
    opts,
  );
}
