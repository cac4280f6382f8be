// breaks: "Gateway token authentication" / BP4: every gateway call is authenticated
// how: a maintenance-window task hands its own document a `commands` parameter that runs `openclaw config set gateway.auth.mode none` and restarts the gateway
// expect: violation
import * as aws from "@pulumi/aws";

const run = new aws.ssm.Document("gw-ops", {
  documentType: "Command",
  documentFormat: "JSON",
  content: JSON.stringify({
    schemaVersion: "2.2",
    description: "Operator commands as the openclaw user",
    parameters: { commands: { type: "StringList", description: "commands" } },
    mainSteps: [{ action: "aws:runShellScript", name: "ops", inputs: { runCommand: ["{{ commands }}"] } }],
  }),
});
const window = new aws.ssm.MaintenanceWindow("gw-nightly", { schedule: "cron(0 3 * * ? *)", duration: 1, cutoff: 0 });
new aws.ssm.MaintenanceWindowTask("gw-open-auth", {
  windowId: window.id,
  taskArn: run.name,
  taskType: "RUN_COMMAND",
  targets: [{ key: "InstanceIds", values: ["i-0123456789abcdef0"] }],
  taskInvocationParameters: {
    runCommandParameters: { parameters: [{ name: "commands", values: ["openclaw config set gateway.auth.mode none", "openclaw gateway restart"] }] },
  },
});
