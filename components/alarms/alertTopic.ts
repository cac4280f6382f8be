import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmSubscriber } from "../../stacks/alarmSubscribers";

export interface AlertTopicArgs {
  logsKeyArn: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** Who alarms reach (stack config alarmEmail, alarmSubscriptions); none at levels 0-1 only, and the plan says so. */
  subscribers: readonly AlarmSubscriber[];
  tags?: Record<string, string>;
}

/** The one KMS-encrypted SNS topic every clawkeep alarm publishes to. */
export class AlertTopic extends pulumi.ComponentResource {
  public readonly topic: aws.sns.Topic;

  constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:alarms:AlertTopic", name, {}, opts);
    this.topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: args.logsKeyArn, tags: args.tags }, { parent: this });
    new aws.sns.TopicPolicy(
      `${name}-policy`,
      {
        arn: this.topic.arn,
        policy: pulumi.all([this.topic.arn, args.accountId]).apply(([arn, accountId]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "AlarmsAndEventsFromThisAccountOnly",
                Effect: "Allow",
                Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
                Action: "sns:Publish",
                Resource: arn,
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
              },
            ],
          }),
        ),
      },
      { parent: this.topic },
    );
    args.subscribers.forEach((s, i) => {
      new aws.sns.TopicSubscription(
        // alarmEmail keeps the name it always had; the others are named by a hash of the endpoint (stable under reordering, no URL in the URN).
        i === 0 && s.protocol === "email" ? `${name}-email` : `${name}-${s.protocol}-${createHash("sha256").update(s.endpoint).digest("hex").slice(0, 8)}`,
        // An https endpoint must confirm itself (paging services do): `pulumi up` waits and fails visibly if it does not.
        { topic: this.topic.arn, protocol: s.protocol, endpoint: s.endpoint, endpointAutoConfirms: s.protocol === "https" ? true : undefined },
        { parent: this.topic },
      );
    });
    this.registerOutputs({ topicArn: this.topic.arn });
  }
}
