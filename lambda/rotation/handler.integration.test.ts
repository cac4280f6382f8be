// The Lambda entry point exactly as deployed: AWS endpoints from the SDK's standard
// AWS_ENDPOINT_URL_* variables, run against moto's Secrets Manager and SSM.
import { ListCommandsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../test/support/moto";
import { needTools } from "../../test/support/tools";
import { ROTATION_ENV } from "./config";
import { handler } from "./handler";
import { pickupCommandParameters } from "./host";
import { rotateNow } from "./operations";
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, STEPS } from "./protocol";
import { newGatewayToken } from "./strategies/gatewayToken";
import { createRotatingSecret, installStubRotationFunction, labels, valueAt } from "./testing/motoRotation";

const INSTANCE = "i-0abc1234def567890";
const DOCUMENT = "clawkeep-level1-gw-pickup";

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
