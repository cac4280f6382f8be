// Drives moto the way Secrets Manager drives a rotation function. moto cannot run our TypeScript
// Lambda, so a stub function stands in for it (moto's Docker-free Lambda backend records the call
// and does nothing); RotateSecret then creates the empty AWSPENDING placeholder exactly as the
// service does, and the test invokes our handler for the four steps with the same token.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import type { MotoServer } from "../../../test/support/moto";
import { zipFiles } from "../../zip";
import { AWSPENDING, STEPS, type RotationEvent, type Step, type StepOutcome } from "../protocol";

// moto routes unsigned requests by the service named in the credential scope; it checks no signature.
function motoAuth(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/** Creates the stand-in rotation function in moto and returns its ARN. */
export async function installStubRotationFunction(moto: MotoServer, name = "clawkeep-rotation"): Promise<string> {
  await moto.configure({ lambda: { use_docker: false } });
  const role = await fetch(moto.endpoint, {
    method: "POST",
    headers: { Authorization: motoAuth("iam"), "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      Action: "CreateRole",
      Version: "2010-05-08",
      RoleName: `${name}-role`,
      AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
    }).toString(),
  });
  const roleArn = /<Arn>([^<]+)<\/Arn>/.exec(await role.text())?.[1];
  if (!role.ok || !roleArn) throw new Error(`moto CreateRole failed: HTTP ${role.status}`);
  const fn = await fetch(`${moto.endpoint}/2015-03-31/functions`, {
    method: "POST",
    headers: { Authorization: motoAuth("lambda"), "Content-Type": "application/json" },
    body: JSON.stringify({
      FunctionName: name,
      Runtime: "nodejs22.x",
      Role: roleArn,
      Handler: "index.handler",
      Code: { ZipFile: zipFiles([{ name: "index.js", data: Buffer.from("exports.handler = async () => {};") }]).toString("base64") },
    }),
  });
  const arn = ((await fn.json()) as { FunctionArn?: string }).FunctionArn;
  if (!fn.ok || !arn) throw new Error(`moto CreateFunction failed: HTTP ${fn.status}`);
  return arn;
}

/**
 * A secret with rotation configured and nothing pending. The service would rotate at once; here the
 * first placeholder is taken back so each test starts from one AWSCURRENT version.
 */
export async function createRotatingSecret(sm: SecretsManagerClient, name: string, value: string, lambdaArn: string): Promise<string> {
  const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  const first = await sm.send(
    new RotateSecretCommand({
      SecretId: name,
      RotationLambdaARN: lambdaArn,
      RotationRules: { AutomaticallyAfterDays: 30 },
      RotateImmediately: true,
      ClientRequestToken: randomUUID(),
    }),
  );
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: AWSPENDING, RemoveFromVersionId: first.VersionId }));
  if (!created.ARN) throw new Error("CreateSecret returned no ARN");
  return created.ARN;
}

/** Which version holds each label (AWSCURRENT, AWSPENDING, AWSPREVIOUS, ...). */
export async function labels(sm: SecretsManagerClient, secretId: string): Promise<Record<string, string[]>> {
  const meta = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  const byLabel: Record<string, string[]> = {};
  for (const [versionId, stages] of Object.entries(meta.VersionIdsToStages ?? {})) {
    for (const stage of stages) (byLabel[stage] ??= []).push(versionId);
  }
  return byLabel;
}

export async function valueAt(sm: SecretsManagerClient, secretId: string, stage: string): Promise<string | undefined> {
  return (await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }))).SecretString;
}

export async function runSteps(
  handle: (event: RotationEvent) => Promise<StepOutcome>,
  secretId: string,
  token: string,
  steps: readonly Step[] = STEPS,
): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  for (const step of steps) outcomes.push(await handle({ Step: step, SecretId: secretId, ClientRequestToken: token }));
  return outcomes;
}
