// How one cell's host gets into the tailnet, and (optionally) the tailnet policy that decides who
// reaches it. The host's join credentials always travel through Secrets Manager under the cell's
// prefix, never user data: a pre-authorized, tagged, single-use, short-lived auth key, or, with
// workload identity federation, only the federated identity's client id and audience (no secret).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import { tailscaleJoinSecretName } from "../base/names";
import { secretResourcePolicy, type HostBinding } from "../secrets/policies";
import type { TailscaleOptions } from "../../stacks/tailscale";
import { renderTailnetPolicy, tailnetPolicyHujson } from "./policy";

/** The tag value of a credential that expires instead of rotating. */
export const ONE_SHOT_CREDENTIAL = "one-shot";

/** What tailscaled signs its web identity token with (wif.go asks STS for ES384). */
const WIF_SIGNING_ALGORITHM = "ES384";

export interface TailscaleAccessArgs {
  options: TailscaleOptions;
  stack: string;
  cellName: string;
  gatewayPort: number;
  /** The host's instance role: the only reader of the join secret, and the subject of a federated identity. */
  hostRoleArn: pulumi.Input<string>;
  hostRoleName: pulumi.Input<string>;
  /** The host role reads the join secret only on its instance, through the cell's VPC (optional: fixtures without a host). */
  hostBinding?: pulumi.Input<HostBinding>;
  /** The cell's data key, which the host role may already decrypt with. */
  dataKeyArn: pulumi.Input<string>;
  /** Who may manage the secret besides the host (the deploying role, admin roles). */
  managerArns: pulumi.Input<pulumi.Input<string>[]>;
  tags?: Record<string, string>;
  /** A Tailscale provider (API key or OAuth client); the default provider otherwise. */
  provider?: tailscale.Provider;
}

export class TailscaleAccess extends pulumi.ComponentResource {
  public readonly joinSecret: aws.secretsmanager.Secret;
  public readonly authKey?: tailscale.TailnetKey;
  public readonly federatedIdentity?: tailscale.FederatedIdentity;
  public readonly policy?: tailscale.Acl;
  /** The tailnet policy the kit would apply: print it for the operator when it is not managed. */
  public readonly policyHujson: string | undefined;

  constructor(name: string, args: TailscaleAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:tailscale:TailscaleAccess", name, {}, opts);
    const { options } = args;
    if (!options.enabled) throw new Error("TailscaleAccess with tailscale.enabled false: create it only for cells that join a tailnet");
    const self = { parent: this };
    const ts = { parent: this, ...(args.provider ? { provider: args.provider } : {}) };
    // A federated identity's client id and audience are no credential. An auth key is one, but single-use and
    // dead within a day: it is not rotated, it expires (the rotation rule needs an exemption for this tag).
    const tags =
      options.auth === "auth-key"
        ? { ...args.tags, "clawkeep:credential": ONE_SHOT_CREDENTIAL, "clawkeep:expires-after-seconds": String(options.authKeyExpirySeconds) }
        : { ...args.tags, "clawkeep:credential": "false" };
    const description = `clawkeep ${args.stack}/${args.cellName} gateway`.replace(/[^A-Za-z0-9 ]/g, " ");

    this.joinSecret = new aws.secretsmanager.Secret(
      `${name}-join`,
      {
        name: tailscaleJoinSecretName(args.stack, args.cellName),
        description: options.auth === "auth-key" ? "Single-use Tailscale auth key for the gateway host's first join (clawkeep)" : "Tailscale federated identity (client id, audience) for the gateway host; no secret (clawkeep)",
        kmsKeyId: args.dataKeyArn,
        recoveryWindowInDays: 7,
        tags,
      },
      self,
    );
    new aws.secretsmanager.SecretPolicy(
      `${name}-join-policy`,
      {
        secretArn: this.joinSecret.arn,
        blockPublicPolicy: true,
        policy: pulumi
          .all([args.hostRoleArn, args.managerArns, args.hostBinding])
          .apply(([reader, managers, host]) => JSON.stringify(secretResourcePolicy({ readers: [reader], rotators: [], managers, host }))),
      },
      { parent: this.joinSecret },
    );

    let document: pulumi.Output<string>;
    if (options.auth === "auth-key") {
      this.authKey = new tailscale.TailnetKey(
        `${name}-key`,
        {
          description,
          tags: options.tags,
          reusable: false,
          preauthorized: true,
          ephemeral: options.ephemeral,
          expiry: options.authKeyExpirySeconds,
          // Used once at first boot; a used or expired key is not re-minted on every deploy.
          recreateIfInvalid: "never",
        },
        ts,
      );
      document = pulumi.secret(this.authKey.key.apply((authKey) => JSON.stringify({ authKey })));
    } else {
      const issuer = options.wifIssuer;
      if (!issuer) throw new Error("tailscale.auth workload-identity needs tailscale.wifIssuer");
      this.federatedIdentity = new tailscale.FederatedIdentity(
        `${name}-identity`,
        { description, issuer, subject: args.hostRoleArn, scopes: ["auth_keys"], tags: options.tags },
        ts,
      );
      const identity = this.federatedIdentity;
      // The host role may ask STS for a web identity token for this audience only, signed as tailscaled asks.
      new aws.iam.RolePolicy(
        `${name}-web-identity`,
        {
          role: args.hostRoleName,
          policy: identity.audience.apply((audience) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "TailscaleWebIdentityToken",
                  Effect: "Allow",
                  Action: "sts:GetWebIdentityToken",
                  Resource: "*",
                  Condition: { "ForAnyValue:StringEquals": { "sts:IdentityTokenAudience": [audience] }, StringEquals: { "sts:SigningAlgorithm": WIF_SIGNING_ALGORITHM } },
                },
              ],
            }),
          ),
        },
        self,
      );
      document = pulumi.all([identity.id, identity.audience]).apply(([clientId, audience]) => JSON.stringify({ clientId, audience }));
    }
    // Write-only: the key never enters Secrets Manager's resource state in Pulumi; version 1, created once.
    new aws.secretsmanager.SecretVersion(`${name}-join-value`, { secretId: this.joinSecret.id, secretStringWo: document, secretStringWoVersion: 1 }, { parent: this.joinSecret });

    const rendered = options.operators.length > 0 && options.admins.length > 0 ? tailnetPolicyHujson(renderTailnetPolicy(options, args.gatewayPort)) : undefined;
    if (options.managePolicy) {
      if (!rendered) throw new Error("tailscale.managePolicy needs at least one admin and one operator");
      // The whole policy file: Tailscale runs its tests before accepting it. Not reset on destroy: the
      // default policy Tailscale would restore lets every device reach every other.
      this.policy = new tailscale.Acl(`${name}-policy`, { acl: rendered, overwriteExistingContent: true }, ts);
    }
    this.policyHujson = rendered;
    this.registerOutputs({ joinSecretArn: this.joinSecret.arn });
  }
}
