import { randomBytes } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface GatewayTokenSecretArgs {
  /** Deterministic name: the host's boot script asks Secrets Manager for it by this name. */
  secretName: string;
  dataKeyArn: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/** Bytes of entropy in a gateway token (OpenClaw's audit wants >= 24 characters; we give 64). */
export const GATEWAY_TOKEN_BYTES = 48;

/**
 * The gateway's bearer token in Secrets Manager, encrypted with the cell's data key. Its first value
 * is random and written write-only (secretStringWo): it never enters Pulumi state, plan output or
 * user data. The version number stays 1, so later runs never overwrite a rotated value.
 */
export class GatewayTokenSecret extends pulumi.ComponentResource {
  public readonly secret: aws.secretsmanager.Secret;

  constructor(name: string, args: GatewayTokenSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:secrets:GatewayTokenSecret", name, {}, opts);
    this.secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        name: args.secretName,
        description: "OpenClaw gateway bearer token (clawkeep)",
        kmsKeyId: args.dataKeyArn,
        // A deleted token can be restored for a week: a mistaken destroy must not lock the operator out.
        recoveryWindowInDays: 7,
        tags: { ...args.tags, "clawkeep:credential": "gateway-token" },
      },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-initial`,
      {
        secretId: this.secret.id,
        secretStringWo: pulumi.secret(randomBytes(GATEWAY_TOKEN_BYTES).toString("base64url")),
        secretStringWoVersion: 1,
      },
      { parent: this.secret },
    );
    this.registerOutputs({ secretArn: this.secret.arn });
  }
}
