// The cell's CloudWatch dashboard body: every alarm's state on top, then each signal's metric with
// its threshold, EC2 status checks, and the latest out-of-hours changes (who, what). Pure JSON.
import { METRICS } from "./names";
import type { AlarmSpec } from "./metricFilters";

export interface DashboardInput {
  title: string;
  region: string;
  namespace: string;
  instanceId: string;
  /** Every alarm of the cell, the kit's own and those of other components (status checks, rotation). */
  alarmArns: string[];
  alarms: AlarmSpec[];
  changesLogGroup: string;
}

type Widget = { type: "alarm" | "metric" | "log"; x: number; y: number; width: number; height: number; properties: Record<string, unknown> };

const WIDTH = 8;
const HEIGHT = 6;

export function renderDashboard(input: DashboardInput): { widgets: Widget[] } {
  const widgets: Widget[] = [
    { type: "alarm", x: 0, y: 0, width: 24, height: 4, properties: { title: `${input.title}: alarms`, alarms: input.alarmArns, sortBy: "stateUpdatedTimestamp" } },
  ];
  const at = (i: number) => ({ x: (i % 3) * WIDTH, y: 4 + Math.floor(i / 3) * HEIGHT, width: WIDTH, height: HEIGHT });
  input.alarms.forEach((a, i) => {
    const dims = a.metricName === METRICS.gatewayHealthy ? ["InstanceId", input.instanceId] : [];
    widgets.push({
      type: "metric",
      ...at(i),
      properties: {
        title: a.description,
        region: input.region,
        view: "timeSeries",
        stat: a.statistic,
        period: a.periodSeconds,
        metrics: [[input.namespace, a.metricName, ...dims]],
        annotations: { horizontal: [{ label: "alarm threshold", value: a.threshold }] },
      },
    });
  });
  const next = input.alarms.length;
  widgets.push({
    type: "metric",
    ...at(next),
    properties: {
      title: "EC2 status checks (automatic recovery on system failure)",
      region: input.region,
      view: "timeSeries",
      stat: "Maximum",
      period: 60,
      metrics: [
        ["AWS/EC2", "StatusCheckFailed_System", "InstanceId", input.instanceId],
        ["AWS/EC2", "StatusCheckFailed_Instance", "InstanceId", input.instanceId],
      ],
    },
  });
  const y = 4 + Math.ceil((next + 1) / 3) * HEIGHT;
  widgets.push({
    type: "log",
    x: 0,
    y,
    width: 24,
    height: HEIGHT,
    properties: {
      title: "Changes outside business hours (latest 50)",
      region: input.region,
      view: "table",
      // The detector logs one JSON record per change; matching the text works whatever the Lambda log format.
      query: `SOURCE '${input.changesLogGroup}' | fields @timestamp, @message | filter @message like /"counted":true/ | sort @timestamp desc | limit 50`,
    },
  });
  return { widgets };
}
