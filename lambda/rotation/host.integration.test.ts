// The SSM host port: the command it sends, checked on moto's SSM through the real SDK.
import { ListCommandsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../test/support/moto";
import { needTools } from "../../test/support/tools";
import { pickupCommand, ssmHostPort } from "./host";

const INSTANCE = "i-0123456789abcdef0";

describe.skipIf(!needTools("moto_server"))("SSM host port on moto", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("sends AWS-RunShellScript to the instance with only the pickup command and version id", async () => {
    const ssm = new SSMClient(moto.clientConfig);
    const host = ssmHostPort({ ssm, instanceId: INSTANCE, timeoutSeconds: 90, firstPollMs: 10 });
    const version = randomUUID();
    await host.install(version);
    await host.verify(version);
    const { Commands = [] } = await ssm.send(new ListCommandsCommand({ InstanceId: INSTANCE }));
    const sent = Commands.map((c) => ({ doc: c.DocumentName, instances: c.InstanceIds, params: c.Parameters, timeout: c.TimeoutSeconds }));
    expect(sent).toEqual(
      expect.arrayContaining([
        { doc: "AWS-RunShellScript", instances: [INSTANCE], params: { commands: [pickupCommand(version, false)], executionTimeout: ["90"] }, timeout: 90 },
        { doc: "AWS-RunShellScript", instances: [INSTANCE], params: { commands: [pickupCommand(version, true)], executionTimeout: ["90"] }, timeout: 90 },
      ]),
    );
    expect(Commands).toHaveLength(2);
  });
});
