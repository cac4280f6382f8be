import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { failureAlarm } from "../alarms/failureAlarm";
import { pickupEventInput } from "../commands/documents";
import { pickupEventPattern } from "../host/pickupToken";

export interface CredentialPickupTriggerArgs {
  /** Every secret the gateway loads: its token and each provider API key. */
  secretArns: pulumi.Input<string>[];
  instanceId: pulumi.Input<string>;
  /** The cell's pickup document (the kit's own; never a shell document). */
  documentArn: pulumi.Input<string>;
  /** The cell's IAM path (cellRolePath): the role sits with the cell's other roles. */
  rolePath: string;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  alarmTopicArn: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/** The EventBridge role's one permission: the pickup document, on the cell's instance only. */
export function pickupSendPolicy(documentArn: string, instanceArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "RunThePickupDocumentOnTheGatewayHostOnly", Effect: "Allow", Action: "ssm:SendCommand", Resource: [documentArn, instanceArn] }],
  };
}

/**
 * When AWSCURRENT of a credential the gateway loads moves (a rotation's finishSecret, a revoke, a manual
 * put-secret-value of the token or of a provider key), EventBridge runs the kit's pickup document on the
 * host through SSM Run Command, so the running gateway takes the new value within seconds. The host's
 * 5-minute timer is the fallback bound.
 */
export class CredentialPickupTrigger extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: CredentialPickupTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:pickup:CredentialPickupTrigger", name, {}, opts);
    const self = { parent: this };

    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        description: "AWSCURRENT of the gateway token or a provider key moved: run the pickup document on the host",
        eventPattern: pulumi.all(args.secretArns).apply((arns) => JSON.stringify(pickupEventPattern(arns))),
        tags: args.tags,
      },
      self,
    );
    const instance = pulumi.interpolate`arn:aws:ec2:${args.region}:${args.accountId}:instance/${args.instanceId}`;
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        path: args.rolePath,
        assumeRolePolicy: pulumi.all([args.accountId, rule.arn]).apply(([accountId, ruleArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sts:AssumeRole",
                // Confused-deputy guard: only this account's EventBridge, only for this rule.
                Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnEquals: { "aws:SourceArn": ruleArn } },
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
      { role: role.id, policy: pulumi.all([args.documentArn, instance]).apply(([doc, inst]) => JSON.stringify(pickupSendPolicy(doc, inst))) },
      { parent: role },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-run-pickup`,
      {
        rule: rule.name,
        arn: args.documentArn,
        roleArn: role.arn,
        // Constant input: no event field reaches the host; it reads every AWSCURRENT itself.
        input: pickupEventInput(),
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
    this.roleArn = role.arn;
    this.registerOutputs({ ruleArn: rule.arn });
  }
}
