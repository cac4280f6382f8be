// The four-step protocol against a real Secrets Manager API (moto on loopback) through the real SDK,
// with the gateway-token strategy and a fake host whose one-token gateway reads from moto.
import { PutSecretValueCommand, CreateSecretCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../test/support/moto";
import { needTools } from "../../test/support/tools";
import { createHandler } from "./handler";
import { rotateNow } from "./operations";
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, type Step } from "./protocol";
import { gatewayTokenStrategy, newGatewayToken } from "./strategies/gatewayToken";
import { failNext } from "./testing/faults";
import { FakeGatewayHost, type HostFault } from "./testing/fakeHost";
import { createRotatingSecret, installStubRotationFunction, labels, runSteps, valueAt } from "./testing/motoRotation";

describe.skipIf(!needTools("moto_server"))("rotation protocol on moto (gateway token)", () => {
  let moto: MotoServer;
  let lambdaArn: string;

  beforeAll(async () => {
    moto = await startMoto();
    lambdaArn = await installStubRotationFunction(moto);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  async function rotatingGatewaySecret() {
    const sm = new SecretsManagerClient(moto.clientConfig);
    const initial = newGatewayToken();
    const arn = await createRotatingSecret(sm, `gateway-${randomUUID()}`, initial, lambdaArn);
    const initialVersion = (await labels(sm, arn))[AWSCURRENT]?.[0];
    if (!initialVersion) throw new Error("no AWSCURRENT version");
    const host = new FakeGatewayHost(sm, arn);
    await host.boot(initialVersion);
    const logs: string[] = [];
    const handle = createHandler({
      sm,
      strategy: gatewayTokenStrategy(host),
      log: (msg, fields) => logs.push(JSON.stringify({ msg, ...fields })),
    });
    return { sm, arn, initial, initialVersion, host, handle, logs };
  }

  it("a full rotation moves AWSCURRENT, AWSPENDING and AWSPREVIOUS and switches the gateway", async () => {
    const { sm, arn, initial, initialVersion, host, handle, logs } = await rotatingGatewaySecret();
    const { versionId: token } = await rotateNow(sm, arn);
    expect(await labels(sm, arn)).toMatchObject({ [AWSCURRENT]: [initialVersion], [AWSPENDING]: [token] });

    expect(await runSteps(handle, arn, token)).toEqual(["created", "set", "tested", "finished"]);

    const after = await labels(sm, arn);
    expect(after[AWSCURRENT]).toEqual([token]);
    expect(after[AWSPREVIOUS]).toEqual([initialVersion]);
    expect(after[AWSPENDING]).toBeUndefined();
    const rotated = await valueAt(sm, arn, AWSCURRENT);
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated).not.toBe(initial);
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(initial);
    expect(host.accepts(rotated)).toBe(true);
    expect(host.accepts(initial)).toBe(false);
    expect(host.calls).toEqual([`install ${token}`, `verify ${token}`]);

    // The next rotation starts cleanly (nothing looks in progress) and shifts AWSPREVIOUS along.
    const { versionId: second } = await rotateNow(sm, arn);
    await runSteps(handle, arn, second);
    expect(await labels(sm, arn)).toMatchObject({ [AWSCURRENT]: [second], [AWSPREVIOUS]: [token] });
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(rotated);

    const joined = logs.join("\n");
    expect(joined).toContain("AWSCURRENT moved");
    for (const value of [initial, rotated, await valueAt(sm, arn, AWSCURRENT)]) expect(joined).not.toContain(value);
  });

  it("repeating any step, and every step after the end, is harmless", async () => {
    const { sm, arn, initial, initialVersion, host, handle } = await rotatingGatewaySecret();
    const { versionId: token } = await rotateNow(sm, arn);

    expect(await runSteps(handle, arn, token, ["createSecret"])).toEqual(["created"]);
    const pending = (await valueAt(sm, arn, AWSPENDING)) ?? "";
    const twice = (step: Step): Step[] => [step, step];
    expect(await runSteps(handle, arn, token, twice("createSecret"))).toEqual(["pending-exists", "pending-exists"]);
    expect(await valueAt(sm, arn, AWSPENDING)).toBe(pending);
    expect(await runSteps(handle, arn, token, twice("setSecret"))).toEqual(["set", "set"]);
    expect(await runSteps(handle, arn, token, twice("testSecret"))).toEqual(["tested", "tested"]);
    expect(await runSteps(handle, arn, token, twice("finishSecret"))).toEqual(["finished", "already-current"]);
    // A late retry of the whole rotation finds the version already current.
    expect(await runSteps(handle, arn, token)).toEqual(["already-current", "already-current", "already-current", "already-current"]);

    expect(await labels(sm, arn)).toMatchObject({ [AWSCURRENT]: [token], [AWSPREVIOUS]: [initialVersion] });
    expect((await labels(sm, arn))[AWSPENDING]).toBeUndefined();
    expect(await valueAt(sm, arn, AWSCURRENT)).toBe(pending);
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(initial);
    expect(host.accepts(pending)).toBe(true);
  });

  type Injection = { step: Step; inject: (sm: SecretsManagerClient, host: FakeGatewayHost) => void; currentMovedBeforeFailure?: boolean };
  const hostFault = (fault: HostFault) => (_sm: SecretsManagerClient, host: FakeGatewayHost) => host.failNext(fault);
  const injections: Record<string, Injection> = {
    "createSecret (PutSecretValue fails)": { step: "createSecret", inject: (sm) => failNext(sm, "PutSecretValueCommand") },
    "setSecret (host unreachable)": { step: "setSecret", inject: hostFault("install-before-applying") },
    "setSecret (host took the token, then failed)": { step: "setSecret", inject: hostFault("install-after-applying") },
    "testSecret (gateway refuses the new token)": { step: "testSecret", inject: hostFault("verify") },
    "finishSecret (moving AWSCURRENT fails)": { step: "finishSecret", inject: (sm) => failNext(sm, "UpdateSecretVersionStageCommand") },
    "finishSecret (AWSCURRENT moved, clearing AWSPENDING fails)": {
      step: "finishSecret",
      inject: (sm) => failNext(sm, "UpdateSecretVersionStageCommand", { skip: 1 }),
      currentMovedBeforeFailure: true,
    },
  };

  it.each(Object.entries(injections))("a failure in %s leaves AWSCURRENT valid and the retry succeeds", async (_name, injection) => {
    const { sm, arn, initial, initialVersion, host, handle } = await rotatingGatewaySecret();
    const { versionId: token } = await rotateNow(sm, arn);
    const steps: Step[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];
    const failing = steps.indexOf(injection.step);
    await runSteps(handle, arn, token, steps.slice(0, failing));
    injection.inject(sm, host);
    await expect(handle({ Step: injection.step, SecretId: arn, ClientRequestToken: token })).rejects.toThrow();

    // Whatever version is AWSCURRENT holds a value and is the token the gateway accepts.
    const current = await valueAt(sm, arn, AWSCURRENT);
    expect(host.accepts(current)).toBe(true);
    if (injection.currentMovedBeforeFailure) {
      expect((await labels(sm, arn))[AWSCURRENT]).toEqual([token]);
    } else {
      expect(current).toBe(initial);
      expect(await labels(sm, arn)).toMatchObject({ [AWSCURRENT]: [initialVersion], [AWSPENDING]: [token] });
    }

    // Secrets Manager retries the whole rotation with the same token.
    await runSteps(handle, arn, token);
    const after = await labels(sm, arn);
    expect(after[AWSCURRENT]).toEqual([token]);
    expect(after[AWSPREVIOUS]).toEqual([initialVersion]);
    expect(after[AWSPENDING]).toBeUndefined();
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(initial);
    const rotated = await valueAt(sm, arn, AWSCURRENT);
    expect(rotated).not.toBe(initial);
    expect(host.accepts(rotated)).toBe(true);
    expect(host.accepts(initial)).toBe(false);
  });

  it("refuses a secret whose rotation is not enabled, and changes nothing", async () => {
    const sm = new SecretsManagerClient(moto.clientConfig);
    const name = `plain-${randomUUID()}`;
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: newGatewayToken() }));
    const token = randomUUID();
    await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token, SecretString: newGatewayToken(), VersionStages: [AWSPENDING] }));
    const before = await labels(sm, name);
    const host = new FakeGatewayHost(sm, name);
    const handle = createHandler({ sm, strategy: gatewayTokenStrategy(host), log: () => undefined });
    for (const Step of ["createSecret", "setSecret", "testSecret", "finishSecret"]) {
      await expect(handle({ Step, SecretId: name, ClientRequestToken: token })).rejects.toThrow(/is not enabled for rotation/);
    }
    expect(await labels(sm, name)).toEqual(before);
    expect(host.calls).toEqual([]);
  });

  it("rejects an unknown step, a token with no stage, a token that is not AWSPENDING and an unsafe token", async () => {
    const { sm, arn, initialVersion, host, handle } = await rotatingGatewaySecret();
    const { versionId: token } = await rotateNow(sm, arn);
    await expect(handle({ Step: "deleteSecret", SecretId: arn, ClientRequestToken: token })).rejects.toThrow(/Invalid step parameter "deleteSecret"/);
    await expect(handle({ Step: "", SecretId: arn, ClientRequestToken: token })).rejects.toThrow(/Invalid step/);
    await expect(handle({ Step: "createSecret", SecretId: arn, ClientRequestToken: randomUUID() })).rejects.toThrow(/has no stage for rotation/);
    await runSteps(handle, arn, token);
    // The replaced version is AWSPREVIOUS now, not AWSPENDING.
    await expect(handle({ Step: "setSecret", SecretId: arn, ClientRequestToken: initialVersion })).rejects.toThrow(/not set as AWSPENDING/);
    const injection = `${"a".repeat(30)};reboot`;
    await expect(handle({ Step: "createSecret", SecretId: arn, ClientRequestToken: injection })).rejects.toThrow(/ClientRequestToken must be/);
    expect(host.calls).toEqual([`install ${token}`, `verify ${token}`]);
  });

  it("a stalled rotation blocks rotateNow until abandoned, and its token can no longer act", async () => {
    const { sm, arn, initial, initialVersion, host, handle } = await rotatingGatewaySecret();
    const { versionId: stalled } = await rotateNow(sm, arn);
    host.failNext("install-before-applying");
    await expect(runSteps(handle, arn, stalled)).rejects.toThrow(/host unreachable/);
    expect((await labels(sm, arn))[AWSPENDING]).toEqual([stalled]);

    await expect(rotateNow(sm, arn)).rejects.toThrow(/still pending on version/);
    const { versionId: fresh, abandonedVersionIds } = await rotateNow(sm, arn, { abandonStalledRotation: true });
    expect(abandonedVersionIds).toEqual([stalled]);
    await expect(handle({ Step: "setSecret", SecretId: arn, ClientRequestToken: stalled })).rejects.toThrow(/has no stage for rotation|not set as AWSPENDING/);

    await runSteps(handle, arn, fresh);
    const after = await labels(sm, arn);
    expect(after).toMatchObject({ [AWSCURRENT]: [fresh], [AWSPREVIOUS]: [initialVersion] });
    expect(after[AWSPENDING]).toBeUndefined();
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(initial);
    expect(host.accepts(await valueAt(sm, arn, AWSCURRENT))).toBe(true);
  });

  it("createSecret removes an AWSPENDING left on another version (a store that allowed two)", async () => {
    const { sm, arn, handle } = await rotatingGatewaySecret();
    const { versionId: old } = await rotateNow(sm, arn);
    await runSteps(handle, arn, old, ["createSecret"]);
    const { versionId: token } = await rotateNow(sm, arn, { abandonStalledRotation: true });
    // moto lets a label be attached without RemoveFromVersionId; AWS would refuse.
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: AWSPENDING, MoveToVersionId: old }));
    expect((await labels(sm, arn))[AWSPENDING]?.sort()).toEqual([old, token].sort());

    await runSteps(handle, arn, token);
    const after = await labels(sm, arn);
    expect(after[AWSCURRENT]).toEqual([token]);
    expect(after[AWSPENDING]).toBeUndefined();
  });

  it("a configuration test on the empty placeholder changes nothing, and an empty version is never promoted", async () => {
    const { sm, arn, initial, initialVersion, host, handle } = await rotatingGatewaySecret();
    const { versionId: token } = await rotateNow(sm, arn);
    expect(await runSteps(handle, arn, token, ["testSecret"])).toEqual(["configuration-checked"]);
    await expect(handle({ Step: "setSecret", SecretId: arn, ClientRequestToken: token })).rejects.toThrow(/has no value; createSecret has not run/);
    await expect(handle({ Step: "finishSecret", SecretId: arn, ClientRequestToken: token })).rejects.toThrow(/has no value/);
    expect(await labels(sm, arn)).toMatchObject({ [AWSCURRENT]: [initialVersion], [AWSPENDING]: [token] });
    expect(await valueAt(sm, arn, AWSCURRENT)).toBe(initial);
    expect(host.calls).toEqual([]);
  });
});
