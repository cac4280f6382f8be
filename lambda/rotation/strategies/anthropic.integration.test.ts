// Anthropic has no key-creation API: rotation refuses with the reason and leaves the secret as it was.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../../test/support/moto";
import { needTools } from "../../../test/support/tools";
import { createHandler } from "../handler";
import { rotateNow } from "../operations";
import { AWSCURRENT, AWSPENDING, RotationRefused } from "../protocol";
import { createRotatingSecret, installStubRotationFunction, labels, valueAt } from "../testing/motoRotation";
import { ANTHROPIC_REFUSAL, anthropicStrategy } from "./anthropic";

describe.skipIf(!needTools("moto_server"))("Anthropic key rotation on moto", () => {
  let moto: MotoServer;
  let lambdaArn: string;

  beforeAll(async () => {
    moto = await startMoto();
    lambdaArn = await installStubRotationFunction(moto);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("refuses to mint, says why, changes no value, and leaves nothing pending", async () => {
    const sm = new SecretsManagerClient(moto.clientConfig);
    const key = `sk-ant-api03-${randomUUID()}`;
    const arn = await createRotatingSecret(sm, `anthropic-${randomUUID()}`, key, lambdaArn);
    const before = (await labels(sm, arn))[AWSCURRENT];
    const handle = createHandler({ sm, strategy: anthropicStrategy, log: () => undefined });

    const { versionId: token } = await rotateNow(sm, arn);
    const error = await handle({ Step: "createSecret", SecretId: arn, ClientRequestToken: token }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RotationRefused);
    expect((error as Error).message).toBe(ANTHROPIC_REFUSAL);
    expect(ANTHROPIC_REFUSAL).toMatch(/no endpoint that creates an API key/);
    expect(ANTHROPIC_REFUSAL).toMatch(/put-secret-value/);

    expect((await labels(sm, arn))[AWSCURRENT]).toEqual(before);
    expect((await labels(sm, arn))[AWSPENDING]).toBeUndefined();
    expect(await valueAt(sm, arn, AWSCURRENT)).toBe(key);
    // Secrets Manager's retry of the refused rotation cannot act on it any more.
    await expect(handle({ Step: "setSecret", SecretId: arn, ClientRequestToken: token })).rejects.toThrow(/no stage for rotation|not set as AWSPENDING/);
    // Nothing looks in progress: the next scheduled attempt starts (and is refused) the same way.
    const next = await rotateNow(sm, arn);
    await expect(handle({ Step: "createSecret", SecretId: arn, ClientRequestToken: next.versionId })).rejects.toThrow(RotationRefused);
    expect(await valueAt(sm, arn, AWSCURRENT)).toBe(key);
  });
});
