// clawkeep: one hardened OpenClaw gateway cell per stack. All config goes through the stack schema
// (stacks/), so an insecure or unknown setting stops here with the key, the value and what is allowed.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GatewayCell } from "./components/cell";
import { ConfigError, deployOnlyIssues, loadPulumiConfig } from "./stacks";

function model() {
  try {
    const loaded = loadPulumiConfig();
    // Under the engine (pulumi preview/up), not the offline plan's mock runtime: placeholders stop here.
    const issues = pulumi.runtime.getEngine() === undefined ? [] : deployOnlyIssues(loaded);
    if (issues.length > 0) throw new ConfigError(issues);
    return loaded;
  } catch (e) {
    // A RunError prints the message alone, without a stack trace, and fails the update.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const stackModel = model();
const region = aws.config.region ?? "us-east-1";
const cell = new GatewayCell(stackModel.cellName, { model: stackModel, stack: pulumi.getStack(), region });

export const trustLevel = stackModel.trustLevel;
export const instanceId = cell.instanceId;
export const vpcId = cell.vpcId;
export const gatewayTokenSecretArn = cell.tokenSecretArn;
export const alarmTopicArn = cell.alarmTopicArn;
export const dashboard = cell.dashboardName;
export const adminRoleArn = cell.roleArns.admin;
export const operatorRoleArn = cell.roleArns.operator;
export const viewerRoleArn = cell.roleArns.viewer;
// The tailnet policy to add by hand when tailscale.managePolicy is false (`npm run plan --out` writes it too).
export const tailnetPolicySnippet = cell.tailnetPolicySnippet;
// Operators connect through the kit's session document: idle timeout, logged, as the non-root session user.
export const connect = pulumi.interpolate`aws ssm start-session --target ${cell.instanceId} --document-name ${cell.sessionDocumentName} --region ${region}`;
// The gateway's port on this machine, through the kit's port document (that port only, never another).
export const forwardGateway = pulumi.interpolate`aws ssm start-session --target ${cell.instanceId} --document-name ${cell.portDocumentName} --region ${region}`;
// Start, stop or restart the gateway (Operator, Admin): the kit's gateway document, never a shell.
export const restartGateway = pulumi.interpolate`aws ssm send-command --instance-ids ${cell.instanceId} --document-name ${cell.commandDocumentNames.gateway} --parameters action=restart --region ${region}`;
