// The integration tier's shared moto: one server per worker, and every startMoto() hands it over as a
// fresh server would be, whatever the file before it left behind.
import { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { SHARED_MOTO_ENV, motoSettings, startMoto } from "./moto";
import { needTools } from "./tools";

describe.skipIf(!needTools("moto_server"))("the worker's shared moto server", () => {
  it("is this worker's server, reset to a fresh server's state: no resources, IAM not enforced, settings as at start", async () => {
    const first = await startMoto();
    const endpoints = (process.env[SHARED_MOTO_ENV.endpoints] ?? "").split(",");
    expect(endpoints).toContain(first.endpoint);
    const fresh = await motoSettings(first.endpoint);
    const sm = new SecretsManagerClient(first.clientConfig);
    await sm.send(new CreateSecretCommand({ Name: "left-behind", SecretString: "x" }));
    await first.configure({ lambda: { use_docker: false } });
    // What audit-iam does: every call from now on needs a real IAM identity.
    await fetch(`${first.endpoint}/moto-api/reset-auth`, { method: "POST", body: "0" });
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toThrow();
    await first.stop();

    const next = await startMoto();
    expect(next.endpoint).toBe(first.endpoint);
    expect((await new SecretsManagerClient(next.clientConfig).send(new ListSecretsCommand({}))).SecretList).toEqual([]);
    expect(await motoSettings(next.endpoint)).toBe(fresh);
    await next.stop();
  });
});
