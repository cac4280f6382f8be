// The Lambda entry point (bundle handler "index.handler"). Clients take region, credentials and
// endpoint from the environment; the SDK honours AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM
// and AWS_ENDPOINT_URL (@smithy/core getEndpointFromConfig), so the same code runs against moto.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { strategyConfigFromEnv, type StrategyConfig } from "./config";
import { ssmHostPort } from "./host";
import { runRotationStep, type RotationDeps, type RotationEvent, type RotationStrategy, type StepOutcome } from "./protocol";
import { anthropicStrategy } from "./strategies/anthropic";
import { gatewayTokenStrategy } from "./strategies/gatewayToken";
import { openAiStrategy } from "./strategies/openai";

export function strategyFor(cfg: StrategyConfig, fetchImpl: typeof fetch = fetch): RotationStrategy {
  switch (cfg.kind) {
    case "gateway-token":
      return gatewayTokenStrategy(ssmHostPort({ ssm: new SSMClient({}), instanceId: cfg.instanceId, documentName: cfg.pickupDocument, timeoutSeconds: cfg.hostTimeoutSeconds }));
    case "openai":
      return openAiStrategy(cfg, fetchImpl);
    case "anthropic":
      return anthropicStrategy;
  }
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): RotationDeps {
  return { sm: new SecretsManagerClient({}), strategy: strategyFor(strategyConfigFromEnv(env)) };
}

export function createHandler(deps: RotationDeps): (event: RotationEvent) => Promise<StepOutcome> {
  return (event) => runRotationStep(deps, event);
}

let fromEnv: RotationDeps | undefined;

export async function handler(event: RotationEvent): Promise<void> {
  fromEnv ??= depsFromEnv();
  await runRotationStep(fromEnv, event);
}
