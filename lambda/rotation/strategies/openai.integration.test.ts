// OpenAI rotation: moto for Secrets Manager, a loopback imitation of the Admin API for OpenAI.
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../../test/support/moto";
import { needTools } from "../../../test/support/tools";
import { createHandler } from "../handler";
import { rotateNow } from "../operations";
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from "../protocol";
import { failNext } from "../testing/faults";
import { FakeOpenAiApi } from "../testing/fakeOpenAi";
import { createRotatingSecret, installStubRotationFunction, labels, runSteps, valueAt } from "../testing/motoRotation";
import { KEY_NAME_PREFIX, openAiStrategy } from "./openai";
import { parseProviderKey } from "./providerKey";

describe.skipIf(!needTools("moto_server"))("OpenAI key rotation on moto and a loopback Admin API", () => {
  let moto: MotoServer;
  let lambdaArn: string;
  let api: FakeOpenAiApi;
  let apiBase: string;

  beforeAll(async () => {
    moto = await startMoto();
    lambdaArn = await installStubRotationFunction(moto);
  });
  afterAll(async () => {
    await moto?.stop();
  });
  afterEach(async () => {
    await api?.stop();
  });

  async function setup(opts: { initial?: "json" | "bare"; adminKey?: string } = {}) {
    api = new FakeOpenAiApi(`proj_${randomUUID().slice(0, 8)}`, `svc_acct_${randomUUID().slice(0, 8)}`);
    apiBase = await api.start();
    const sm = new SecretsManagerClient(moto.clientConfig);
    const admin = await sm.send(new CreateSecretCommand({ Name: `openai-admin-${randomUUID()}`, SecretString: JSON.stringify({ apiKey: opts.adminKey ?? api.adminKey }) }));
    const k0 = api.mint("created by the operator");
    // Keys the rotation must never touch: another owner's key with our prefix, and an unprefixed one.
    const foreign = [api.mint(`${KEY_NAME_PREFIX}lookalike`, { type: "user", id: "user_1" }), api.mint("ci")];
    const initial = opts.initial === "bare" ? k0.value : JSON.stringify({ apiKey: k0.value, keyId: k0.id });
    const arn = await createRotatingSecret(sm, `openai-${randomUUID()}`, initial, lambdaArn);
    const logs: string[] = [];
    const strategy = openAiStrategy({ apiBase, projectId: api.projectId, serviceAccountId: api.serviceAccountId, adminKeySecretId: admin.ARN ?? "" });
    const handle = createHandler({ sm, strategy, log: (msg, fields) => logs.push(JSON.stringify({ msg, ...fields })) });
    const rotate = async () => {
      const { versionId } = await rotateNow(sm, arn);
      await runSteps(handle, arn, versionId);
      return versionId;
    };
    const keyAt = async (stage: string) => parseProviderKey((await valueAt(sm, arn, stage)) ?? "");
    return { sm, arn, k0, foreign, handle, logs, rotate, keyAt };
  }

  const liveIds = () => api.liveKeys().map((k) => k.id).sort();

  it("mints a key per rotation, tests it, and deletes the previous key one cycle later", async () => {
    const { k0, foreign, rotate, keyAt, logs, sm, arn } = await setup();
    const t1 = await rotate();
    const k1 = await keyAt(AWSCURRENT);
    expect(k1.keyId).toMatch(/^key_/);
    expect(api.keys.find((k) => k.id === k1.keyId)?.name).toBe(`${KEY_NAME_PREFIX}${t1}`);
    expect(api.keys.find((k) => k.id === k1.keyId)?.value).toBe(k1.apiKey);
    expect((await keyAt(AWSPREVIOUS)).keyId).toBe(k0.id);
    expect(liveIds()).toEqual([k0.id, k1.keyId, ...foreign.map((k) => k.id)].sort());
    expect(api.requests).toContain("GET /v1/models");

    await rotate();
    const k2 = await keyAt(AWSCURRENT);
    expect((await keyAt(AWSPREVIOUS)).keyId).toBe(k1.keyId);
    // k0 was AWSPREVIOUS when the second rotation finished: gone now; k1 still works for one cycle.
    expect(liveIds()).toEqual([k1.keyId, k2.keyId, ...foreign.map((k) => k.id)].sort());
    expect((await labels(sm, arn))[AWSPENDING]).toBeUndefined();

    const joined = logs.join("\n");
    expect(joined).toContain("retired the key from two rotations ago");
    for (const secret of [api.adminKey, k0.value, k1.apiKey, k2.apiKey]) expect(joined).not.toContain(secret);
  });

  it("a createSecret that minted but failed to store leaves no orphaned key after the retry", async () => {
    const { sm, arn, handle, k0, foreign, keyAt } = await setup();
    api.pageSize = 1; // the orphan sweep has to page through the list
    const { versionId: token } = await rotateNow(sm, arn);
    const undo = failNext(sm, "PutSecretValueCommand");
    await expect(runSteps(handle, arn, token, ["createSecret"])).rejects.toThrow(/injected failure/);
    undo();
    expect(api.liveKeys().filter((k) => k.name === `${KEY_NAME_PREFIX}${token}`)).toHaveLength(1);
    expect((await keyAt(AWSCURRENT)).keyId).toBe(k0.id);

    await runSteps(handle, arn, token);
    const k1 = await keyAt(AWSCURRENT);
    expect(api.liveKeys().filter((k) => k.name.startsWith(`${KEY_NAME_PREFIX}${token}`)).map((k) => k.id)).toEqual([k1.keyId]);
    expect(liveIds()).toEqual([k0.id, k1.keyId, ...foreign.map((k) => k.id)].sort());
  });

  it("a new key the API refuses fails testSecret without its value in the error, and the retry succeeds", async () => {
    const { sm, arn, handle, k0, keyAt } = await setup();
    const { versionId: token } = await rotateNow(sm, arn);
    await runSteps(handle, arn, token, ["createSecret", "setSecret"]);
    const pending = await keyAt(AWSPENDING);
    api.failNext("models", 401);
    const error = await handle({ Step: "testSecret", SecretId: arn, ClientRequestToken: token }).then(
      () => new Error("testSecret passed"),
      (e: unknown) => e as Error,
    );
    expect(error.message).toBe("OpenAI test of the new key (GET /models) failed: HTTP 401 (invalid_api_key, invalid_request_error)");
    expect(error.message).not.toContain(pending.apiKey);
    expect((await keyAt(AWSCURRENT)).keyId).toBe(k0.id);

    await runSteps(handle, arn, token);
    expect((await keyAt(AWSCURRENT)).keyId).toBe(pending.keyId);
  });

  it("a failed delete of the retiring key fails finishSecret without moving AWSCURRENT; a key already deleted by hand is fine", async () => {
    const { sm, arn, handle, k0, rotate, keyAt } = await setup();
    await rotate();
    const k1 = await keyAt(AWSCURRENT);
    const { versionId: token } = await rotateNow(sm, arn);
    await runSteps(handle, arn, token, ["createSecret", "setSecret", "testSecret"]);
    api.failNext("delete", 500);
    await expect(handle({ Step: "finishSecret", SecretId: arn, ClientRequestToken: token })).rejects.toThrow("OpenAI delete API key failed: HTTP 500 (server_error)");
    expect((await keyAt(AWSCURRENT)).keyId).toBe(k1.keyId);

    api.keys.find((k) => k.id === k0.id)!.deleted = true; // an operator deleted it in the dashboard meanwhile
    await runSteps(handle, arn, token);
    expect((await labels(sm, arn))[AWSCURRENT]).toEqual([token]);
    expect((await keyAt(AWSPREVIOUS)).keyId).toBe(k1.keyId);
  });

  it("a wrong admin key stops createSecret with the HTTP status, mints nothing and leaves the secret alone", async () => {
    const { sm, arn, handle, k0, keyAt } = await setup({ adminKey: "sk-admin-wrong" });
    const before = api.keys.length;
    const { versionId: token } = await rotateNow(sm, arn);
    await expect(handle({ Step: "createSecret", SecretId: arn, ClientRequestToken: token })).rejects.toThrow(
      "OpenAI list project API keys failed: HTTP 401 (invalid_api_key, invalid_request_error)",
    );
    expect(api.keys).toHaveLength(before);
    expect((await keyAt(AWSCURRENT)).keyId).toBe(k0.id);
  });

  it("a bare initial key (no id) rotates, and its retirement is left to a person, logged", async () => {
    const { rotate, k0, keyAt, logs } = await setup({ initial: "bare" });
    await rotate();
    expect((await keyAt(AWSPREVIOUS)).keyId).toBeUndefined();
    await rotate();
    expect(api.liveKeys().map((k) => k.id)).toContain(k0.id);
    expect(logs.join("\n")).toContain("delete it by hand");
    expect((await keyAt(AWSCURRENT)).keyId).toMatch(/^key_/);
  });
});
