import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { failureAlarm } from "../alarms/failureAlarm";

/** The EventBridge role's one permission: one of the kit's documents, on the cell's instance only. */
export function sendCommandPolicy(sid: string, documentArn: string, instanceArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: sid, Effect: "Allow", Action: "ssm:SendCommand", Resource: [documentArn, instanceArn] }],
  };
}

/** Where the document runs and who hears of an undelivered event: the same for every such trigger of a cell. */
export interface RunOnEventTarget {
  instanceId: pulumi.Input<string>;
  /** The cell's IAM path (cellRolePath): the role sits with the cell's other roles. */
  rolePath: string;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  alarmTopicArn: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/** Only the target's fields of a component's args. */
export function eventTarget(a: RunOnEventTarget): RunOnEventTarget {
  return { instanceId: a.instanceId, rolePath: a.rolePath, region: a.region, accountId: a.accountId, alarmTopicArn: a.alarmTopicArn, tags: a.tags };
}

export interface RunOnEventArgs extends RunOnEventTarget {
  ruleDescription: string;
  /** The EventBridge pattern, as JSON. */
  eventPattern: pulumi.Input<string>;
  /** Resources the rule waits for (what its pattern watches). */
  ruleDependsOn?: pulumi.Resource[];
  /** The kit's document to run (never a shell document). */
  documentArn: pulumi.Input<string>;
  /** The target's input: constant, so no event field reaches the host. */
  input: string;
  /** The Sid of the role's one statement: what it may run, in words. */
  policySid: string;
  /** Name suffixes of the target and of the undelivered-event alarm. */
  targetSuffix: string;
  alarmSuffix: string;
  alarmDescription: string;
}

/**
 * EventBridge runs one of the kit's documents on the cell's instance through SSM Run Command: the rule,
 * a role only this account's rule may assume and that may run only that document there, the target
 * (retried for an hour) and an alarm when an event could not be delivered. Children of `parent`.
 */
export function runDocumentOnEvent(name: string, args: RunOnEventArgs, parent: pulumi.Resource): { rule: aws.cloudwatch.EventRule; role: aws.iam.Role; undelivered: aws.cloudwatch.MetricAlarm } {
  const rule = new aws.cloudwatch.EventRule(
    `${name}-rule`,
    { description: args.ruleDescription, eventPattern: args.eventPattern, tags: args.tags },
    { parent, ...(args.ruleDependsOn ? { dependsOn: args.ruleDependsOn } : {}) },
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
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-send-command`,
    { role: role.id, policy: pulumi.all([args.documentArn, instance]).apply(([doc, inst]) => JSON.stringify(sendCommandPolicy(args.policySid, doc, inst))) },
    { parent: role },
  );
  new aws.cloudwatch.EventTarget(
    `${name}-${args.targetSuffix}`,
    {
      rule: rule.name,
      arn: args.documentArn,
      roleArn: role.arn,
      input: args.input,
      runCommandTargets: [{ key: "InstanceIds", values: [args.instanceId] }],
      retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
    },
    { parent: rule },
  );
  const undelivered = failureAlarm(
    `${name}-${args.alarmSuffix}`,
    {
      description: args.alarmDescription,
      namespace: "AWS/Events",
      metricName: "FailedInvocations",
      dimensions: { RuleName: rule.name },
      alarmActions: [args.alarmTopicArn],
      tags: args.tags,
    },
    { parent: rule },
  );
  return { rule, role, undelivered };
}
