// Operator actions for the CLI: start a rotation now (a leaked key), and revoke the gateway token at
// once (a fresh random value becomes AWSCURRENT without waiting for the host to prove it).
import { randomUUID } from "node:crypto";
import { PutSecretValueCommand, RotateSecretCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  assertSafeToken,
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  clearStalePending,
  describeVersions,
  promote,
  readVersion,
  removeStage,
  RotationError,
  versionWith,
} from "./protocol";
import { newGatewayToken } from "./strategies/gatewayToken";

export interface RotateNowOptions {
  readonly clientRequestToken?: string;
  /** Take AWSPENDING off a stalled earlier rotation instead of refusing (it would block RotateSecret). */
  readonly abandonStalledRotation?: boolean;
}

/** Starts a rotation through the secret's configured function; returns the new version's id. */
export async function rotateNow(
  sm: SecretsManagerClient,
  secretId: string,
  opts: RotateNowOptions = {},
): Promise<{ versionId: string; abandonedVersionIds: string[] }> {
  const meta = await describeVersions(sm, secretId);
  if (!meta.rotationEnabled || !meta.rotationLambdaArn) {
    throw new RotationError(`Secret ${meta.arn} has no rotation configured; deploy the stack with rotation first`);
  }
  const current = versionWith(meta.versions, AWSCURRENT);
  const stalled = Object.keys(meta.versions).filter((id) => id !== current && meta.versions[id]?.includes(AWSPENDING));
  if (stalled.length > 0 && !opts.abandonStalledRotation) {
    throw new RotationError(
      `A rotation of ${meta.arn} is still pending on version ${stalled.join(", ")}; Secrets Manager retries it. ` +
        "To start over (e.g. after a leak), abandon it explicitly.",
    );
  }
  const abandonedVersionIds = await clearStalePending(sm, secretId, meta.versions, current);
  const token = opts.clientRequestToken ?? randomUUID();
  assertSafeToken(token);
  const res = await sm.send(
    new RotateSecretCommand({
      SecretId: secretId,
      ClientRequestToken: token,
      // Named again on purpose: harmless on AWS, and moto forgets the function when it is omitted.
      RotationLambdaARN: meta.rotationLambdaArn,
      RotateImmediately: true,
    }),
  );
  return { versionId: res.VersionId ?? token, abandonedVersionIds };
}

/**
 * Makes a fresh random gateway token AWSCURRENT at once; the replaced version stays AWSPREVIOUS for
 * the record. Safe to repeat with the same token. The host stops accepting the old token when it
 * picks up AWSCURRENT (or when the caller stops the gateway); that part is the caller's.
 */
export async function revokeGatewayToken(
  sm: SecretsManagerClient,
  secretId: string,
  opts: { clientRequestToken?: string } = {},
): Promise<{ versionId: string; revokedVersionId: string | undefined }> {
  const token = opts.clientRequestToken ?? randomUUID();
  assertSafeToken(token);
  const meta = await describeVersions(sm, secretId);
  const current = versionWith(meta.versions, AWSCURRENT);
  if (!current) throw new RotationError(`Secret ${meta.arn} has no AWSCURRENT version`);
  if (current === token) {
    if (meta.versions[token]?.includes(AWSPENDING)) await removeStage(sm, secretId, AWSPENDING, token);
    return { versionId: token, revokedVersionId: versionWith(meta.versions, AWSPREVIOUS) };
  }
  // A rotation in flight loses its pending version: revocation wins over it.
  await clearStalePending(sm, secretId, meta.versions, token);
  if ((await readVersion(sm, secretId, token, AWSPENDING)) === undefined) {
    await sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: newGatewayToken(), VersionStages: [AWSPENDING] }));
  }
  await promote(sm, secretId, token, current);
  return { versionId: token, revokedVersionId: current };
}
