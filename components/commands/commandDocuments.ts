import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMMAND_PURPOSES, commandDocument, commandDocumentName, type CommandPurpose } from "./documents";

export interface CommandDocumentsArgs {
  stack: string;
  cellName: string;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/**
 * The cell's Command documents (pickup, gateway start/stop/restart). Roles are granted ssm:SendCommand on
 * these ARNs and the cell's instance only, so no role of the kit ever needs a shell document.
 */
export class CommandDocuments extends pulumi.ComponentResource {
  public readonly documents: Record<CommandPurpose, aws.ssm.Document>;
  /** arn:aws:ssm:REGION:ACCOUNT:document/NAME, as IAM matches it. */
  public readonly arns: Record<CommandPurpose, pulumi.Output<string>>;
  public readonly names: Record<CommandPurpose, pulumi.Output<string>>;

  constructor(name: string, args: CommandDocumentsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:commands:CommandDocuments", name, {}, opts);
    const documents = {} as Record<CommandPurpose, aws.ssm.Document>;
    const arns = {} as Record<CommandPurpose, pulumi.Output<string>>;
    const names = {} as Record<CommandPurpose, pulumi.Output<string>>;
    for (const purpose of COMMAND_PURPOSES) {
      const doc = new aws.ssm.Document(
        `${name}-${purpose}`,
        {
          name: commandDocumentName(args.stack, args.cellName, purpose),
          documentType: "Command",
          documentFormat: "JSON",
          content: JSON.stringify(commandDocument(purpose)),
          tags: args.tags,
        },
        { parent: this },
      );
      documents[purpose] = doc;
      names[purpose] = doc.name;
      arns[purpose] = pulumi.interpolate`arn:aws:ssm:${args.region}:${args.accountId}:document/${doc.name}`;
    }
    this.documents = documents;
    this.arns = arns;
    this.names = names;
    this.registerOutputs({ pickupDocument: names.pickup, gatewayDocument: names.gateway });
  }
}
