// The Secrets Manager four-step rotation protocol with the checks the official template makes
// (aws-samples/aws-secrets-manager-rotation-lambdas, SecretsManagerRotationTemplate). Strategy-agnostic:
// what a new value is, and how the target takes and proves it, comes from a RotationStrategy.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";

export const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
export type Step = (typeof STEPS)[number];

export const AWSCURRENT = "AWSCURRENT";
export const AWSPENDING = "AWSPENDING";
export const AWSPREVIOUS = "AWSPREVIOUS";

/** The event Secrets Manager sends, once per step, with the same token for the whole rotation. */
export interface RotationEvent {
  Step: string;
  SecretId: string;
  ClientRequestToken: string;
}

export type Logger = (msg: string, fields?: Record<string, string | number | boolean | undefined>) => void;

/** JSON lines for CloudWatch; callers pass ids and outcomes only, never a secret value. */
export const jsonLogger: Logger = (msg, fields) => console.log(JSON.stringify({ msg, ...fields }));

/** What a strategy sees. It never moves labels itself; the protocol does. */
export interface RotationContext {
  readonly sm: SecretsManagerClient;
  readonly secretId: string;
  /** The ClientRequestToken: VersionId of the AWSPENDING version. */
  readonly token: string;
  readonly currentVersionId: string;
  readonly previousVersionId: string | undefined;
  readonly log: Logger;
}

export interface RotationStrategy {
  readonly name: string;
  /** The new secret string. Called only while the pending version has no value yet. */
  create(ctx: RotationContext): Promise<string>;
  /** Make the target take the pending value. */
  set(ctx: RotationContext, pending: string): Promise<void>;
  /** Prove the target accepts the pending value. */
  test(ctx: RotationContext, pending: string): Promise<void>;
  /** Last action before AWSCURRENT moves to the pending version. */
  finish?(ctx: RotationContext): Promise<void>;
  /** After set, test or finish failed: put the target back on whatever version is AWSCURRENT now. */
  restore?(ctx: RotationContext, currentVersionId: string): Promise<void>;
}

export interface RotationDeps {
  readonly sm: SecretsManagerClient;
  readonly strategy: RotationStrategy;
  readonly log?: Logger;
}

export type StepOutcome =
  | "already-current"
  | "created"
  | "pending-exists"
  | "set"
  | "tested"
  | "configuration-checked"
  | "finished";

/** A rotation the protocol or the state of the secret does not allow; the message says why. */
export class RotationError extends Error {
  override readonly name = "RotationError";
}

/** A strategy that will not mint a value on purpose (not a transient failure): never retried into success. */
export class RotationRefused extends Error {
  override readonly name = "RotationRefused";
}

// Secrets Manager accepts 32-64 characters; we also require shell- and URL-safe ones because the
// token travels to the host as an argument of the pickup command.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;

export function assertSafeToken(token: unknown): asserts token is string {
  if (typeof token !== "string" || !TOKEN_PATTERN.test(token)) {
    throw new RotationError("ClientRequestToken must be 32-64 characters of [A-Za-z0-9_-]");
  }
}

export function parseStep(step: unknown): Step {
  if (typeof step === "string" && (STEPS as readonly string[]).includes(step)) return step as Step;
  throw new RotationError(`Invalid step parameter ${JSON.stringify(step)}; expected one of ${STEPS.join(", ")}`);
}

export type VersionStages = Readonly<Record<string, readonly string[]>>;

export async function describeVersions(
  sm: SecretsManagerClient,
  secretId: string,
): Promise<{ arn: string; rotationEnabled: boolean; rotationLambdaArn: string | undefined; versions: VersionStages }> {
  const meta = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  return {
    arn: meta.ARN ?? secretId,
    rotationEnabled: meta.RotationEnabled === true,
    rotationLambdaArn: meta.RotationLambdaARN,
    versions: meta.VersionIdsToStages ?? {},
  };
}

export function versionWith(versions: VersionStages, stage: string): string | undefined {
  return Object.keys(versions).find((id) => versions[id]?.includes(stage));
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === "ResourceNotFoundException";
}

/**
 * The string stored in one version, or undefined when that version has no value (the empty
 * placeholder RotateSecret creates). Rotation reads pass VersionId and VersionStage together, as the
 * template does: a stage-only read of AWSPENDING is reported to fail (aws/aws-sdk-js-v3#7701).
 */
export async function readVersion(
  sm: SecretsManagerClient,
  secretId: string,
  versionId: string | undefined,
  stage: string,
): Promise<string | undefined> {
  try {
    const res = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId, VersionStage: stage }));
    if (res.SecretString === undefined) throw new RotationError(`Secret ${secretId} holds binary data; only strings rotate`);
    return res.SecretString;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function removeStage(sm: SecretsManagerClient, secretId: string, stage: string, versionId: string): Promise<void> {
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: stage, RemoveFromVersionId: versionId }));
}

/** Removes AWSPENDING from every version except `keep`; returns the versions it cleared. */
export async function clearStalePending(
  sm: SecretsManagerClient,
  secretId: string,
  versions: VersionStages,
  keep: string | undefined,
): Promise<string[]> {
  const stale = Object.keys(versions).filter((id) => id !== keep && versions[id]?.includes(AWSPENDING));
  for (const id of stale) await removeStage(sm, secretId, AWSPENDING, id);
  return stale;
}

/**
 * Moves AWSCURRENT to `versionId` (Secrets Manager then labels the old one AWSPREVIOUS) and takes
 * AWSPENDING off it, so no later RotateSecret sees a rotation in progress.
 */
export async function promote(sm: SecretsManagerClient, secretId: string, versionId: string, fromVersionId: string): Promise<void> {
  await sm.send(
    new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: AWSCURRENT,
      MoveToVersionId: versionId,
      RemoveFromVersionId: fromVersionId,
    }),
  );
  await removeStage(sm, secretId, AWSPENDING, versionId);
}

async function requirePending(ctx: RotationContext): Promise<string> {
  const pending = await readVersion(ctx.sm, ctx.secretId, ctx.token, AWSPENDING);
  if (pending === undefined) {
    throw new RotationError(`Pending version ${ctx.token} of ${ctx.secretId} has no value; createSecret has not run`);
  }
  return pending;
}

/** Runs a step that changes the target; on failure puts the target back on AWSCURRENT, then rethrows. */
async function withRestore(deps: RotationDeps, ctx: RotationContext, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (deps.strategy.restore) {
      try {
        const current = versionWith((await describeVersions(ctx.sm, ctx.secretId)).versions, AWSCURRENT);
        if (current) {
          await deps.strategy.restore(ctx, current);
          ctx.log("target restored to AWSCURRENT", { versionId: current });
        }
      } catch (restoreErr) {
        ctx.log("restore failed", { error: restoreErr instanceof Error ? restoreErr.message : String(restoreErr) });
      }
    }
    throw err;
  }
}

export async function runRotationStep(deps: RotationDeps, event: RotationEvent): Promise<StepOutcome> {
  const step = parseStep(event?.Step);
  const token = event.ClientRequestToken;
  assertSafeToken(token);
  const secretId = event.SecretId;
  if (typeof secretId !== "string" || secretId.length === 0) throw new RotationError("SecretId is required");
  const log: Logger = (msg, fields) => (deps.log ?? jsonLogger)(msg, { step, strategy: deps.strategy.name, token, ...fields });
  const { sm, strategy } = deps;

  const meta = await describeVersions(sm, secretId);
  if (!meta.rotationEnabled) throw new RotationError(`Secret ${meta.arn} is not enabled for rotation`);
  const stages = meta.versions[token];
  if (!stages) throw new RotationError(`Secret version ${token} has no stage for rotation of secret ${meta.arn}`);
  if (stages.includes(AWSCURRENT)) {
    // A late retry after finishSecret: nothing to do but leave no AWSPENDING behind.
    if (stages.includes(AWSPENDING)) await removeStage(sm, secretId, AWSPENDING, token);
    log("version already AWSCURRENT");
    return "already-current";
  }
  if (!stages.includes(AWSPENDING)) {
    throw new RotationError(`Secret version ${token} not set as AWSPENDING for rotation of secret ${meta.arn}`);
  }
  const currentVersionId = versionWith(meta.versions, AWSCURRENT);
  if (!currentVersionId) throw new RotationError(`Secret ${meta.arn} has no AWSCURRENT version to rotate from`);
  const ctx: RotationContext = {
    sm,
    secretId,
    token,
    currentVersionId,
    previousVersionId: versionWith(meta.versions, AWSPREVIOUS),
    log,
  };

  switch (step) {
    case "createSecret": {
      // Labels are unique in Secrets Manager, so this only finds work under an inconsistent store.
      for (const id of await clearStalePending(sm, secretId, meta.versions, token)) log("removed stale AWSPENDING", { versionId: id });
      if ((await readVersion(sm, secretId, token, AWSPENDING)) !== undefined) {
        log("pending version already has a value");
        return "pending-exists";
      }
      let value: string;
      try {
        value = await strategy.create(ctx);
      } catch (err) {
        // A refusal is final: take the label off the empty placeholder so nothing looks in progress.
        if (err instanceof RotationRefused) await removeStage(sm, secretId, AWSPENDING, token);
        throw err;
      }
      await sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: value, VersionStages: [AWSPENDING] }));
      log("pending version created");
      return "created";
    }
    case "setSecret": {
      const pending = await requirePending(ctx);
      await withRestore(deps, ctx, () => strategy.set(ctx, pending));
      log("target took the pending version");
      return "set";
    }
    case "testSecret": {
      const pending = await readVersion(sm, secretId, token, AWSPENDING);
      if (pending === undefined) {
        // RotateSecret with RotateImmediately=false only tests the configuration, on an empty
        // placeholder: reaching here proves invoke permission and read access; change nothing.
        log("configuration test on an empty pending version");
        return "configuration-checked";
      }
      await withRestore(deps, ctx, () => strategy.test(ctx, pending));
      log("target accepts the pending version");
      return "tested";
    }
    case "finishSecret": {
      await requirePending(ctx); // never promote an empty version
      await withRestore(deps, ctx, async () => {
        if (strategy.finish) await strategy.finish(ctx);
        await promote(sm, secretId, token, currentVersionId);
      });
      log("AWSCURRENT moved", { from: currentVersionId });
      return "finished";
    }
  }
}
