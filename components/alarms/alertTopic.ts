import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AlertTopicArgs {
  logsKeyArn: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** Where alarms go; unset means someone subscribes later (the plan says so). */
  email?: string;
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
    if (args.email) {
      new aws.sns.TopicSubscription(`${name}-email`, { topic: this.topic.arn, protocol: "email", endpoint: args.email }, { parent: this.topic });
    }
    this.registerOutputs({ topicArn: this.topic.arn });
  }
}
