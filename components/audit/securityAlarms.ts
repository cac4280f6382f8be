import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { failureAlarm } from "../alarms/failureAlarm";
import { DETECTOR_HANDLER, DETECTOR_RUNTIME, buildDetectorBundle } from "../../lambda/audit/build";
import { OUT_OF_HOURS_ENV } from "../../lambda/audit/outOfHours";
import type { StackModel } from "../../stacks/schema";
import { renderDashboard } from "./dashboard";
import { alarmSpecs, metricFilterSpecs, type AlarmSpec } from "./metricFilters";
import { METRICS, metricNamespace, type AuditLogGroupNames } from "./names";
import { changeEventPattern, detectorPolicy } from "./policies";
import { auditSettingsProblems, type AuditSettings } from "../../stacks/audit";

export interface SecurityAlarmsArgs {
  model: StackModel;
  /** The detector's invoke permission names it (confused-deputy guard). */
  accountId: pulumi.Input<string>;
  /** The cell's IAM path (cellRolePath) for the detector's role. */
  rolePath?: string;
  stack: string;
  settings: AuditSettings;
  names: AuditLogGroupNames;
  logGroups: Record<keyof AuditLogGroupNames, aws.cloudwatch.LogGroup>;
  /** The cell's one KMS-encrypted topic; every alarm and its recovery notify it. */
  alarmTopicArn: pulumi.Input<string>;
  instanceId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** Principals whose changes are the kit's own automation (the host role, rotation roles). */
  automationPrincipalArns: pulumi.Input<string>[];
  /** Alarms made elsewhere (EC2 status checks, rotation) that the dashboard shows too. */
  otherAlarmArns?: pulumi.Input<string>[];
  tags?: Record<string, string>;
}

let bundle: Promise<string> | undefined;
/** Build the detector once per program run, from the TypeScript source in lambda/audit/. */
function detectorZip(): Promise<string> {
  bundle ??= buildDetectorBundle(path.join(os.tmpdir(), `clawkeep-audit-lambda-${process.pid}`)).then((b) => b.zipPath);
  return bundle;
}

/**
 * The cell's alarms, each backed by a metric: metric filters on the gateway and proxy logs, the
 * host's health metric, and an out-of-hours change detector (EventBridge on CloudTrail write
 * events -> a small function -> a metric). All notify the one topic; a dashboard shows them all.
 */
export class SecurityAlarms extends pulumi.ComponentResource {
  public readonly alarms: aws.cloudwatch.MetricAlarm[];
  public readonly detector: aws.lambda.Function;
  public readonly dashboard: aws.cloudwatch.Dashboard;

  constructor(name: string, args: SecurityAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:audit:SecurityAlarms", name, {}, opts);
    const problems = auditSettingsProblems(args.settings);
    if (problems.length > 0) throw new Error(`audit settings: ${problems.join("; ")}`);
    const self = { parent: this };
    const namespace = metricNamespace(args.stack, args.model.cellName);

    for (const f of metricFilterSpecs(args.model)) {
      new aws.cloudwatch.LogMetricFilter(
        `${name}-${f.id}`,
        { logGroupName: args.logGroups[f.logGroup].name, pattern: f.pattern, metricTransformation: { namespace, name: f.metricName, value: "1", unit: "Count" } },
        { parent: args.logGroups[f.logGroup] },
      );
    }

    this.detector = this.outOfHoursDetector(name, args, namespace);

    const specs = alarmSpecs(args.settings.alarms, args.model.capabilities.commands);
    const notify = [args.alarmTopicArn];
    this.alarms = specs.map((spec) => this.alarm(name, spec, namespace, args.instanceId, notify, args.tags));
    // A broken detector must not look like a quiet night.
    this.alarms.push(
      failureAlarm(
        `${name}-detector-errors`,
        {
          description: "The out-of-hours change detector failed; changes may go unreported",
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: this.detector.name },
          alarmActions: notify,
          okActions: notify,
          tags: args.tags,
        },
        { parent: this.detector },
      ),
    );

    const title = `clawkeep ${args.stack}/${args.model.cellName}`;
    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `clawkeep-${args.stack}-${args.model.cellName}`,
        dashboardBody: pulumi
          .all([args.region, args.instanceId, pulumi.all(this.alarms.map((a) => a.arn)), pulumi.all(args.otherAlarmArns ?? [])])
          .apply(([region, instanceId, own, other]) =>
            JSON.stringify(renderDashboard({ title, region, namespace, instanceId, alarmArns: [...own, ...other], alarms: specs, changesLogGroup: args.names.changes })),
          ),
      },
      self,
    );
    this.registerOutputs({ dashboardName: this.dashboard.dashboardName, detectorArn: this.detector.arn });
  }

  private alarm(name: string, spec: AlarmSpec, namespace: string, instanceId: pulumi.Input<string>, notify: pulumi.Input<string>[], tags?: Record<string, string>) {
    return new aws.cloudwatch.MetricAlarm(
      `${name}-${spec.id}`,
      {
        alarmDescription: spec.description,
        namespace,
        metricName: spec.metricName,
        ...(spec.metricName === METRICS.gatewayHealthy ? { dimensions: { InstanceId: instanceId } } : {}),
        statistic: spec.statistic,
        period: spec.periodSeconds,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.evaluationPeriods,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        treatMissingData: spec.treatMissingData,
        alarmActions: notify,
        okActions: notify,
        tags,
      },
      { parent: this },
    );
  }

  private outOfHoursDetector(name: string, args: SecurityAlarmsArgs, namespace: string): aws.lambda.Function {
    const changes = args.logGroups.changes;
    const role = new aws.iam.Role(
      `${name}-detector-role`,
      {
        path: args.rolePath,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: args.tags,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(`${name}-detector-policy`, { role: role.id, policy: changes.arn.apply((arn) => JSON.stringify(detectorPolicy(arn, namespace))) }, { parent: role });

    const fn = new aws.lambda.Function(
      `${name}-detector`,
      {
        runtime: DETECTOR_RUNTIME,
        handler: DETECTOR_HANDLER,
        role: role.arn,
        code: detectorZip().then((zip) => new pulumi.asset.FileArchive(zip)),
        timeout: 30,
        memorySize: 128,
        // No reserved concurrency: new accounts (10 in total) cannot reserve any; EventBridge retries throttled calls.
        environment: {
          variables: {
            [OUT_OF_HOURS_ENV.businessHours]: JSON.stringify(args.settings.businessHours),
            [OUT_OF_HOURS_ENV.namespace]: namespace,
            [OUT_OF_HOURS_ENV.metricName]: METRICS.changesOutsideBusinessHours,
            // Its own role too: its writes (PutMetricData) are not changes to report.
            [OUT_OF_HOURS_ENV.ignoredPrincipals]: pulumi.all([role.arn, ...args.automationPrincipalArns]).apply((arns) => JSON.stringify(arns)),
          },
        },
        loggingConfig: { logFormat: "Text", logGroup: changes.name },
        tags: args.tags,
      },
      { parent: this, dependsOn: [changes] },
    );
    const rule = new aws.cloudwatch.EventRule(
      `${name}-changes`,
      { description: "Write API calls to the kit's AWS services, as CloudTrail records them", eventPattern: JSON.stringify(changeEventPattern()), tags: args.tags },
      { parent: this },
    );
    const permission = new aws.lambda.Permission(
      `${name}-detector-invoke`,
      // Confused-deputy guard: only this account's EventBridge, only this rule, may invoke the detector.
      { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceAccount: args.accountId, sourceArn: rule.arn },
      { parent: fn },
    );
    new aws.cloudwatch.EventTarget(`${name}-changes-target`, { rule: rule.name, arn: fn.arn, retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 } }, { parent: rule, dependsOn: [permission] });
    return fn;
  }
}
