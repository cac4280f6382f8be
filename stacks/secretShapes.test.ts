import * as crypto from "node:crypto";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { assignedTokens, assignments, credentialFindings, decodedViews, isCredentialName, isOpenclawCredentialKey, isSecretName, isWeakSecret, keyShapes, looksRandomToken, openclawPlaintextCredentials, redactCredentials, weakAssignments } from "./secretShapes";

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

describe("assignments in every spelling", () => {
  const t = crypto.randomBytes(24).toString("hex");
  it("reads env, systemd Environment=, flags, JSON and YAML, nested ones too, and says which", () => {
    expect(assignments(`Environment=OPENCLAW_GATEWAY_TOKEN=${t}`).map((a) => [a.name, a.style])).toEqual([["Environment", "env"], ["OPENCLAW_GATEWAY_TOKEN", "env"]]);
    expect(assignments(`gateway --token ${t} --bind=lan`).map((a) => [a.name, a.value, a.style])).toEqual([["token", t, "flag"], ["bind", "lan", "flag"]]);
    expect(assignments(`{"auth": {"token": "x1"}}`).map((a) => a.style)).toEqual(["json"]);
    expect(assignments("auth:\n  password: hunter2\n").map((a) => [a.name, a.style])).toEqual([["password", "yaml"]]);
    expect(assignments(`die "TOKEN: bad entry"`).map((a) => a.style)).toEqual(["loose"]);
    expect(assignments("arn:aws:secretsmanager:us-east-1:1:secret:gw-token").map((a) => a.name)).toEqual(["arn"]);
    expect(assignedTokens(`Environment=OPENCLAW_GATEWAY_TOKEN=${t}\nExecStart=/bin/openclaw gateway --token ${t}`)).toEqual(["OPENCLAW_GATEWAY_TOKEN", "token"]);
  });
});

describe("human-chosen credentials", () => {
  it("knows a credential's own name from names about one", () => {
    for (const n of ["OPENCLAW_GATEWAY_TOKEN", "db_password", "apiKey", "ANTHROPIC_API_KEY", "auth-key", "clientSecret"]) expect(isCredentialName(n), n).toBe(true);
    for (const n of ["TOKEN_FILE", "secretArn", "clawkeep:credential", "TOKEN_TTL_SECONDS", "keyName", "CLAWKEEP_PROVIDER_SECRETS", "password-file"]) expect(isCredentialName(n), n).toBe(false);
  });
  it("calls defaults, words with digits and short words weak; references, random tokens and keys not", () => {
    for (const v of ["changeme", "CHANGE_ME", "REPLACE_ME", "openclaw123", "Admin2024!", "123456", "hunter2", "s3cret"]) expect(isWeakSecret(v), v).toBe(true);
    for (const v of ["${OPENCLAW_GATEWAY_TOKEN}", "$TOKEN", "$(cat /run/t)", "/run/credentials/t", "arn:aws:secretsmanager:x", "gateway-token:/run/t", "true", crypto.randomBytes(32).toString("hex"), join("sk", "ant", "api03", "A1b2".repeat(10))]) {
      expect(isWeakSecret(v), v).toBe(false);
    }
  });
  it("finds them only where a value is really assigned, and lets the host's own placeholder substitution excuse one", () => {
    expect(weakAssignments("OPENCLAW_GATEWAY_TOKEN=changeme\n")).toEqual(["OPENCLAW_GATEWAY_TOKEN"]);
    expect(weakAssignments(`echo "password: missing"`)).toEqual([]);
    expect(weakAssignments("OPENCLAW_GATEWAY_TOKEN=REPLACE_ME\n", (v) => v === "REPLACE_ME")).toEqual([]);
    expect(credentialFindings("PASSWORD=openclaw123\n")).toEqual(["assigns a human-chosen (weak) value to PASSWORD"]);
  });
  it("redacts credentials from a command line it quotes", () => {
    const t = crypto.randomBytes(24).toString("hex");
    const key = join("sk", "ant", "api03", "A1b2".repeat(10));
    const out = redactCredentials(`openclaw gateway --token ${t} --bind lan ANTHROPIC_API_KEY=${key}`);
    expect(out).toBe("openclaw gateway --token [redacted] --bind lan ANTHROPIC_API_KEY=[redacted]");
  });
});

describe("encoded secrets", () => {
  const KEY = ["sk", "ant", "api03", "Xs6njPDjDQtJBs15IStV3fpTXHRKW-XXs6hD4UM16BW1DG1ldRmHXn_-Jhb91-YAculj7VJb1glaWV3MwQ"].join("-");
  const percent = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");
  const unicode = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");

  it.each([
    ["base64", Buffer.from(KEY).toString("base64"), /Anthropic.*, base64-encoded$/],
    ["base64url", Buffer.from(`>>>${KEY}???`).toString("base64url"), /base64url-encoded$/],
    ["gzip+base64", zlib.gzipSync(`export ANTHROPIC_API_KEY=${KEY}`).toString("base64"), /gzip\+base64-encoded$/],
    ["hex", Buffer.from(KEY).toString("hex"), /hex-encoded$/],
    ["URL", `https://example.com/?k=${percent(KEY)}`, /URL-encoded$/],
    ["JSON escapes", `{"k":"${unicode(KEY)}"}`, /JSON-escape-encoded$/],
    ["URL in base64", Buffer.from(percent(KEY)).toString("base64"), /URL in base64-encoded$/],
  ])("finds a key hidden by %s", (_how, text, says) => {
    const found = credentialFindings(text).filter((f) => f.startsWith("holds an Anthropic"));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(says);
    expect(found[0]).not.toContain(KEY);
  });

  it("names a random token assigned inside an encoded text", () => {
    const token = crypto.randomBytes(32).toString("hex");
    expect(credentialFindings(Buffer.from(`GATEWAY_TOKEN=${token}\n`).toString("base64"))).toEqual(["assigns a random-looking token to GATEWAY_TOKEN, base64-encoded"]);
  });

  it("finds nothing in encodings of harmless text, random bytes or a random hex token", () => {
    expect(credentialFindings(Buffer.from("#!/bin/bash\necho hello from the gateway host\n").toString("base64"))).toEqual([]);
    expect(credentialFindings(zlib.gzipSync("#cloud-config\npackages: [nftables]\n").toString("base64"))).toEqual([]);
    expect(credentialFindings(crypto.randomBytes(48).toString("base64"))).toEqual([]);
    expect(keyShapes(crypto.randomBytes(32).toString("hex"))).toEqual([]);
    expect(decodedViews(crypto.randomBytes(32).toString("hex"))).toEqual([]);
  });

  it("does a bounded amount of work on a text full of encoded runs", () => {
    const runs = Array.from({ length: 1000 }, (_, i) => Buffer.from(`harmless text number ${i} padded`).toString("base64")).join(" ");
    // At most 64 runs per level are decoded, two levels deep.
    expect(decodedViews(runs).length).toBeLessThanOrEqual(64 * 2);
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x61)).toString("base64");
    expect(decodedViews(bomb)).toEqual([]);
  });

  it("reads an encoding suffix on a credential name as the credential's", () => {
    expect(isCredentialName("ANTHROPIC_API_KEY_B64")).toBe(true);
    expect(isCredentialName("gatewayTokenHex")).toBe(true);
    expect(isCredentialName("TOKEN_FILE_B64")).toBe(false);
    expect(isCredentialName("B64")).toBe(false);
  });
});

describe("chat-channel and provider credentials OpenClaw takes", () => {
  // Built at run time so the repository holds no scannable token.
  const tg = ["7712345678", "AAF3kq9ZrXw2Jt6vQ1pLmN8sYbC4dE5fGhI"].join(":");
  const discord = ["MTIzNDU2Nzg5MDEyMzQ1Njc4", "GaBcDe", "x".repeat(8) + "Yz0123456789AbCdEfGhIjKl"].join(".");
  it.each([
    ["Telegram", tg],
    ["Discord", discord],
    ["Slack", ["xapp", "1", "A0123456789", "1234567890123", "abcdef0123456789"].join("-")],
    ["Slack", ["xoxb", "123456789012", "1234567890123", "AbCdEfGhIjKlMnOpQrStUvWx"].join("-")],
    ["Meta/WhatsApp", "EAA" + "Gm0PX4ZCpsBA".repeat(8)],
    ["Matrix", ["syt", "b3BlbmNsYXc", "AbCdEfGhIjKlMnOpQrSt", "0a1B2c"].join("_")],
    ["Google", "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"],
    ["GitHub", ["ghp", "A1b2C3d4".repeat(5)].join("_")],
    ["OpenAI", join("sk", "proj", "Zq8x".repeat(12))],
  ])("finds %s tokens", (kind, token) => {
    expect(keyShapes(`value: ${token}\n`).join()).toContain(kind);
  });
  it("does not take times, ports, ids or versions for Telegram or Discord tokens", () => {
    for (const v of ["12:30:45", "127.0.0.1:18789", "arn:aws:iam::123456789012:role/x", "v2026.9.6", "1234567890:short"]) expect(keyShapes(v), v).toEqual([]);
  });
});

describe("openclawPlaintextCredentials", () => {
  const tg = ["7712345678", "AAF3kq9ZrXw2Jt6vQ1pLmN8sYbC4dE5fGhI"].join(":");
  it("names every OpenClaw credential key holding a literal, whatever its shape", () => {
    const config = {
      channels: { telegram: { botToken: tg }, slack: { appToken: "not-random-at-all", signingSecret: "Sign!ng-Secret#2026" }, feishu: { encryptKey: "k3y" }, matrix: { accounts: [{ accessToken: "abc" }] } },
      models: { providers: { anthropic: { apiKey: "plain words key" } } },
    };
    expect(openclawPlaintextCredentials(config)).toEqual(["channels.telegram.botToken", "channels.slack.appToken", "channels.slack.signingSecret", "channels.feishu.encryptKey", "channels.matrix.accounts[0].accessToken", "models.providers.anthropic.apiKey"]);
  });
  it("passes SecretRefs, whole ${ENV} substitutions, empty values, non-credential keys and excused placeholders", () => {
    const config = {
      gateway: { auth: { mode: "token", token: { source: "file", provider: "gateway-token", id: "value" } } },
      channels: { telegram: { botToken: "${TELEGRAM_BOT_TOKEN}", tokenFile: "/run/credentials/tg", dmPolicy: "pairing" }, slack: { botToken: "" } },
      models: { providers: { anthropic: { apiKey: "REPLACE_ME" } } },
    };
    expect(openclawPlaintextCredentials(config, (v) => v === "REPLACE_ME")).toEqual([]);
    expect(isOpenclawCredentialKey("encryptKey") && isOpenclawCredentialKey("botToken") && !isOpenclawCredentialKey("tokenFile")).toBe(true);
  });
});
