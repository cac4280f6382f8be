import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_KEY_CONFIG, type StackModel } from "../../stacks/schema";
import { keptKeys } from "../../stacks/teardown";
import { AlertTopic } from "../alarms";
import { ConfigPreflight, renderOpenclawJson } from "../gateway";
import { createHash, randomBytes } from "node:crypto";
import { adminSecretName, cellRoleArn, cellRoleName, cellRolePath, cellSecretPrefix, cellTags, openaiRotationRoleName, providerKeySecretName, tokenSecretName } from "../base/names";
import { CommandDocuments } from "../commands";
import { hostFacts, renderHost } from "../host/hostFiles";
import { HardenedHost } from "../host/hardenedHost";
import { CellKeys } from "../keys";
import { AccessRoles } from "../access";
import { AuditLogging, SecurityAlarms } from "../audit";
import { Network } from "../network";
import { TailscaleAccess, tailnetPolicySnippet } from "../tailscale";
import { PrivateBucket } from "../storage";
import { CredentialPickupTrigger } from "../pickup";
import { StateBackup } from "../backup/stateBackup";
import { StateVolume, attachStateVolume } from "../state";
import { BundleRollout, bundlePointer } from "../rollout";
import { bundleParameterName } from "../host/bundleApply";
import { metricNamespace } from "../audit/names";
import { RotatedSecret, hostBindingStatements, principalArnPatterns, secretResourcePolicy, type CredentialKind, type HostBinding } from "../secrets";

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
  public readonly dashboardName: pulumi.Output<string>;
  /** The tailnet policy to add by hand when the kit does not manage it (tailscale.managePolicy false). */
  public readonly tailnetPolicySnippet: string | undefined;
  /** The SSM document operators start sessions with (runs as the non-root session user). */
  public readonly sessionDocumentName: pulumi.Output<string>;
  /** The port-forwarding document to the gateway's port. */
  public readonly portDocumentName: pulumi.Output<string>;
  /** The kit's Command documents (pickup; gateway start/stop/restart). */
  public readonly commandDocumentNames: { pickup: pulumi.Output<string>; gateway: pulumi.Output<string> };
  public readonly roleArns: { admin: pulumi.Output<string>; operator: pulumi.Output<string>; viewer: pulumi.Output<string> };
  /** The agent's state volume (backups select it by ARN). */
  public readonly stateVolume: StateVolume;

  constructor(name: string, args: GatewayCellArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:cell:GatewayCell", name, {}, opts);
    const { model, region } = args;
    const self = { parent: this };
    const tags = cellTags(args.stack, model.cellName, model.trustLevel, model.tags);
    const accountId = aws.getCallerIdentityOutput({}, self).accountId;
    const az = aws.getAvailabilityZonesOutput({ state: "available" }, self).names[0];

    // Every role of the cell under one IAM path; the host and the people's roles by fixed name (policies name them before they exist).
    const rolePath = cellRolePath(args.stack, model.cellName);
    const roleArn = (what: string) => accountId.apply((a) => cellRoleArn(a, args.stack, model.cellName, what));
    const keys = new CellKeys(`${name}-keys`, { accountId, region, hostRoleArn: roleArn("host"), tags, keep: keptKeys(model.teardown) }, self);
    const commands = new CommandDocuments(`${name}-commands`, { stack: args.stack, cellName: model.cellName, region, accountId, tags }, self);
    const alerts = new AlertTopic(`${name}-alerts`, { logsKeyArn: keys.logsKey.arn, accountId, subscribers: model.alarmSubscribers, tags }, self);
    const network = new Network(`${name}-net`, { model, region, availabilityZone: az, logsKeyArn: keys.logsKey.arn, rolePath, tags }, self);

    const caller = aws.getCallerIdentityOutput({}, self);
    // The agent's state outlives every host: its own volume in the host subnet's zone, encrypted with the data key.
    // Seam for backups and restores (components/backup): StateBackup selects this.stateVolume.arn; a restore sets snapshotId.
    const stateVolume = new StateVolume(
      `${name}-state`,
      // A restore (npm run restore) names a recovery point: the volume is built from it.
      { availabilityZone: network.hostSubnet.availabilityZone, sizeGb: model.host.stateVolumeGb, dataKeyArn: keys.dataKey.arn, snapshotId: model.backup.restoreSnapshotId, tags },
      self,
    );
    this.stateVolume = stateVolume;
    const rendered = pulumi
      .all([accountId, stateVolume.id])
      .apply(([a, volumeId]) => renderHost(model, hostFacts(model, args.stack, region), { accountId: a, stack: args.stack, stateVolumeId: volumeId }));
    // The host files beyond the user data's 16 KB travel as one object, pinned by SHA-256 in the user data.
    const bundleStore = new PrivateBucket(
      `${name}-host-bundle`,
      // Only bundles the program renders again: emptied at destroy, so the destroy completes. Its policy names the
      // host (below): the instance role reads its bundle only from its own instance.
      { bucketName: rendered.bundle.bucket, kmsKeyArn: keys.dataKey.arn, noncurrentVersionDays: 30, forceDestroy: true, policyLater: true, tags },
      self,
    );
    const bundleObject = new aws.s3.BucketObjectv2(
      `${name}-host-bundle-object`,
      {
        bucket: bundleStore.bucket.id,
        key: rendered.bundle.key,
        contentBase64: rendered.apply((r) => r.bundle.gz.toString("base64")),
        contentType: "application/gzip",
        serverSideEncryption: "aws:kms",
        kmsKeyId: keys.dataKey.arn,
        // The policy pack judges the bundled openclaw.json against this level's envelope (the cell tags declare it).
        tags,
      },
      { parent: bundleStore },
    );
    // The bundle pointer: the host runs the bundle it names; it moves only once the new object exists.
    const parameterName = bundleParameterName(args.stack, model.cellName);
    const pointer = bundlePointer(`${name}-host-bundle-pointer`, { parameterName, bundleSha256: rendered.bundle.sha256, bundleObject, tags }, { parent: bundleStore });
    // The host reads the secrets under its cell's prefix and nothing else; admin keys live elsewhere.
    const ownSecrets = pulumi.interpolate`arn:aws:secretsmanager:${region}:${accountId}:secret:${cellSecretPrefix(args.stack, model.cellName)}*`;

    const preflight = new ConfigPreflight(
      `${name}-preflight`,
      { openclawJson: renderOpenclawJson(model), openclawVersion: model.host.openclawVersion },
      self,
    );
    const host = new HardenedHost(
      `${name}-host`,
      {
        model,
        roleName: cellRoleName(args.stack, model.cellName, "host"),
        rolePath,
        subnetId: network.hostSubnet.id,
        securityGroupId: network.hostSecurityGroup.id,
        associatePublicIp: network.hostNeedsPublicIp,
        dataKeyArn: keys.dataKey.arn,
        readableSecretArns: [ownSecrets],
        bundleObjectArn: pulumi.interpolate`${bundleStore.bucket.arn}/host-bundle/*`,
        bundleParameterArn: pulumi.interpolate`arn:aws:ssm:${region}:${accountId}:parameter${parameterName}`,
        userDataBase64: rendered.userDataBase64,
        dependsOn: [pointer, preflight],
        region,
        alarmTopicArn: alerts.topic.arn,
        tags,
      },
      self,
    );

    // The instance role's credentials count only on its instance, through the cell VPC's endpoints, from its address.
    const hostBinding: pulumi.Output<HostBinding> = pulumi
      .all([host.role.arn, host.instance.id, accountId, network.vpc.id, host.instance.privateIp])
      .apply(([roleArn, instanceId, account, vpcId, privateIp]) => ({ roleArn, instanceArn: `arn:aws:ec2:${region}:${account}:instance/${instanceId}`, vpcId, privateIp }));
    bundleStore.attachPolicy(pulumi.all([hostBinding, bundleStore.bucket.arn]).apply(([h, arn]) => hostBindingStatements(h, ["s3:GetObject"], `${arn}/*`)));

    // Managers: whoever deploys (the AWS provider reads a version back) and the configured admin roles.
    const managerArns = caller.arn.apply((arn) => [...principalArnPatterns(arn), ...model.adminRoleArns]);
    // The cell's Admin manages keys (new value, rotate, labels) but never reads one.
    const keyManagerArns = [roleArn("admin")];
    const secretArgs = (kind: CredentialKind, secretName: string, description: string, rotationDays: number) => ({
      kind,
      secretName,
      description,
      rotationDays,
      recoveryWindowInDays: model.teardown.secretRecoveryDays,
      dataKeyArn: keys.dataKey.arn,
      logsKeyArn: keys.logsKey.arn,
      region,
      accountId,
      logRetentionDays: model.logRetentionDays,
      readerRoleArns: [host.role.arn],
      managerArns,
      keyManagerArns,
      hostBinding,
      rolePath,
      alarmTopicArn: alerts.topic.arn,
      tags,
    });
    const token = new RotatedSecret(
      `${name}-token`,
      {
        ...secretArgs("gateway-token", tokenSecretName(args.stack, model.cellName), "OpenClaw gateway bearer token (clawkeep)", model.rotation.gatewayTokenDays),
        initialValue: pulumi.secret(randomBytes(GATEWAY_TOKEN_BYTES).toString("base64url")),
        instanceId: host.instance.id,
        pickupDocument: { name: commands.names.pickup, arn: commands.arns.pickup },
      },
      self,
    );
    // What makes a new host: its user data (host-lifetime facts only), subnet and root key. An auth-key node also
    // leaves the tailnet when it is stopped, so a stop/start (an instance type change) needs its next key too.
    const hostGeneration = pulumi.all([rendered.userDataBase64, network.hostSubnet.id, keys.dataKey.arn]).apply((parts) => createHash("sha256").update(parts.join("\n")).digest("hex"));
    const keyGeneration = hostGeneration.apply((g) => createHash("sha256").update(`${g}\n${model.host.instanceType}`).digest("hex"));
    this.tailnetPolicySnippet = tailnetPolicySnippet(model.tailscale, model.gateway.port);
    let tailnet: TailscaleAccess | undefined;
    if (model.tailscale.enabled) {
      tailnet = new TailscaleAccess(
        `${name}-tailnet`,
        {
          options: model.tailscale,
          stack: args.stack,
          cellName: model.cellName,
          gatewayPort: model.gateway.port,
          hostRoleArn: host.role.arn,
          hostRoleName: host.role.name,
          hostBinding,
          dataKeyArn: keys.dataKey.arn,
          managerArns,
          tags,
          keyGeneration,
        },
        self,
      );
    }
    // One writer: the attachment moves only after the old host stopped (delete-before-replace), and the new host
    // joins the tailnet only after its fresh key is current (its join runs after the state volume is mounted).
    attachStateVolume(`${name}-state-attach`, stateVolume, host.instance.id, tailnet ? [tailnet.joinValue] : []);

    const providerSecrets = model.providers.map((provider) => {
      const key = model.secrets[PROVIDER_KEY_CONFIG[provider]];
      return new RotatedSecret(
        `${name}-${provider}-key`,
        {
          ...secretArgs(provider, providerKeySecretName(args.stack, model.cellName, provider), `${provider} API key for the gateway (clawkeep)`, model.rotation.providerKeyDays),
          initialValue: key ? pulumi.secret(key.value) : undefined,
          openai: provider === "openai" ? this.openaiAdminKey(name, args, keys.dataKey.arn, accountId, managerArns, keyManagerArns, tags) : undefined,
          rotationRoleName: provider === "openai" ? openaiRotationRoleName(args.stack, model.cellName) : undefined,
        },
        self,
      );
    });
    // Every credential the gateway loads: a new AWSCURRENT on any of them reaches the running gateway.
    new CredentialPickupTrigger(
      `${name}-credential-pickup`,
      {
        secretArns: [token.secret.arn, ...providerSecrets.map((s) => s.secret.arn)],
        instanceId: host.instance.id,
        documentArn: commands.arns.pickup,
        rolePath,
        region,
        accountId,
        alarmTopicArn: alerts.topic.arn,
        tags,
      },
      self,
    );

    // Host-file changes in place: the pointer's change runs the kit's apply document on the host.
    const rollout = new BundleRollout(
      `${name}-rollout`,
      {
        parameter: pointer,
        parameterName,
        instanceId: host.instance.id,
        applyDocumentArn: commands.arns.apply,
        metricNamespace: metricNamespace(args.stack, model.cellName),
        rolePath,
        region,
        accountId,
        alarmTopicArn: alerts.topic.arn,
        tags,
      },
      self,
    );

    // Audit trail, security alarms and the people's roles (the guides' role table).
    const audit = new AuditLogging(
      `${name}-audit`,
      { model, stack: args.stack, settings: model.audit, logsKeyArn: keys.logsKey.arn, accountId, region, hostRoleName: host.role.name, tags },
      self,
    );
    const rotators = [token, ...providerSecrets];
    const alarms = new SecurityAlarms(
      `${name}-alarms`,
      {
        model,
        stack: args.stack,
        accountId,
        rolePath,
        settings: model.audit,
        names: audit.names,
        logGroups: audit.logGroups,
        alarmTopicArn: alerts.topic.arn,
        instanceId: host.instance.id,
        region,
        automationPrincipalArns: [host.role.arn, ...rotators.map((r) => r.rotationRoleArn)],
        otherAlarmArns: [...host.statusAlarms.map((a) => a.arn), ...rotators.map((r) => r.errorsAlarm.arn), ...rollout.alarms.map((a) => a.arn)],
        tags,
      },
      self,
    );
    const access = new AccessRoles(
      `${name}-access`,
      {
        stack: args.stack,
        cellName: model.cellName,
        trusted: model.access,
        accountId,
        region,
        instanceId: host.instance.id,
        gatewayDocumentArn: commands.arns.gateway,
        gatewayPort: model.gateway.port,
        sessionLogGroupName: audit.logGroups.sessions.name,
        logGroupArns: Object.values(audit.logGroups).map((g) => g.arn),
        dashboardName: alarms.dashboard.dashboardName,
        tags,
      },
      self,
    );
    this.dashboardName = alarms.dashboard.dashboardName;
    this.sessionDocumentName = access.sessionDocument.name;
    this.portDocumentName = access.portDocument.name;
    this.commandDocumentNames = commands.names;
    this.roleArns = { admin: access.admin.arn, operator: access.operator.arn, viewer: access.viewer.arn };
    // Daily snapshots of the state volume, in a vault only the Admin role may delete from.
    new StateBackup(
      `${name}-backup`,
      {
        stateVolumeArn: stateVolume.arn,
        dataKeyArn: keys.dataKey.arn,
        adminRoleArn: access.admin.arn,
        deployerArns: [caller.arn],
        retentionDays: model.backup.retentionDays,
        keepBackups: model.teardown.keepBackups,
        region,
        alarmTopicArn: alerts.topic.arn,
        tags,
      },
      self,
    );


    this.instanceId = host.instance.id;
    this.vpcId = network.vpc.id;
    this.tokenSecretArn = token.secret.arn;
    this.alarmTopicArn = alerts.topic.arn;
    this.registerOutputs({ instanceId: this.instanceId, vpcId: this.vpcId, tokenSecretArn: this.tokenSecretArn, alarmTopicArn: this.alarmTopicArn });
  }

  /**
   * The OpenAI admin key, in a secret of its own outside the cell prefix: only the OpenAI rotation
   * function reads it (and the managers). A person rotates it; the kit never mints admin keys.
   */
  private openaiAdminKey(
    name: string,
    args: GatewayCellArgs,
    dataKeyArn: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
    managerArns: pulumi.Input<string[]>,
    keyManagerArns: pulumi.Input<string>[],
    tags: Record<string, string>,
  ): { adminKeySecretArn: pulumi.Output<string>; projectId: string; serviceAccountId: string } {
    const { model } = args;
    if (!model.openai) throw new Error("modelProviders includes openai but openaiProjectId/openaiServiceAccountId are unset");
    const secret = new aws.secretsmanager.Secret(
      `${name}-openai-admin-key`,
      {
        name: adminSecretName(args.stack, model.cellName, "openai-admin-key"),
        description: "OpenAI admin key used only to mint and delete the gateway's project keys (clawkeep)",
        kmsKeyId: dataKeyArn,
        recoveryWindowInDays: model.teardown.secretRecoveryDays,
        tags: { ...tags, "clawkeep:credential": "openai-admin" },
      },
      { parent: this },
    );
    const admin = model.secrets.openaiAdminKey;
    if (admin) {
      new aws.secretsmanager.SecretVersion(
        `${name}-openai-admin-key-initial`,
        { secretId: secret.id, secretStringWo: pulumi.secret(admin.value), secretStringWoVersion: 1 },
        { parent: secret },
      );
    }
    const rotator = pulumi.interpolate`arn:aws:iam::${accountId}:role${cellRolePath(args.stack, model.cellName)}${openaiRotationRoleName(args.stack, model.cellName)}`;
    new aws.secretsmanager.SecretPolicy(
      `${name}-openai-admin-key-policy`,
      {
        secretArn: secret.arn,
        blockPublicPolicy: true,
        policy: pulumi
          .all([rotator, managerArns, pulumi.all(keyManagerArns)])
          .apply(([r, managers, keyManagers]) => JSON.stringify(secretResourcePolicy({ readers: [r], rotators: [], managers, keyManagers }))),
      },
      { parent: secret },
    );
    return { adminKeySecretArn: secret.arn, projectId: model.openai.projectId, serviceAccountId: model.openai.serviceAccountId };
  }
}

/** Bytes of entropy in the first gateway token (OpenClaw's audit wants >= 24 characters). */
export const GATEWAY_TOKEN_BYTES = 32;
