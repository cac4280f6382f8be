// The deployable artifact: built from source, a valid deterministic zip, small, and able to run a
// rotation against moto from a directory with no node_modules (the AWS SDK is inside the bundle).
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../test/support/moto";
import { needTools } from "../test/support/tools";
import { buildRotationBundle, type FunctionBundle } from "./build";
import { ROTATION_ENV } from "./rotation/config";
import { rotateNow } from "./rotation/operations";
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, STEPS } from "./rotation/protocol";
import { newGatewayToken } from "./rotation/strategies/gatewayToken";
import { createRotatingSecret, installStubRotationFunction, labels, valueAt } from "./rotation/testing/motoRotation";
import { zipFiles } from "./zip";

const readZip = (zipPath: string): Array<[string, number, string]> =>
  JSON.parse(
    execFileSync("python3", [
      "-c",
      "import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n" +
        "print(json.dumps([[i.filename, i.file_size, oct(i.external_attr >> 16)] for i in z.infolist()]))",
      zipPath,
    ]).toString(),
  );

describe.skipIf(!needTools("python3"))("zip writer", () => {
  it("writes entries Python's zipfile reads back byte for byte", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-zip-"));
    const entries = [
      { name: "index.js", data: Buffer.from("exports.handler = async () => 1;\n".repeat(100)) },
      { name: "lib/empty.txt", data: Buffer.alloc(0) },
      { name: "random.bin", data: Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)) },
    ];
    const zipPath = path.join(dir, "t.zip");
    fs.writeFileSync(zipPath, zipFiles(entries));
    expect(readZip(zipPath)).toEqual(entries.map((e) => [e.name, e.data.length, "0o100644"]));
    const roundTrip = execFileSync("python3", ["-c", "import sys,zipfile\nsys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read('random.bin'))", zipPath]);
    expect(Buffer.compare(roundTrip, entries[2]!.data)).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });
});

describe.skipIf(!needTools("python3", "moto_server"))("rotation bundle", () => {
  let out: string;
  let bundle: FunctionBundle;
  let moto: MotoServer;

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-bundle-"));
    [bundle, moto] = await Promise.all([buildRotationBundle(out), startMoto()]);
  });
  afterAll(async () => {
    await moto?.stop();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it("is one minified index.js in a small, deterministic zip", async () => {
    expect(readZip(bundle.zipPath)).toEqual([["index.js", bundle.bundleBytes, "0o100644"]]);
    expect(fs.statSync(bundle.zipPath).size).toBe(bundle.bytes);
    expect(bundle.bytes).toBeLessThan(1_000_000);
    const js = fs.readFileSync(path.join(bundle.dir, "index.js"), "utf8");
    expect(js.split("\n").length).toBeLessThan(50);
    // Only Node built-ins stay external; the one other match is text in an SDK error message (SigV4a CRT hint).
    const external = new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((m) => !m?.startsWith("node:")));
    expect([...external]).toEqual(["@aws-sdk/signature-v4-crt"]);
    const again = await buildRotationBundle(fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-bundle-")));
    expect(fs.readFileSync(again.zipPath).equals(fs.readFileSync(bundle.zipPath))).toBe(true);
    fs.rmSync(path.dirname(again.zipPath), { recursive: true });
  });

  it("runs a full rotation against moto from a directory without node_modules", async () => {
    const lambdaArn = await installStubRotationFunction(moto);
    const sm = new SecretsManagerClient(moto.clientConfig);
    const initial = newGatewayToken();
    const arn = await createRotatingSecret(sm, `gateway-${randomUUID()}`, initial, lambdaArn);
    const initialVersion = (await labels(sm, arn))[AWSCURRENT]?.[0];
    const { versionId: token } = await rotateNow(sm, arn);

    // The bundle from the zip, as Lambda would unpack it, run by a plain node process.
    const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-unpacked-"));
    execFileSync("python3", ["-c", "import sys,zipfile\nzipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", bundle.zipPath, unpacked]);
    const script = `const { handler } = require("./index.js");
      (async () => { for (const Step of ${JSON.stringify(STEPS)}) await handler({ Step, SecretId: process.argv[1], ClientRequestToken: process.argv[2] }); })()
        .catch((e) => { console.error(e.message); process.exit(1); });`;
    const env = { PATH: process.env.PATH ?? "", ...moto.env, [ROTATION_ENV.strategy]: "gateway-token", [ROTATION_ENV.instanceId]: "i-0abc1234def567890", [ROTATION_ENV.pickupDocument]: "clawkeep-level1-gw-pickup" };
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ["-e", script, arn, token], { cwd: unpacked, env, stdio: ["ignore", "ignore", "inherit"] });
      child.on("exit", resolve);
    });
    fs.rmSync(unpacked, { recursive: true });
    expect(code).toBe(0);
    const after = await labels(sm, arn);
    expect(after).toMatchObject({ [AWSCURRENT]: [token], [AWSPREVIOUS]: [initialVersion] });
    expect(after[AWSPENDING]).toBeUndefined();
    expect(await valueAt(sm, arn, AWSPREVIOUS)).toBe(initial);
  });
});
