import { describe, expect, it } from "vitest";
import type { StackResource } from "../lib/types";
import { unknownValue } from "../lib/unknown";
import { noCredentialInState } from "./no-credential-in-state";

const r = (type: string, name: string, props: Record<string, unknown>, dependencies: string[] = []): StackResource => ({ type, name, urn: `urn:${name}`, props: { id: `${name}-id`, ...props }, dependencies });
const offline = (resources: StackResource[]) => noCredentialInState.validateStack(resources, { literalsKnown: 1 });
const online = (resources: StackResource[]) => noCredentialInState.validateStack(resources, { literalsKnown: 0 });
// Built at run time so the repository holds no scannable key.
const anthropic = ["sk", "ant", "api03", "Qm7vX2pLk9Rt4Wz8Yb1Nc6Jd3Hf5Gs0Ae2Uo7Ip9Ly4"].join("-");
const version = (props: Record<string, unknown>, deps: string[] = []) => r("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretId: "s-id", ...props }, deps);
const db = (props: Record<string, unknown>, deps: string[] = []) => r("aws:rds/instance:Instance", "memory", { engine: "postgres", username: "openclaw", ...props }, deps);

describe("no-credential-in-state: literals in the program (offline)", () => {
  it("refuses a provider key written into a write-only input: write-only is right, a literal is not", () => {
    expect(offline([version({ secretStringWo: anthropic, secretStringWoVersion: 1 })])[0]?.message).toMatch(/secretStringWo holds an Anthropic API key .* written in the program/);
    expect(offline([r("aws:ssm/parameter:Parameter", "p", { type: "SecureString", valueWo: JSON.stringify({ apiKey: anthropic }) })])[0]?.message).toMatch(/valueWo holds an Anthropic/);
  });
  it("refuses a provider key in a SecureString value, and credential fields a person typed into a write-only JSON value", () => {
    expect(offline([r("aws:ssm/parameter:Parameter", "p", { type: "SecureString", value: anthropic })])[0]?.message).toMatch(/value holds an Anthropic .*\(a SecureString encrypts it in AWS, not out of the repository\)/);
    expect(offline([version({ secretStringWo: JSON.stringify({ username: "openclaw", password: "Cl@w-Memory#Prod!2026-vX9q" }) })])[0]?.message).toMatch(/field password is a credential a person wrote/);
    expect(offline([version({ secretStringWo: JSON.stringify({ username: "openclaw", password: "Xk3v9QmT2pLr8Wz4Yb1Nc6Jd3Hf5Gs0A" }) })])).toEqual([]);
    expect(offline([r("aws:ssm/parameter:Parameter", "s", { type: "String", value: anthropic })])).toEqual([]);
  });
  it("refuses any literal on a password/authToken input, whatever its characters", () => {
    expect(offline([db({ password: "Cl@w-Memory#Prod!2026-vX9q" })])[0]?.message).toMatch(/password is a literal credential/);
    expect(offline([r("aws:rds/cluster:Cluster", "c", { masterPassword: "a9F3kQ2mZx7LpW4tR8vB1nC6" })])[0]?.message).toMatch(/masterPassword/);
    expect(offline([r("aws:elasticache/replicationGroup:ReplicationGroup", "cache", { authToken: "correct horse battery staple" })])[0]?.message).toMatch(/authToken/);
    expect(offline([r("aws:elasticache/user:User", "u", { passwords: ["Str0ng&Long&Chosen#Password"] })])[0]?.message).toMatch(/passwords\[0\]|passwords/);
    expect(offline([db({ passwordWo: "Cl@w-Memory#Prod!2026-vX9q" })])[0]?.message).toMatch(/passwordWo/);
  });
  it("passes config secrets (unknown offline), minted values, generated random tokens in stores, and non-credential inputs", () => {
    expect(offline([db({ password: unknownValue("stack config proj:dbPassword (not set offline)") })])).toEqual([]);
    const pw = r("random:index/randomPassword:RandomPassword", "pw", { result: "q8Z!mT2#xR7vL9pK4wN6" });
    expect(offline([pw, db({ password: "q8Z!mT2#xR7vL9pK4wN6" }, ["urn:pw"])])).toEqual([]);
    expect(offline([version({ secretStringWo: "Xk3v9QmT2pLr8Wz4Yb1Nc6Jd3Hf5Gs0A", secretStringWoVersion: 1 })])).toEqual([]);
    expect(offline([db({ manageMasterUserPassword: true, username: "openclaw", tags: { password: "rotated-by-rds" } })])).toEqual([]);
    expect(offline([r("aws:ec2/instance:Instance", "vm", { metadataOptions: { httpTokens: "required" } })])).toEqual([]);
  });
  it("cannot tell a literal from a decrypted config secret under CrossGuard, so it stays silent there", () => {
    expect(online([db({ password: "Cl@w-Memory#Prod!2026-vX9q" }), version({ secretStringWo: anthropic })])).toEqual([]);
  });
});
