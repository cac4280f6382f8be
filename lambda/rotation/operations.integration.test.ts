// Operator actions on moto: "rotate now" needs configured rotation; "revoke" makes a fresh token
// AWSCURRENT at once, keeps the replaced one retrievable as AWSPREVIOUS, and is safe to repeat.
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../test/support/moto";
import { needTools } from "../../test/support/tools";
import { createHandler } from "./handler";
import { revokeGatewayToken, rotateNow } from "./operations";
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from "./protocol";
import { gatewayTokenStrategy, newGatewayToken } from "./strategies/gatewayToken";
import { failNext } from "./testing/faults";
import { FakeGatewayHost } from "./testing/fakeHost";
import { createRotatingSecret, installStubRotationFunction, labels, runSteps, valueAt } from "./testing/motoRotation";

describe.skipIf(!needTools("moto_server"))("rotate now and revoke on moto", () => {
  let moto: MotoServer;
  let lambdaArn: string;
  let sm: SecretsManagerClient;

  beforeAll(async () => {
    moto = await startMoto();
    lambdaArn = await installStubRotationFunction(moto);
    sm = new SecretsManagerClient(moto.clientConfig);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("rotateNow refuses a secret without rotation configured, and creates the placeholder on one that has it", async () => {
    const plain = `plain-${randomUUID()}`;
    await sm.send(new CreateSecretCommand({ Name: plain, SecretString: newGatewayToken() }));
    await expect(rotateNow(sm, plain)).rejects.toThrow(/has no rotation configured/);
    expect((await labels(sm, plain))[AWSPENDING]).toBeUndefined();

    const arn = await createRotatingSecret(sm, `gw-${randomUUID()}`, newGatewayToken(), lambdaArn);
    const token = randomUUID();
    const { versionId } = await rotateNow(sm, arn, { clientRequestToken: token });
    expect(versionId).toBe(token);
    expect((await labels(sm, arn))[AWSPENDING]).toEqual([token]);
    // The placeholder is empty until createSecret runs, as on the service.
    await expect(valueAt(sm, arn, AWSPENDING)).rejects.toThrow(/can't find the specified secret value/);
  });

  it("revoke puts a fresh random token as AWSCURRENT at once, keeps the old one as AWSPREVIOUS, and repeats safely", async () => {
    const leaked = newGatewayToken();
    const arn = await createRotatingSecret(sm, `gw-${randomUUID()}`, leaked, lambdaArn);
    const leakedVersion = (await labels(sm, arn))[AWSCURRENT]?.[0];
    const token = randomUUID();

    const first = await revokeGatewayToken(sm, arn, { clientRequestToken: token });
    expect(first).toEqual({ versionId: token, revokedVersionId: leakedVersion });
    const fresh = await valueAt(sm, arn, AWSCURRENT);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(leaked);
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(leaked);
    expect((await labels(sm, arn))[AWSPENDING]).toBeUndefined();

    expect(await revokeGatewayToken(sm, arn, { clientRequestToken: token })).toEqual(first);
    expect(await valueAt(sm, arn, AWSCURRENT)).toBe(fresh);
    expect(await labels(sm, arn)).toMatchObject({ [AWSCURRENT]: [token], [AWSPREVIOUS]: [leakedVersion] });
  });

  it("revoke finishes on a retry after failing halfway", async () => {
    const leaked = newGatewayToken();
    const arn = await createRotatingSecret(sm, `gw-${randomUUID()}`, leaked, lambdaArn);
    const token = randomUUID();
    const failing = new SecretsManagerClient(moto.clientConfig);
    failNext(failing, "UpdateSecretVersionStageCommand");
    await expect(revokeGatewayToken(failing, arn, { clientRequestToken: token })).rejects.toThrow(/injected failure/);
    expect(await valueAt(sm, arn, AWSCURRENT)).toBe(leaked);

    await revokeGatewayToken(failing, arn, { clientRequestToken: token });
    expect((await labels(sm, arn))[AWSCURRENT]).toEqual([token]);
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(leaked);
    expect((await labels(sm, arn))[AWSPENDING]).toBeUndefined();
  });

  it("revoke wins over a rotation in flight, and rotation works again afterwards", async () => {
    const leaked = newGatewayToken();
    const arn = await createRotatingSecret(sm, `gw-${randomUUID()}`, leaked, lambdaArn);
    const host = new FakeGatewayHost(sm, arn);
    const handle = createHandler({ sm, strategy: gatewayTokenStrategy(host), log: () => undefined });
    const { versionId: inFlight } = await rotateNow(sm, arn);
    await runSteps(handle, arn, inFlight, ["createSecret"]);

    const { versionId: revoked } = await revokeGatewayToken(sm, arn);
    expect((await labels(sm, arn))[AWSCURRENT]).toEqual([revoked]);
    expect((await labels(sm, arn))[AWSPENDING]).toBeUndefined();
    await expect(handle({ Step: "setSecret", SecretId: arn, ClientRequestToken: inFlight })).rejects.toThrow(/not set as AWSPENDING/);

    const { versionId: next } = await rotateNow(sm, arn);
    await host.boot(revoked);
    await runSteps(handle, arn, next);
    expect(await labels(sm, arn)).toMatchObject({ [AWSCURRENT]: [next], [AWSPREVIOUS]: [revoked] });
    expect(host.accepts(await valueAt(sm, arn, AWSCURRENT))).toBe(true);
  });
});
