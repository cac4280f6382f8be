import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { failureAlarm } from "../alarms/failureAlarm";
import { pickupEventPattern, pickupRunCommandInput } from "../host/pickupToken";

export interface CredentialPickupTriggerArgs {
  /** Every secret the gateway loads: its token and each provider API key. */
  secretArns: pulumi.Input<string>[];
  instanceId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  alarmTopicArn: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/**
 * When AWSCURRENT of a credential the gateway loads moves (a rotation's finishSecret, a revoke, a manual
 * put-secret-value of the token or of a provider key), EventBridge runs pickup-token on the host through
 * SSM Run Command, so the running gateway takes the new value within seconds. The host's 5-minute timer
 * is the fallback bound.
 */
export class CredentialPickupTrigger extends pulumi.ComponentResource {
  constructor(name: string, args: CredentialPickupTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:pickup:CredentialPickupTrigger", name, {}, opts);
    const self = { parent: this };

    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        description: "AWSCURRENT of the gateway token or a provider key moved: run pickup-token on the host",
        eventPattern: pulumi.all(args.secretArns).apply((arns) => JSON.stringify(pickupEventPattern(arns))),
        tags: args.tags,
      },
      self,
    );
    const document = pulumi.interpolate`arn:aws:ssm:${args.region}::document/AWS-RunShellScript`;
    const instance = pulumi.interpolate`arn:aws:ec2:${args.region}:${args.accountId}:instance/${args.instanceId}`;
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: pulumi.all([args.accountId]).apply(([accountId]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sts:AssumeRole",
                // Only this account's EventBridge (the rule's ARN is not known before the role exists).
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
              },
            ],
          }),
        ),
        tags: args.tags,
      },
      self,
    );
    new aws.iam.RolePolicy(
      `${name}-send-command`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Sid: "RunPickupOnTheGatewayHostOnly", Effect: "Allow", Action: "ssm:SendCommand", Resource: [document, instance] }],
        }),
      },
      { parent: role },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-run-pickup`,
      {
        rule: rule.name,
        arn: document,
        roleArn: role.arn,
        // Constant input: no event field reaches the shell; the host reads every AWSCURRENT itself.
        input: pickupRunCommandInput(),
        runCommandTargets: [{ key: "InstanceIds", values: [args.instanceId] }],
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
      },
      { parent: rule },
    );
    // A pickup EventBridge could not deliver leaves the host on the old credential until the timer runs.
    failureAlarm(
      `${name}-failed`,
      {
        description: "Credential pickup could not be sent to the gateway host (EventBridge FailedInvocations)",
        namespace: "AWS/Events",
        metricName: "FailedInvocations",
        dimensions: { RuleName: rule.name },
        alarmActions: [args.alarmTopicArn],
        tags: args.tags,
      },
      { parent: rule },
    );
    this.registerOutputs({ ruleArn: rule.arn });
  }
}
