import * as crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { assignedTokens, isSecretName, keyShapes, looksRandomToken } from "./secretShapes";

// Key-shaped values are built at run time so the repository holds none.
const join = (...p: string[]) => p.join("-");

describe("keyShapes", () => {
  it.each([
    ["Anthropic", join("sk", "ant", "api03", "A1b2".repeat(10))],
    ["OpenAI", join("sk", "proj", "Zq8x".repeat(12))],
    ["OpenAI", join("sk", "svcacct", "Zq8x".repeat(12))],
    ["AWS access key", ["AK", "IA", "Q7".repeat(8)].join("")],
    ["Tailscale", join("tskey", "auth", "kAbc123", "d".repeat(24))],
    ["PEM", ["-----BEGIN", "RSA PRIVATE", "KEY-----"].join(" ")],
  ])("finds %s keys", (kind, key) => {
    expect(keyShapes(`prefix ${key} suffix`).join()).toContain(kind);
  });
  it("ignores ordinary text, ARNs and names", () => {
    expect(keyShapes("arn:aws:secretsmanager:us-east-1:123456789012:secret:sk-ant-name-AbCdEf and tskey")).toEqual([]);
  });
});

describe("random tokens", () => {
  it("recognizes hex and base64 secrets but not words, paths, UUIDs or ARNs", () => {
    expect(looksRandomToken(crypto.randomBytes(32).toString("hex"))).toBe(true);
    expect(looksRandomToken(crypto.createHash("sha256").update("base64 token").digest("base64"))).toBe(true);
    for (const v of ["not-shown-anywhere-1234", "/run/openclaw/gateway-token", "550e8400-e29b-41d4-a716-446655440000", "clawkeep-gw-gateway-token", "x".repeat(40), "anthropic=clawkeep/level1/gw/anthropic-api-key"]) {
      expect(looksRandomToken(v), v).toBe(false);
    }
  });
  it("knows secret-looking names", () => {
    for (const n of ["GATEWAY_TOKEN", "api-key", "db_password", "OPENAI_API_KEY", "clientSecret"]) expect(isSecretName(n), n).toBe(true);
    for (const n of ["keyName", "kmsKeyId", "integrity", "region"]) expect(isSecretName(n), n).toBe(false);
  });
  it("finds assignments in shell, YAML and JSON", () => {
    const t = crypto.randomBytes(24).toString("hex");
    expect(assignedTokens(`export GATEWAY_TOKEN=${t}\n`)).toEqual(["GATEWAY_TOKEN"]);
    expect(assignedTokens(`auth:\n  token: '${t}'\n`)).toEqual(["token"]);
    expect(assignedTokens(JSON.stringify({ password: t, region: t }))).toEqual(["password"]);
    expect(assignedTokens(`TOKEN_FILE=/run/openclaw/token\nintegrity=${t}`)).toEqual([]);
  });
});
