// The out-of-hours change detector (bundle handler "index.handler"). EventBridge hands it every
// write API call CloudTrail records for the kit's services; a change outside business hours by a
// principal that is not the kit's own automation adds 1 to a CloudWatch metric, whose alarm
// notifies the cell's topic. Every change is also logged as one JSON line: who, what, when, from where.
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { businessHoursProblems, isOutsideBusinessHours, type BusinessHours } from "../../stacks/businessHours";

export const OUT_OF_HOURS_ENV = {
  businessHours: "CLAWKEEP_BUSINESS_HOURS",
  namespace: "CLAWKEEP_METRIC_NAMESPACE",
  metricName: "CLAWKEEP_METRIC_NAME",
  ignoredPrincipals: "CLAWKEEP_IGNORED_PRINCIPALS",
} as const;

/** The part of an EventBridge "AWS API Call via CloudTrail" event the detector reads. */
export interface CloudTrailEvent {
  "detail-type"?: string;
  time?: string;
  detail?: {
    eventTime?: string;
    eventSource?: string;
    eventName?: string;
    awsRegion?: string;
    sourceIPAddress?: string;
    readOnly?: boolean;
    userIdentity?: { type?: string; arn?: string; invokedBy?: string; sessionContext?: { sessionIssuer?: { arn?: string } } };
  };
}

export interface DetectorConfig {
  hours: BusinessHours;
  namespace: string;
  metricName: string;
  /** Role (or user) ARNs whose changes are the kit's own automation: the host, rotation functions. */
  ignoredPrincipals: string[];
}

export interface ChangeRecord {
  outsideBusinessHours: boolean;
  counted: boolean;
  eventTime: string;
  eventSource: string;
  eventName: string;
  principal: string;
  sourceIp: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function configFromEnv(env: Env): DetectorConfig {
  const raw = env[OUT_OF_HOURS_ENV.businessHours];
  if (!raw) throw new Error(`${OUT_OF_HOURS_ENV.businessHours} is not set`);
  const hours = JSON.parse(raw) as BusinessHours;
  const problems = businessHoursProblems(hours);
  if (problems.length > 0) throw new Error(`${OUT_OF_HOURS_ENV.businessHours}: ${problems.join("; ")}`);
  const namespace = env[OUT_OF_HOURS_ENV.namespace];
  const metricName = env[OUT_OF_HOURS_ENV.metricName];
  if (!namespace || !metricName) throw new Error(`${OUT_OF_HOURS_ENV.namespace} and ${OUT_OF_HOURS_ENV.metricName} must be set`);
  const ignoredPrincipals = JSON.parse(env[OUT_OF_HOURS_ENV.ignoredPrincipals] ?? "[]") as string[];
  return { hours, namespace, metricName, ignoredPrincipals };
}

/** The acting principal: the role behind an assumed-role session, else the identity's ARN or the service. */
function principalOf(detail: NonNullable<CloudTrailEvent["detail"]>): string {
  const id = detail.userIdentity ?? {};
  return id.sessionContext?.sessionIssuer?.arn ?? id.arn ?? id.invokedBy ?? id.type ?? "unknown";
}

/** Pure: what the detector makes of one event. */
export function classify(event: CloudTrailEvent, cfg: DetectorConfig): ChangeRecord {
  const detail = event.detail ?? {};
  const eventTime = detail.eventTime ?? event.time ?? "";
  const at = new Date(eventTime);
  if (Number.isNaN(at.getTime())) throw new Error(`event has no valid eventTime: ${JSON.stringify(eventTime)}`);
  const principal = principalOf(detail);
  const outside = isOutsideBusinessHours(at, cfg.hours);
  // AWS services acting on their own (userIdentity.type AWSService) and the kit's automation are expected at any hour.
  const automation = detail.userIdentity?.type === "AWSService" || cfg.ignoredPrincipals.includes(principal);
  return {
    outsideBusinessHours: outside,
    counted: outside && detail.readOnly !== true && !automation,
    eventTime: at.toISOString(),
    eventSource: detail.eventSource ?? "unknown",
    eventName: detail.eventName ?? "unknown",
    principal,
    sourceIp: detail.sourceIPAddress ?? "unknown",
  };
}

export interface DetectorDeps {
  cloudwatch: Pick<CloudWatchClient, "send">;
  config: DetectorConfig;
  log(line: string): void;
}

export function createHandler(deps: DetectorDeps): (event: CloudTrailEvent) => Promise<ChangeRecord> {
  return async (event) => {
    const record = classify(event, deps.config);
    deps.log(JSON.stringify(record));
    if (record.counted) {
      await deps.cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: deps.config.namespace,
          MetricData: [{ MetricName: deps.config.metricName, Value: 1, Unit: "Count", Timestamp: new Date(record.eventTime) }],
        }),
      );
    }
    return record;
  };
}

let fromEnv: ((event: CloudTrailEvent) => Promise<ChangeRecord>) | undefined;

export async function handler(event: CloudTrailEvent): Promise<void> {
  fromEnv ??= createHandler({ cloudwatch: new CloudWatchClient({}), config: configFromEnv(process.env), log: (l) => console.log(l) });
  await fromEnv(event);
}
