// The SSM host port: the command it sends, checked on moto's SSM through the real SDK.
import { ListCommandsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../test/support/moto";
import { needTools } from "../../test/support/tools";
import { ssmHostPort } from "./host";

const INSTANCE = "i-0123456789abcdef0";
const DOCUMENT = "clawkeep-level1-gw-pickup";

describe.skipIf(!needTools("moto_server"))("SSM host port on moto", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("sends the kit's pickup document (never AWS-RunShellScript) to the instance with only the version id and mode", async () => {
    const ssm = new SSMClient(moto.clientConfig);
    const host = ssmHostPort({ ssm, instanceId: INSTANCE, documentName: DOCUMENT, timeoutSeconds: 90, firstPollMs: 10 });
    const version = randomUUID();
    await host.install(version);
    await host.verify(version);
    const { Commands = [] } = await ssm.send(new ListCommandsCommand({ InstanceId: INSTANCE }));
    const sent = Commands.map((c) => ({ doc: c.DocumentName, instances: c.InstanceIds, params: c.Parameters, timeout: c.TimeoutSeconds }));
    expect(sent).toEqual(
      expect.arrayContaining([
        { doc: DOCUMENT, instances: [INSTANCE], params: { versionId: [version], mode: ["install"], executionTimeout: ["90"] }, timeout: 90 },
        { doc: DOCUMENT, instances: [INSTANCE], params: { versionId: [version], mode: ["test"], executionTimeout: ["90"] }, timeout: 90 },
      ]),
    );
    expect(Commands).toHaveLength(2);
  });
});
