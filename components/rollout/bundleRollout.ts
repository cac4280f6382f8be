import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { failureAlarm } from "../alarms/failureAlarm";
import { applyEventInput } from "../commands/documents";
import { eventTarget, runDocumentOnEvent, sendCommandPolicy, type RunOnEventTarget } from "../commands/runOnEvent";
import { APPLY_METRICS } from "../host/bundleApply";

export interface BundlePointerArgs {
  /** The pointer's name (bundleParameterName): the user data names it, the host reads it. */
  parameterName: string;
  /** SHA-256 of the bundle the host must run. */
  bundleSha256: pulumi.Input<string>;
  /** The bundle object: the pointer moves only once the object it names exists. */
  bundleObject: pulumi.Resource;
  tags?: Record<string, string>;
}

/**
 * The bundle pointer: an SSM parameter naming the SHA-256 of the bundle the host must run. Created
 * before the instance (which boots from it) and moved only after the object it names exists.
 */
export function bundlePointer(name: string, args: BundlePointerArgs, opts: pulumi.CustomResourceOptions): aws.ssm.Parameter {
  return new aws.ssm.Parameter(
    name,
    {
      name: args.parameterName,
      description: "clawkeep: SHA-256 of the host bundle the gateway host must run (content-addressed object in the cell's bucket)",
      type: "String",
      tier: "Standard",
      // Not a secret (a hash of a bundle that holds none): kept readable in state and in the console.
      insecureValue: args.bundleSha256,
      tags: args.tags,
    },
    { ...opts, dependsOn: [args.bundleObject] },
  );
}

export interface BundleRolloutArgs extends RunOnEventTarget {
  /** The pointer (bundlePointer): a change of it is what the rule watches. */
  parameter: aws.ssm.Parameter;
  parameterName: string;
  /** The cell's apply document (the kit's own; never a shell document). */
  applyDocumentArn: pulumi.Input<string>;
  /** The cell's metric namespace: the host publishes BundleApplyFailed and RuntimeUpgradeRolledBack there. */
  metricNamespace: string;
}

/** The EventBridge pattern of a change of the pointer (Parameter Store's own event). */
export function pointerChangePattern(parameterName: string) {
  return { source: ["aws.ssm"], "detail-type": ["Parameter Store Change"], detail: { name: [parameterName], operation: ["Create", "Update"] } };
}

/** The EventBridge role's one permission: the apply document, on the cell's instance only. */
export const applySendPolicy = (documentArn: string, instanceArn: string) => sendCommandPolicy("RunTheApplyDocumentOnTheGatewayHostOnly", documentArn, instanceArn);

/**
 * Host-file changes without a new host: the bundle pointer (an SSM parameter naming the bundle's
 * SHA-256) moves once the new object exists; EventBridge sees the change and runs the kit's apply
 * document on the host (the host's 5-minute timer is the fallback); the host applies in place and
 * rolls back on failure. Alarms: a failed apply, a rolled-back runtime upgrade, an undeliverable event.
 */
export class BundleRollout extends pulumi.ComponentResource {
  public readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: BundleRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:rollout:BundleRollout", name, {}, opts);
    const self = { parent: this };

    const { rule, undelivered } = runDocumentOnEvent(
      name,
      {
        ruleDescription: "The host bundle pointer moved: run the apply document on the host",
        eventPattern: JSON.stringify(pointerChangePattern(args.parameterName)),
        ruleDependsOn: [args.parameter],
        documentArn: args.applyDocumentArn,
        // Constant input: no event field reaches the host; it reads the pointer itself.
        input: applyEventInput(),
        policySid: "RunTheApplyDocumentOnTheGatewayHostOnly",
        targetSuffix: "run-apply",
        alarmSuffix: "undelivered",
        alarmDescription: "A new host bundle could not be sent to the gateway host (EventBridge FailedInvocations); its timer applies it within minutes",
        ...eventTarget(args),
      },
      this,
    );
    const hostAlarm = (metric: string, description: string) =>
      failureAlarm(
        `${name}-${metric.replace(/[A-Z]/g, (c, i: number) => `${i > 0 ? "-" : ""}${c.toLowerCase()}`)}`,
        {
          description,
          namespace: args.metricNamespace,
          metricName: metric,
          dimensions: { InstanceId: args.instanceId },
          statistic: "Maximum",
          alarmActions: [args.alarmTopicArn],
          okActions: [args.alarmTopicArn],
          tags: args.tags,
        },
        self,
      );
    this.alarms = [
      undelivered,
      hostAlarm(APPLY_METRICS.bundleApplyFailed, "An in-place apply of the host bundle failed; the host put the last good bundle back (journal of clawkeep-apply-bundle / the Run Command output)"),
      hostAlarm(APPLY_METRICS.runtimeUpgradeRolledBack, "A runtime upgrade failed its health check; the host is back on the previous runtime and the pre-upgrade state"),
    ];
    this.registerOutputs({ ruleArn: rule.arn });
  }
}
