// The Lambda entry point's strategy and settings from env. The handler itself runs against moto in
// handler.integration.test.ts.
import { describe, expect, it } from "vitest";
import { DEFAULT_OPENAI_API_BASE, ROTATION_ENV, strategyConfigFromEnv } from "./config";

const INSTANCE = "i-0abc1234def567890";
const DOCUMENT = "clawkeep-level1-gw-pickup";

describe("strategy config from env", () => {
  const E = ROTATION_ENV;
  it("reads each strategy with its settings and defaults", () => {
    expect(strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE, [E.pickupDocument]: DOCUMENT })).toEqual({
      kind: "gateway-token",
      instanceId: INSTANCE,
      pickupDocument: DOCUMENT,
      hostTimeoutSeconds: 120,
    });
    expect(strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE, [E.pickupDocument]: DOCUMENT, [E.hostTimeoutSeconds]: "300" })).toMatchObject({ hostTimeoutSeconds: 300 });
    const openai = { [E.strategy]: "openai", [E.openAiProjectId]: "proj_1", [E.openAiServiceAccountId]: "svc_1", [E.openAiAdminKeySecretArn]: "arn:admin" };
    expect(strategyConfigFromEnv(openai)).toEqual({ kind: "openai", apiBase: DEFAULT_OPENAI_API_BASE, projectId: "proj_1", serviceAccountId: "svc_1", adminKeySecretId: "arn:admin" });
    expect(strategyConfigFromEnv({ ...openai, [E.openAiApiBase]: "http://127.0.0.1:8080/v1" })).toMatchObject({ apiBase: "http://127.0.0.1:8080/v1" });
    expect(strategyConfigFromEnv({ [E.strategy]: "anthropic" })).toEqual({ kind: "anthropic" });
  });

  it("refuses what is missing or unsafe, naming the variable", () => {
    expect(() => strategyConfigFromEnv({})).toThrow(/CLAWKEEP_ROTATION_STRATEGY must be one of gateway-token, openai, anthropic/);
    expect(() => strategyConfigFromEnv({ [E.strategy]: "tag" })).toThrow(/must be one of/);
    expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token" })).toThrow(/CLAWKEEP_INSTANCE_ID is not set/);
    expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: "i-1; reboot" })).toThrow(/not an instance id/);
    expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE })).toThrow(/CLAWKEEP_PICKUP_DOCUMENT is not set/);
    // A shell document would let the function run any command on the host as root.
    for (const doc of ["AWS-RunShellScript", "clawkeep-level1-gw-gateway", "x-pickup"]) {
      expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE, [E.pickupDocument]: doc }), doc).toThrow(/not a kit pickup document/);
    }
    expect(() => strategyConfigFromEnv({ [E.strategy]: "gateway-token", [E.instanceId]: INSTANCE, [E.pickupDocument]: DOCUMENT, [E.hostTimeoutSeconds]: "5" })).toThrow(/from 30 to 600/);
    const openai = { [E.strategy]: "openai", [E.openAiProjectId]: "proj_1", [E.openAiServiceAccountId]: "svc_1", [E.openAiAdminKeySecretArn]: "arn:admin" };
    expect(() => strategyConfigFromEnv({ ...openai, [E.openAiApiBase]: "http://api.example.com/v1" })).toThrow(/must use https/);
    expect(() => strategyConfigFromEnv({ ...openai, [E.openAiAdminKeySecretArn]: "" })).toThrow(/CLAWKEEP_OPENAI_ADMIN_KEY_SECRET_ARN is not set/);
  });
});
