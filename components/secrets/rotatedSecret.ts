import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { failureAlarm } from "../alarms/failureAlarm";
import { ROTATION_HANDLER, ROTATION_RUNTIME, buildRotationBundle } from "../../lambda/build";
import { ROTATION_ENV, type StrategyName } from "../../lambda/rotation/config";
import { rotationRolePolicy, secretResourcePolicy, type HostBinding } from "./policies";

/** What a credential is, and so which rotation strategy keeps it fresh. */
export type CredentialKind = StrategyName;

export interface RotatedSecretArgs {
  /** Deterministic name, so host scripts and runbooks can name it. */
  secretName: string;
  description: string;
  kind: CredentialKind;
  dataKeyArn: pulumi.Input<string>;
  logsKeyArn: pulumi.Input<string>;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** Days a destroyed secret can be restored (0: deleted at once, its name free for a re-created stack). */
  recoveryWindowInDays: number;
  /** Days between rotations (the guides: at most 90; the gateway token 30). */
  rotationDays: number;
  logRetentionDays: number;
  /** Roles that may read the value besides the rotation function. */
  readerRoleArns: pulumi.Input<string>[];
  /** Roles that manage the secret (the deploying role among them). */
  managerArns: pulumi.Input<pulumi.Input<string>[]>;
  /** Roles that manage the key without reading it (the cell's Admin). */
  keyManagerArns?: pulumi.Input<string>[];
  /** The instance role among the readers, bound to its own instance, VPC and address. */
  hostBinding?: pulumi.Input<HostBinding>;
  /** The cell's IAM path (cellRolePath). */
  rolePath: string;
  /** The first value, written write-only (never in state); omit to put it out of band. */
  initialValue?: pulumi.Input<string>;
  /** gateway-token: the host pickup-token runs on, and the cell's pickup document that runs it. */
  instanceId?: pulumi.Input<string>;
  pickupDocument?: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** openai: the admin key's secret and whose keys are minted. */
  openai?: { adminKeySecretArn: pulumi.Input<string>; projectId: string; serviceAccountId: string };
  alarmTopicArn: pulumi.Input<string>;
  /** A fixed name for the rotation role, where another policy must name it before it exists. */
  rotationRoleName?: string;
  tags?: Record<string, string>;
}

/**
 * Seconds the gateway-token function waits for the host's pickup-token: a restart may wait for agent
 * runs to drain (OpenClaw: up to 330 s). Two host calls per step (install, and re-install of AWSCURRENT
 * on failure) plus margin must fit Lambda's 900 s ceiling.
 */
export const HOST_TIMEOUT_SECONDS = 400;
const TIMEOUTS: Record<CredentialKind, number> = { "gateway-token": 2 * (HOST_TIMEOUT_SECONDS + 30) + 30, openai: 60, anthropic: 30 };

let bundle: Promise<string> | undefined;
/** Build the rotation bundle once per program run, from the TypeScript source in lambda/. */
function rotationZip(): Promise<string> {
  bundle ??= buildRotationBundle(path.join(os.tmpdir(), `clawkeep-lambda-${process.pid}`)).then((b) => b.zipPath);
  return bundle;
}

/**
 * One credential in Secrets Manager with everything the guides ask of it: the cell's customer KMS
 * key, a resource policy that lets only its readers read and only its rotator and managers change
 * it, a 7-day recovery window, and a rotation function of its own on a schedule of <= 90 days,
 * whose failures alarm (Lambda errors and Secrets Manager's RotationFailed event).
 */
export class RotatedSecret extends pulumi.ComponentResource {
  public readonly secret: aws.secretsmanager.Secret;
  public readonly rotationFunction: aws.lambda.Function;
  public readonly rotationRoleArn: pulumi.Output<string>;
  public readonly errorsAlarm: aws.cloudwatch.MetricAlarm;

  constructor(name: string, args: RotatedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:secrets:RotatedSecret", name, {}, opts);
    const self = { parent: this };
    const tags = { ...args.tags, "clawkeep:credential": args.kind };

    this.secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        name: args.secretName,
        description: args.description,
        kmsKeyId: args.dataKeyArn,
        // stacks/teardown.ts: restorable after a mistaken destroy (default 7 days), or its name free at once (0).
        recoveryWindowInDays: args.recoveryWindowInDays,
        tags,
      },
      self,
    );
    const initial = args.initialValue
      ? new aws.secretsmanager.SecretVersion(
          `${name}-initial`,
          // Version 1 forever: later runs never overwrite a rotated value.
          { secretId: this.secret.id, secretStringWo: pulumi.secret(args.initialValue), secretStringWoVersion: 1 },
          { parent: this.secret },
        )
      : undefined;

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-rotation-logs`,
      { name: `/clawkeep/rotation/${args.secretName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKeyArn, tags },
      self,
    );
    const role = new aws.iam.Role(
      `${name}-rotation-role`,
      {
        name: args.rotationRoleName,
        path: args.rolePath,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
      },
      self,
    );
    const env: Record<string, pulumi.Input<string>> = { [ROTATION_ENV.strategy]: args.kind };
    if (args.kind === "gateway-token") {
      if (!args.instanceId) throw new Error(`${name}: a gateway-token rotation needs the host's instanceId`);
      if (!args.pickupDocument) throw new Error(`${name}: a gateway-token rotation needs the cell's pickup document`);
      env[ROTATION_ENV.instanceId] = args.instanceId;
      env[ROTATION_ENV.pickupDocument] = args.pickupDocument.name;
      env[ROTATION_ENV.hostTimeoutSeconds] = String(HOST_TIMEOUT_SECONDS);
    }
    if (args.kind === "openai") {
      if (!args.openai) throw new Error(`${name}: an openai rotation needs the admin key secret, project and service account`);
      env[ROTATION_ENV.openAiAdminKeySecretArn] = args.openai.adminKeySecretArn;
      env[ROTATION_ENV.openAiProjectId] = args.openai.projectId;
      env[ROTATION_ENV.openAiServiceAccountId] = args.openai.serviceAccountId;
    }
    this.rotationFunction = new aws.lambda.Function(
      `${name}-rotation`,
      {
        runtime: ROTATION_RUNTIME,
        handler: ROTATION_HANDLER,
        role: role.arn,
        code: rotationZip().then((zip) => new pulumi.asset.FileArchive(zip)),
        timeout: TIMEOUTS[args.kind],
        memorySize: 256,
        // One rotation at a time per secret; Secrets Manager retries a throttled step.
        reservedConcurrentExecutions: 2,
        environment: { variables: env },
        kmsKeyArn: args.dataKeyArn,
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        // No VPC: it calls only AWS APIs (and OpenAI), over HTTPS.
        tags,
      },
      { parent: this, dependsOn: [logGroup] },
    );
    // After the function: its statements hold only for calls from inside it (lambda:SourceFunctionArn).
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-rotation-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([this.secret.arn, args.dataKeyArn, logGroup.arn, args.region, args.accountId, this.rotationFunction.arn, pulumi.output({ instanceId: args.instanceId, pickupDocumentArn: args.pickupDocument?.arn, adminKeySecretArn: args.openai?.adminKeySecretArn })])
          .apply(([secretArn, dataKeyArn, logGroupArn, region, accountId, functionArn, optional]) =>
            JSON.stringify(rotationRolePolicy({ secretArn, dataKeyArn, logGroupArn, region, accountId, functionArn, ...optional })),
          ),
      },
      { parent: role },
    );
    const permission = new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: this.rotationFunction.name,
        principal: "secretsmanager.amazonaws.com",
        // Confused-deputy guard: only this account's Secrets Manager, only for this secret.
        sourceAccount: args.accountId,
        sourceArn: this.secret.arn,
      },
      { parent: this.rotationFunction },
    );
    new aws.secretsmanager.SecretPolicy(
      `${name}-policy`,
      {
        secretArn: this.secret.arn,
        blockPublicPolicy: true,
        policy: pulumi
          .all([pulumi.all(args.readerRoleArns), role.arn, args.managerArns, pulumi.all(args.keyManagerArns ?? []), this.rotationFunction.arn, args.hostBinding])
          .apply(([readers, rotator, managers, keyManagers, rotationFunctionArn, host]) =>
            JSON.stringify(secretResourcePolicy({ readers: [...readers, rotator], rotators: [rotator], managers, keyManagers, rotationFunctionArn, host })),
          ),
      },
      { parent: this.secret },
    );
    new aws.secretsmanager.SecretRotation(
      `${name}-rotation-schedule`,
      {
        secretId: this.secret.id,
        rotationLambdaArn: this.rotationFunction.arn,
        rotationRules: { automaticallyAfterDays: args.rotationDays },
        // Never rotate at create time: the host may still be booting; the schedule starts now.
        rotateImmediately: false,
      },
      { parent: this.secret, dependsOn: [permission, rolePolicy, ...(initial ? [initial] : [])] },
    );

    this.rotationRoleArn = role.arn;
    this.errorsAlarm = failureAlarm(
      `${name}-rotation-errors`,
      {
        description: `Rotation of ${args.secretName} failed (function errors)`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: this.rotationFunction.name },
        alarmActions: [args.alarmTopicArn],
        tags,
      },
      { parent: this.rotationFunction },
    );
    // Secrets Manager's own verdict: RotationFailed arrives as a CloudTrail service event.
    const failed = new aws.cloudwatch.EventRule(
      `${name}-rotation-failed`,
      {
        description: `RotationFailed for ${args.secretName}`,
        eventPattern: this.secret.arn.apply((arn) =>
          JSON.stringify({
            source: ["aws.secretsmanager"],
            "detail-type": ["AWS Service Event via CloudTrail"],
            detail: { eventName: ["RotationFailed", "RotationAbandoned"], additionalEventData: { SecretId: [arn] } },
          }),
        ),
        tags,
      },
      self,
    );
    new aws.cloudwatch.EventTarget(`${name}-rotation-failed-alert`, { rule: failed.name, arn: args.alarmTopicArn }, { parent: failed });

    this.registerOutputs({ secretArn: this.secret.arn, rotationFunctionArn: this.rotationFunction.arn });
  }
}
