// The Lambda entry point exactly as deployed: strategy and settings from env, AWS endpoints from
// the SDK's standard AWS_ENDPOINT_URL_* variables, run against moto's Secrets Manager and SSM.
import { ListCommandsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../test/support/moto";
import { needTools } from "../../test/support/tools";
import { DEFAULT_OPENAI_API_BASE, ROTATION_ENV, strategyConfigFromEnv } from "./config";
import { handler } from "./handler";
import { pickupCommandParameters } from "./host";
import { rotateNow } from "./operations";
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, STEPS } from "./protocol";
import { newGatewayToken } from "./strategies/gatewayToken";
import { createRotatingSecret, installStubRotationFunction, labels, valueAt } from "./testing/motoRotation";

const INSTANCE = "i-0abc1234def567890";
const DOCUMENT = "clawkeep-level1-gw-pickup";

describe("strategy config from env", () => {
  const E = ROTATION_ENV;
  it("reads each strategy with its settings and defaults", () => {
    expect(strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE, [E.pickupDocument]: DOCUMENT })).toEqual({
      kind: "gateway-token",
      instanceId: INSTANCE,
      pickupDocument: DOCUMENT,
      hostTimeoutSeconds: 120,
    });
    expect(strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE, [E.pickupDocument]: DOCUMENT, [E.hostTimeoutSeconds]: "300" })).toMatchObject({ hostTimeoutSeconds: 300 });
    const openai = { [E.strategy]: "openai", [E.openAiProjectId]: "proj_1", [E.openAiServiceAccountId]: "svc_1", [E.openAiAdminKeySecretArn]: "arn:admin" };
    expect(strategyConfigFromEnv(openai)).toEqual({ kind: "openai", apiBase: DEFAULT_OPENAI_API_BASE, projectId: "proj_1", serviceAccountId: "svc_1", adminKeySecretId: "arn:admin" });
    expect(strategyConfigFromEnv({ ...openai, [E.openAiApiBase]: "http://127.0.0.1:8080/v1" })).toMatchObject({ apiBase: "http://127.0.0.1:8080/v1" });
    expect(strategyConfigFromEnv({ [E.strategy]: "anthropic" })).toEqual({ kind: "anthropic" });
  });

  it("refuses what is missing or unsafe, naming the variable", () => {
    expect(() => strategyConfigFromEnv({})).toThrow(/CLAWKEEP_ROTATION_STRATEGY must be one of gateway-token, openai, anthropic/);
    expect(() => strategyConfigFromEnv({ [E.strategy]: "tag" })).toThrow(/must be one of/);
    expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token" })).toThrow(/CLAWKEEP_INSTANCE_ID is not set/);
    expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: "i-1; reboot" })).toThrow(/not an instance id/);
    expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE })).toThrow(/CLAWKEEP_PICKUP_DOCUMENT is not set/);
    // A shell document would let the function run any command on the host as root.
    for (const doc of ["AWS-RunShellScript", "clawkeep-level1-gw-gateway", "x-pickup"]) {
      expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE, [E.pickupDocument]: doc }), doc).toThrow(/not a kit pickup document/);
    }
    expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE, [E.pickupDocument]: DOCUMENT, [E.hostTimeoutSeconds]: "5" })).toThrow(/from 30 to 600/);
    const openai = { [E.strategy]: "openai", [E.openAiProjectId]: "proj_1", [E.openAiServiceAccountId]: "svc_1", [E.openAiAdminKeySecretArn]: "arn:admin" };
    expect(() => strategyConfigFromEnv({ ...openai, [E.openAiApiBase]: "http://api.example.com/v1" })).toThrow(/must use https/);
    expect(() => strategyConfigFromEnv({ ...openai, [E.openAiAdminKeySecretArn]: "" })).toThrow(/CLAWKEEP_OPENAI_ADMIN_KEY_SECRET_ARN is not set/);
  });
});

describe.skipIf(!needTools("moto_server"))("the deployed handler, unchanged, on moto", () => {
  let moto: MotoServer;
  let lambdaArn: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    lambdaArn = await installStubRotationFunction(moto);
    // The generic endpoint points nowhere: only the per-service variables lead to moto.
    Object.assign(process.env, moto.env, {
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_ENDPOINT_URL_SSM: moto.endpoint,
      [ROTATION_ENV.strategy]: "gateway-token",
      [ROTATION_ENV.instanceId]: INSTANCE,
      [ROTATION_ENV.pickupDocument]: DOCUMENT,
    });
  });
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  it("rotates the gateway token end to end through Secrets Manager and SSM Run Command", async () => {
    const sm = new SecretsManagerClient(moto.clientConfig);
    const initial = newGatewayToken();
    const arn = await createRotatingSecret(sm, `gateway-${randomUUID()}`, initial, lambdaArn);
    const initialVersion = (await labels(sm, arn))[AWSCURRENT]?.[0];
    const { versionId: token } = await rotateNow(sm, arn);

    for (const Step of STEPS) await handler({ Step, SecretId: arn, ClientRequestToken: token });
    await handler({ Step: "finishSecret", SecretId: arn, ClientRequestToken: token });

    const after = await labels(sm, arn);
    expect(after).toMatchObject({ [AWSCURRENT]: [token], [AWSPREVIOUS]: [initialVersion] });
    expect(after[AWSPENDING]).toBeUndefined();
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(initial);
    const { Commands = [] } = await new SSMClient(moto.clientConfig).send(new ListCommandsCommand({ InstanceId: INSTANCE }));
    expect(Commands.map((c) => c.DocumentName)).toEqual(Commands.map(() => DOCUMENT));
    expect(Commands.map((c) => c.Parameters)).toEqual(expect.arrayContaining([pickupCommandParameters(token, false, 120), pickupCommandParameters(token, true, 120)]));
    await expect(handler({ Step: "rollback", SecretId: arn, ClientRequestToken: token })).rejects.toThrow(/Invalid step/);
  });
});
