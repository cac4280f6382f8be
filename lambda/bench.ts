// Figures for `npm run bench`: the rotation function's bundle size, and the median wall time of a full
// gateway-token rotation (RotateSecret, then the four steps through SSM Run Command) against moto.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startMoto } from "../test/support/moto";
import { buildRotationBundle } from "./build";
import { createHandler } from "./rotation/handler";
import { ssmHostPort } from "./rotation/host";
import { rotateNow } from "./rotation/operations";
import { gatewayTokenStrategy, newGatewayToken } from "./rotation/strategies/gatewayToken";
import { createRotatingSecret, installStubRotationFunction, runSteps } from "./rotation/testing/motoRotation";

export interface RotationBench {
  readonly zipBytes: number;
  readonly bundleBytes: number;
  readonly rotationMs: readonly number[];
  readonly medianMs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export async function benchRotation(runs = 5): Promise<RotationBench> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-bench-"));
  const moto = await startMoto();
  try {
    const bundle = await buildRotationBundle(out, { cache: false });
    const lambdaArn = await installStubRotationFunction(moto);
    const sm = new SecretsManagerClient(moto.clientConfig);
    const host = ssmHostPort({ ssm: new SSMClient(moto.clientConfig), instanceId: "i-0abc1234def567890", documentName: "clawkeep-bench-gw-pickup", timeoutSeconds: 120 });
    const handle = createHandler({ sm, strategy: gatewayTokenStrategy(host), log: () => undefined });
    const arn = await createRotatingSecret(sm, `bench-${randomUUID()}`, newGatewayToken(), lambdaArn);
    const rotationMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const { versionId } = await rotateNow(sm, arn);
      await runSteps(handle, arn, versionId);
      rotationMs.push(Math.round(performance.now() - started));
    }
    return { zipBytes: bundle.bytes, bundleBytes: bundle.bundleBytes, rotationMs, medianMs: median(rotationMs) };
  } finally {
    await moto.stop();
    fs.rmSync(out, { recursive: true, force: true });
  }
}
