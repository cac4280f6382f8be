// The SSM host port: the pickup command, and how it reads results, including failures moto never
// reports (checked on a loopback SSM imitation). What it sends to moto's SSM: host.integration.test.ts.
import { SSMClient } from "@aws-sdk/client-ssm";
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { pickupDocument, renderCommands, validateParameters } from "../../components/commands/documents";
import { HostCommandFailed, pickupCommandParameters, ssmHostPort } from "./host";

const INSTANCE = "i-0123456789abcdef0";
const DOCUMENT = "clawkeep-level1-gw-pickup";

describe("pickup command", () => {
  it("is the kit's pickup document with the version id, and mode test to verify; the host runs pickup-token with them", () => {
    const id = randomUUID();
    expect(pickupCommandParameters(id, false, 90)).toEqual({ versionId: [id], mode: ["install"], executionTimeout: ["90"] });
    expect(pickupCommandParameters(id, true, 90)).toEqual({ versionId: [id], mode: ["test"], executionTimeout: ["90"] });
    const script = renderCommands(pickupDocument(), validateParameters(pickupDocument(), pickupCommandParameters(id, true, 90)));
    expect(script).toContain(`version='${id}' mode='test'`);
    expect(script).toContain("exec /usr/local/libexec/clawkeep/pickup-token");
  });

  it("refuses a version id that is not shell-safe", () => {
    expect(() => pickupCommandParameters(`${"a".repeat(32)} && reboot`, false, 90)).toThrow(/ClientRequestToken must be/);
    expect(() => pickupCommandParameters("$(reboot)aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, 90)).toThrow(/ClientRequestToken must be/);
  });
});

/** Answers SendCommand, then GetCommandInvocation from a script of statuses (the last one repeats). */
async function ssmImitation(script: Array<{ status: string; code?: number; stderr?: string } | "not-yet">) {
  let polls = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { "Content-Type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(json));
      };
      if (target === "AmazonSSM.SendCommand") return reply(200, { Command: { CommandId: "cmd-1", Status: "Pending" } });
      if (target === "AmazonSSM.GetCommandInvocation") {
        const step = script[Math.min(polls++, script.length - 1)];
        if (step === "not-yet" || step === undefined) return reply(400, { __type: "InvocationDoesNotExist", message: "not yet" });
        return reply(200, { CommandId: "cmd-1", InstanceId: INSTANCE, Status: step.status, ResponseCode: step.code ?? -1, StandardErrorContent: step.stderr ?? "" });
      }
      reply(400, { __type: "ValidationException", message: `unexpected ${target}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ssm = new SSMClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
  const host = ssmHostPort({ ssm, instanceId: INSTANCE, documentName: DOCUMENT, timeoutSeconds: 1, firstPollMs: 5, pollMs: 5, graceMs: 200 });
  return { host, polls: () => polls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("SSM host port reading results", () => {
  it("waits through a missing invocation record and InProgress until Success", async () => {
    const fake = await ssmImitation(["not-yet", { status: "InProgress" }, { status: "Success", code: 0 }]);
    try {
      await fake.host.install(randomUUID());
      expect(fake.polls()).toBe(3);
    } finally {
      await fake.close();
    }
  });

  it("reports a failed pickup with its exit code and stderr", async () => {
    const fake = await ssmImitation([{ status: "InProgress" }, { status: "Failed", code: 3, stderr: "gateway answered 401 to the new token" }]);
    try {
      const err = await fake.host.verify(randomUUID()).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(HostCommandFailed);
      expect((err as Error).message).toMatch(/pickup-token --test on i-0123456789abcdef0 ended Failed \(exit 3, command cmd-1\): gateway answered 401/);
    } finally {
      await fake.close();
    }
  });

  it("gives up when the host never answers", async () => {
    const fake = await ssmImitation([{ status: "InProgress" }]);
    try {
      await expect(fake.host.install(randomUUID())).rejects.toThrow(/gave no result in time/);
    } finally {
      await fake.close();
    }
  });
});
