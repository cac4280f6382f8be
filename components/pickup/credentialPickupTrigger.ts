import * as pulumi from "@pulumi/pulumi";
import { pickupEventInput } from "../commands/documents";
import { eventTarget, runDocumentOnEvent, sendCommandPolicy, type RunOnEventTarget } from "../commands/runOnEvent";
import { pickupEventPattern } from "../host/pickupToken";

export interface CredentialPickupTriggerArgs extends RunOnEventTarget {
  /** Every secret the gateway loads: its token and each provider API key. */
  secretArns: pulumi.Input<string>[];
  /** The cell's pickup document (the kit's own; never a shell document). */
  documentArn: pulumi.Input<string>;
}

/** The EventBridge role's one permission: the pickup document, on the cell's instance only. */
export const pickupSendPolicy = (documentArn: string, instanceArn: string) => sendCommandPolicy("RunThePickupDocumentOnTheGatewayHostOnly", documentArn, instanceArn);

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
    // A pickup EventBridge could not deliver leaves the host on the old credential until the timer runs.
    const { rule, role } = runDocumentOnEvent(
      name,
      {
        ruleDescription: "AWSCURRENT of the gateway token or a provider key moved: run the pickup document on the host",
        eventPattern: pulumi.all(args.secretArns).apply((arns) => JSON.stringify(pickupEventPattern(arns))),
        documentArn: args.documentArn,
        // Constant input: no event field reaches the host; it reads every AWSCURRENT itself.
        input: pickupEventInput(),
        policySid: "RunThePickupDocumentOnTheGatewayHostOnly",
        targetSuffix: "run-pickup",
        alarmSuffix: "failed",
        alarmDescription: "Credential pickup could not be sent to the gateway host (EventBridge FailedInvocations)",
        ...eventTarget(args),
      },
      this,
    );
    this.roleArn = role.arn;
    this.registerOutputs({ ruleArn: rule.arn });
  }
}
