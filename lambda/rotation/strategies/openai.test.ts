// OpenAI rotation: the provider key's stored format. The rotation itself, on moto and a loopback
// imitation of the Admin API: openai.integration.test.ts.
import { describe, expect, it } from "vitest";
import { parseProviderKey } from "./providerKey";

describe("provider key format", () => {
  it("reads the JSON form and a bare key, and rejects what is neither", () => {
    expect(parseProviderKey('{"apiKey":"sk-a","keyId":"key_1"}')).toEqual({ apiKey: "sk-a", keyId: "key_1" });
    expect(parseProviderKey("  sk-bare\n")).toEqual({ apiKey: "sk-bare", keyId: undefined });
    expect(() => parseProviderKey("{not json")).toThrow(/not valid JSON/);
    expect(() => parseProviderKey('{"keyId":"key_1"}')).toThrow(/no "apiKey"/);
    expect(() => parseProviderKey("   ")).toThrow(/empty API key/);
  });
});
