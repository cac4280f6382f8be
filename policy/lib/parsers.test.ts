import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseHujson } from "./hujson";
import { globMatch, grantsAction, isPublicGrant, parsePolicy } from "./policyDoc";
import { decodeBase64Text, hostPayload, userDataText } from "./userData";

describe("parseHujson", () => {
  it("drops comments and trailing commas outside strings only", () => {
    const text = `{
      // a comment
      "a": ["x", "y",], /* block */
      "url": "https://example.com/path // not a comment, ]",
    }`;
    expect(parseHujson(text)).toEqual({ a: ["x", "y"], url: "https://example.com/path // not a comment, ]" });
  });
  it("still rejects what is not JSON", () => {
    expect(() => parseHujson("{ a: 1 }")).toThrow();
  });
});

describe("policy documents", () => {
  it("normalizes strings, arrays and principals", () => {
    const doc = parsePolicy(JSON.stringify({ Statement: { Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: "*" } }));
    expect(doc.error).toBeUndefined();
    expect(doc.statements[0].actions).toEqual(["sns:Publish"]);
    expect(isPublicGrant(doc.statements[0])).toBe(true);
  });
  it("treats a condition on who as restricting, and one on TLS as not", () => {
    const stmt = (Condition: object) => parsePolicy({ Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Condition }] }).statements[0];
    expect(isPublicGrant(stmt({ StringEquals: { "aws:SourceAccount": "123456789012" } }))).toBe(false);
    expect(isPublicGrant(stmt({ Bool: { "aws:SecureTransport": "true" } }))).toBe(true);
  });
  it("matches IAM wildcards and honours NotAction", () => {
    expect(globMatch("secretsmanager:Get*", "secretsmanager:GetSecretValue")).toBe(true);
    expect(globMatch("secretsmanager:List*", "secretsmanager:GetSecretValue")).toBe(false);
    const notAction = parsePolicy({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }).statements[0];
    expect(grantsAction(notAction, "secretsmanager:GetSecretValue")).toBe(true);
    expect(grantsAction(notAction, "iam:PassRole")).toBe(false);
  });
  it("reports a document that is not JSON instead of passing it", () => {
    expect(parsePolicy("{not json").error).toMatch(/not valid JSON/);
  });
});

describe("user data", () => {
  const cloudConfig = "#cloud-config\nwrite_files:\n  - path: /etc/a\n    content: plain\n";
  it("decodes base64 and gzip+base64 user data, and leaves plain text alone", () => {
    expect(userDataText({ userData: cloudConfig })).toBe(cloudConfig);
    expect(userDataText({ userData: Buffer.from(cloudConfig).toString("base64") })).toBe(cloudConfig);
    expect(userDataText({ userDataBase64: zlib.gzipSync(cloudConfig).toString("base64") })).toBe(cloudConfig);
    expect(decodeBase64Text(Buffer.from([0, 1, 2, 255, 254, 7, 8, 9]).toString("base64"))).toBeUndefined();
  });
  it("reads write_files in every encoding cloud-init accepts", () => {
    const b64 = Buffer.from("b64 body").toString("base64");
    const gz = zlib.gzipSync("gz body").toString("base64");
    const text = `#cloud-config\nwrite_files:\n  - {path: /a, content: plain}\n  - {path: /b, encoding: b64, content: "${b64}"}\n  - {path: /c, encoding: gz+b64, content: "${gz}"}\n  - {path: /d, encoding: rot13, content: x}\n`;
    expect(hostPayload("aws:ec2/instance:Instance", { userData: text }).files.map((f) => [f.path, f.content])).toEqual([
      ["/a", "plain"],
      ["/b", "b64 body"],
      ["/c", "gz body"],
      // cloud-init writes an encoding it does not know as it is.
      ["/d", "x"],
    ]);
    expect(hostPayload("aws:ec2/instance:Instance", { userData: "#!/bin/sh\necho hi\n" }).files).toEqual([]);
  });
});
