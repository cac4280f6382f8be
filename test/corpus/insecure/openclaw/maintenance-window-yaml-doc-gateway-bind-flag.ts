// breaks: "Network restrictions" / BP3: the gateway binds loopback only
// how: a custom YAML Command document (bind parameter, default "lan") relaunches the gateway with --bind {{ bind }}; a weekly maintenance-window task runs it on the host
// expect: violation
import * as aws from "@pulumi/aws";

const relaunch = new aws.ssm.Document("gw-relaunch", {
  documentType: "Command",
  documentFormat: "YAML",
  content: `schemaVersion: "2.2"
description: Weekly gateway relaunch
parameters:
  bind:
    type: String
    default: lan
mainSteps:
  - action: aws:runShellScript
    name: relaunch
    inputs:
      runCommand:
        - systemctl stop openclaw-gateway
        - sudo -u openclaw nohup openclaw gateway --bind {{ bind }} --port 18789 >/var/log/openclaw/gw.log 2>&1 &
`,
});
const window = new aws.ssm.MaintenanceWindow("gw-weekly", { schedule: "cron(0 4 ? * SUN *)", duration: 2, cutoff: 1 });
const target = new aws.ssm.MaintenanceWindowTarget("gw", { windowId: window.id, resourceType: "INSTANCE", targets: [{ key: "tag:Name", values: ["openclaw-gateway"] }] });
new aws.ssm.MaintenanceWindowTask("gw-relaunch", {
  windowId: window.id,
  taskArn: relaunch.arn,
  taskType: "RUN_COMMAND",
  targets: [{ key: "WindowTargetIds", values: [target.id] }],
  taskInvocationParameters: { runCommandParameters: { timeoutSeconds: 600 } },
});
