// `npm run rotate` and `npm run revoke` against moto, through the real AWS SDK and the real CLI process.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListCommandsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRotatingSecret, installStubRotationFunction, labels } from "../lambda/rotation/testing/motoRotation";
import { tokenSecretName } from "../components/base/names";
import { startMoto, type MotoServer } from "./support/moto";
import { needTools } from "./support/tools";

const ROOT = path.join(__dirname, "..");
const HAS_MOTO = needTools("moto_server");

// Each test runs `npm run rotate`/`revoke` as a process (tsx; killed after 60 s) against moto.
describe.skipIf(!HAS_MOTO)("operator credential commands on moto", { timeout: 90_000 }, () => {
  let moto: MotoServer;
  let sm: SecretsManagerClient;
  let ssm: SSMClient;
  const secretId = tokenSecretName("level1", "gw");
  const oldToken = "A".repeat(43);

  const run = (...args: string[]) => {
    const r = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["ops/cli.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, ...moto.env },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(async () => {
    moto = await startMoto();
    sm = new SecretsManagerClient(moto.clientConfig);
    ssm = new SSMClient(moto.clientConfig);
    const fn = await installStubRotationFunction(moto);
    await createRotatingSecret(sm, secretId, oldToken, fn);
  });
  afterAll(async () => moto?.stop());

  it("revoke stops the gateway on the cell's host and replaces the token at once", async () => {
    const r = run("revoke", "--stack", "level1");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^revoked: gateway stop sent \(SSM command [\w-]+\); token version [\w-]+ replaced by [\w-]+\n$/);
    const current = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: "AWSCURRENT" }));
    expect(current.SecretString).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(current.SecretString).not.toBe(oldToken);
    const previous = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: "AWSPREVIOUS" }));
    expect(previous.SecretString).toBe(oldToken);
    expect(r.out).not.toContain(current.SecretString as string);
    const cmds = await ssm.send(new ListCommandsCommand({}));
    const stop = cmds.Commands?.find((c) => c.Comment?.startsWith("clawkeep revoke"));
    // The cell's own gateway document, never a shell document; its only parameter is the action.
    expect(stop?.DocumentName).toBe("clawkeep-level1-gw-gateway");
    expect(stop?.Parameters).toEqual({ action: ["stop"] });
    expect(stop?.Targets).toEqual([
      { Key: "tag:clawkeep:stack", Values: ["level1"] },
      { Key: "tag:clawkeep:cell", Values: ["gw"] },
    ]);
  });

  it("rotate starts a rotation through the configured function", async () => {
    const before = await labels(sm, secretId);
    const r = run("rotate", "--stack", "level1", "--secret", "gateway-token");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^rotation of clawkeep\/level1\/gw\/gateway-token started: new version [\w-]+/);
    const after = await labels(sm, secretId);
    expect(Object.keys(after).length).toBeGreaterThan(Object.keys(before).length);
  });

  it("refuses bad input with exit 2 and a named problem", () => {
    expect(run("rotate", "--stack", "level1", "--secret", "ssh-key")).toMatchObject({ code: 2, err: expect.stringMatching(/--secret got "ssh-key"; allowed: gateway-token, anthropic-api-key/) });
    expect(run("revoke", "--stack", "nope")).toMatchObject({ code: 2, err: expect.stringMatching(/one of level0, level1, level2, level3/) });
    expect(run("revoke", "--stack", "level1", "--force")).toMatchObject({ code: 2, err: expect.stringMatching(/unknown flag --force/) });
  });

  it("exits 1 when AWS refuses, e.g. a secret that does not exist", () => {
    const r = run("rotate", "--stack", "level0", "--secret", "anthropic-api-key");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error: .*(can't find|not find|ResourceNotFound)/i);
  });
});
