import { describe, expect, it } from "vitest";
import { CUSTOM_IDENTIFIERS, customIdentifierProblems, dataProtectionPolicy } from "./dataProtection";

describe("data protection identifiers", () => {
  const regex = (name: string) => new RegExp(CUSTOM_IDENTIFIERS.find((c) => c.Name === name)?.Regex ?? "^$");

  it("stay inside CloudWatch's limits for custom identifiers", () => {
    expect(customIdentifierProblems(CUSTOM_IDENTIFIERS)).toEqual([]);
    expect(customIdentifierProblems([{ Name: "Bad Name", Regex: "(a|b)" }, { Name: "EmailAddress", Regex: "x" }])).toEqual([
      "Bad Name: names are 1-128 of [A-Za-z0-9_-]",
      "Bad Name: regex uses characters CloudWatch does not accept, or is over 200 characters",
      "EmailAddress: clashes with a managed identifier",
    ]);
  });

  it("find the kit's credential formats in a log line, and leave ordinary text alone", () => {
    const fake = (prefix: string) => `${prefix}${"A1b2C3d4E5f6G7h8I9j0".repeat(2)}`;
    expect(regex("AnthropicApiKey").test(`key=${fake("sk-ant-api03-")}`)).toBe(true);
    expect(regex("OpenAiApiKey").test(`auth ${fake("sk-proj-")}`)).toBe(true);
    expect(regex("TailscaleKey").test(`${fake("tskey-auth-")}`)).toBe(true);
    expect(regex("BearerToken").test(`Authorization: Bearer ${fake("")}`)).toBe(true);
    for (const r of CUSTOM_IDENTIFIERS) expect(new RegExp(r.Regex).test("gateway started on port 18789; ask-ant-colony skeleton"), r.Name).toBe(false);
  });

  it("audits and masks the same identifiers", () => {
    const doc = JSON.parse(dataProtectionPolicy("p")) as { Statement: Array<{ DataIdentifier: string[] }> };
    expect(doc.Statement[0].DataIdentifier).toEqual(doc.Statement[1].DataIdentifier);
  });
});
