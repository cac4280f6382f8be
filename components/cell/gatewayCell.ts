import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackModel } from "../../stacks/schema";
import { AlertTopic } from "../alarms";
import { hostFacts, renderHost, tokenSecretName } from "../host/hostFiles";
import { HardenedHost } from "../host/hardenedHost";
import { CellKeys } from "../keys";
import { Network } from "../network";
import { GatewayTokenSecret } from "../secrets";

export interface GatewayCellArgs {
  model: StackModel;
  /** The Pulumi stack name; secret names and host facts derive from it. */
  stack: string;
  region: string;
}

/**
 * One OpenClaw gateway cell: its own keys, VPC, alarm topic, token and hardened host. OpenClaw trusts
 * one operator per gateway, so several teams means several cells, each a GatewayCell in one stack.
 */
export class GatewayCell extends pulumi.ComponentResource {
  public readonly instanceId: pulumi.Output<string>;
  public readonly vpcId: pulumi.Output<string>;
  public readonly tokenSecretArn: pulumi.Output<string>;
  public readonly alarmTopicArn: pulumi.Output<string>;

  constructor(name: string, args: GatewayCellArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:cell:GatewayCell", name, {}, opts);
    const { model, region } = args;
    const self = { parent: this };
    const tags = { ...model.tags, "clawkeep:stack": args.stack, "clawkeep:cell": model.cellName };
    const accountId = aws.getCallerIdentityOutput({}, self).accountId;
    const az = aws.getAvailabilityZonesOutput({ state: "available" }, self).names[0];

    const keys = new CellKeys(`${name}-keys`, { accountId, region, tags }, self);
    const alerts = new AlertTopic(`${name}-alerts`, { logsKeyArn: keys.logsKey.arn, accountId, email: model.alarmEmail, tags }, self);
    const network = new Network(`${name}-net`, { model, region, availabilityZone: az, logsKeyArn: keys.logsKey.arn, tags }, self);

    const facts = hostFacts(model, args.stack, region);
    const token = new GatewayTokenSecret(`${name}-token`, { secretName: tokenSecretName(args.stack, model.cellName), dataKeyArn: keys.dataKey.arn, tags }, self);
    const rendered = renderHost(model, facts);

    const host = new HardenedHost(
      `${name}-host`,
      {
        model,
        subnetId: network.hostSubnet.id,
        securityGroupId: network.hostSecurityGroup.id,
        associatePublicIp: network.hostNeedsPublicIp,
        dataKeyArn: keys.dataKey.arn,
        readableSecretArns: [token.secret.arn],
        userDataBase64: rendered.userDataBase64,
        region,
        alarmTopicArn: alerts.topic.arn,
        tags,
      },
      { parent: this, dependsOn: [token] },
    );

    this.instanceId = host.instance.id;
    this.vpcId = network.vpc.id;
    this.tokenSecretArn = token.secret.arn;
    this.alarmTopicArn = alerts.topic.arn;
    this.registerOutputs({ instanceId: this.instanceId, vpcId: this.vpcId, tokenSecretArn: this.tokenSecretArn, alarmTopicArn: this.alarmTopicArn });
  }
}
