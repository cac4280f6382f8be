// Which strategy a rotation function runs, and its settings, from the function's environment.
// Chosen by env var, not by a tag on the secret: anyone allowed to tag a secret could otherwise
// switch the code path, and one function per secret keeps each role and invoke permission narrow.
import { RotationError } from "./protocol";
import type { OpenAiRotationConfig } from "./strategies/openai";

export const ROTATION_ENV = {
  strategy: "CLAWKEEP_ROTATION_STRATEGY",
  instanceId: "CLAWKEEP_INSTANCE_ID",
  /** The cell's kit-owned pickup document (clawkeep-<stack>-<cell>-pickup): the only command the function sends. */
  pickupDocument: "CLAWKEEP_PICKUP_DOCUMENT",
  hostTimeoutSeconds: "CLAWKEEP_HOST_TIMEOUT_SECONDS",
  openAiAdminKeySecretArn: "CLAWKEEP_OPENAI_ADMIN_KEY_SECRET_ARN",
  openAiProjectId: "CLAWKEEP_OPENAI_PROJECT_ID",
  openAiServiceAccountId: "CLAWKEEP_OPENAI_SERVICE_ACCOUNT_ID",
  openAiApiBase: "CLAWKEEP_OPENAI_API_BASE",
} as const;

export const STRATEGY_NAMES = ["gateway-token", "openai", "anthropic"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export const DEFAULT_OPENAI_API_BASE = "https://api.openai.com/v1";
export const DEFAULT_HOST_TIMEOUT_SECONDS = 120;

export type StrategyConfig =
  | { kind: "gateway-token"; instanceId: string; pickupDocument: string; hostTimeoutSeconds: number }
  | ({ kind: "openai" } & OpenAiRotationConfig)
  | { kind: "anthropic" };

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new RotationError(`${name} is not set`);
  return value;
}

function hostTimeout(env: Env): number {
  const raw = env[ROTATION_ENV.hostTimeoutSeconds]?.trim();
  if (!raw) return DEFAULT_HOST_TIMEOUT_SECONDS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 30 || seconds > 600) {
    throw new RotationError(`${ROTATION_ENV.hostTimeoutSeconds} must be a whole number of seconds from 30 to 600`);
  }
  return seconds;
}

// The admin key is sent to this URL: HTTPS only, plain HTTP only to a loopback test server.
function apiBase(env: Env): string {
  const raw = env[ROTATION_ENV.openAiApiBase]?.trim() || DEFAULT_OPENAI_API_BASE;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RotationError(`${ROTATION_ENV.openAiApiBase} is not a URL`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new RotationError(`${ROTATION_ENV.openAiApiBase} must use https (plain http only to loopback)`);
  }
  return raw;
}

export function strategyConfigFromEnv(env: Env): StrategyConfig {
  const kind = env[ROTATION_ENV.strategy]?.trim();
  switch (kind) {
    case "gateway-token": {
      const instanceId = required(env, ROTATION_ENV.instanceId);
      if (!/^(i|mi)-[0-9a-f]{8,17}$/.test(instanceId)) throw new RotationError(`${ROTATION_ENV.instanceId} is not an instance id`);
      const pickupDocument = required(env, ROTATION_ENV.pickupDocument);
      // A kit document by name; never one of AWS's (AWS-RunShellScript would run any command as root).
      if (!/^clawkeep-[A-Za-z0-9_.-]{1,110}-pickup$/.test(pickupDocument)) throw new RotationError(`${ROTATION_ENV.pickupDocument} is not a kit pickup document (clawkeep-<stack>-<cell>-pickup)`);
      return { kind, instanceId, pickupDocument, hostTimeoutSeconds: hostTimeout(env) };
    }
    case "openai":
      return {
        kind,
        apiBase: apiBase(env),
        projectId: required(env, ROTATION_ENV.openAiProjectId),
        serviceAccountId: required(env, ROTATION_ENV.openAiServiceAccountId),
        adminKeySecretId: required(env, ROTATION_ENV.openAiAdminKeySecretArn),
      };
    case "anthropic":
      return { kind };
    default:
      throw new RotationError(`${ROTATION_ENV.strategy} must be one of ${STRATEGY_NAMES.join(", ")} (got ${JSON.stringify(kind ?? "")})`);
  }
}
