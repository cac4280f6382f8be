// breaks: "Role-based access control implemented" / "All inputs sanitized before agent processing": only known senders can put work in front of the agent
// how: the agent's task queue gets an aws.sqs.QueuePolicy allowing sqs:SendMessage to Principal "*" with no condition (anyone can inject instructions)
// expect: violation
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("tasks", { enableKeyRotation: true });
const tasks = new aws.sqs.Queue("agent-tasks", { kmsMasterKeyId: key.arn, messageRetentionSeconds: 86400 });
new aws.sqs.QueuePolicy("agent-tasks", {
  queueUrl: tasks.url,
  policy: tasks.arn.apply((arn) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "webhooks", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: arn }] }),
  ),
});
