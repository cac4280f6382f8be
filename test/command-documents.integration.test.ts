// Issue 16, "commands by document": the pickup, rotation and revoke flows send the cell's own Command
// documents, never AWS-RunShellScript. moto hosts the documents and takes the commands (it runs nothing
// and validates no parameter: shown below), so the document's script itself runs here, substituted as
// SSM substitutes it, with the REAL pickup-token against moto's Secrets Manager and a fake gateway, and
// under shellcheck.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateDocumentCommand, GetDocumentCommand, ListCommandsCommand, SSMClient, SendCommandCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PICKUP_SCRIPT_PATH } from "../components/base/layout";
import {
  COMMAND_PURPOSES,
  DocumentParameterError,
  commandDocument,
  commandDocumentName,
  gatewayDocument,
  gatewayParameters,
  pickupDocument,
  pickupEventInput,
  pickupParameters,
  renderCommands,
  validateParameters,
  type CommandDocument,
} from "../components/commands/documents";
import { renderPickupToken } from "../components/host/pickupToken";
import { ssmHostPort } from "../lambda/rotation/host";
import { createRotatingSecret, installStubRotationFunction } from "../lambda/rotation/testing/motoRotation";
import { revokeGateway } from "../ops/credentials";
import { loadStackFile } from "../stacks/load";
import { MOTO_REGION, startMoto, type MotoServer } from "./support/moto";
import { needTools } from "./support/tools";

const STACK = "level1";
const MODEL = loadStackFile(STACK);
const INSTANCE = "i-0abc1234def567890";
const SHELL_DOCUMENTS = /^AWS-Run(Shell|PowerShell|Remote)Script$|^AWS-StartInteractiveCommand$|^AWS-RunDocument$/;

describe.skipIf(!needTools("moto_server"))("the pickup, rotation and revoke flows on moto, through the kit's documents", () => {
  let moto: MotoServer;
  let ssm: SSMClient;
  let sm: SecretsManagerClient;
  const names = Object.fromEntries(COMMAND_PURPOSES.map((p) => [p, commandDocumentName(STACK, MODEL.cellName, p)])) as Record<(typeof COMMAND_PURPOSES)[number], string>;

  beforeAll(async () => {
    moto = await startMoto();
    ssm = new SSMClient(moto.clientConfig);
    sm = new SecretsManagerClient(moto.clientConfig);
    for (const p of COMMAND_PURPOSES) {
      await ssm.send(new CreateDocumentCommand({ Name: names[p], DocumentType: "Command", DocumentFormat: "JSON", Content: JSON.stringify(commandDocument(p)) }));
    }
  });
  afterAll(async () => moto?.stop());

  it("stores each document with its allowedPattern / allowedValues intact", async () => {
    for (const p of COMMAND_PURPOSES) {
      const got = await ssm.send(new GetDocumentCommand({ Name: names[p] }));
      expect(JSON.parse(String(got.Content)), p).toEqual(commandDocument(p));
    }
  });

  it("every flow sends a kit document with parameters its own patterns accept; none sends a shell document", async () => {
    // EventBridge's rule target: the pickup document by ARN, the constant input as Parameters.
    await ssm.send(new SendCommandCommand({ DocumentName: names.pickup, InstanceIds: [INSTANCE], Parameters: JSON.parse(pickupEventInput()) as Record<string, string[]> }));
    // The rotation function's setSecret and testSecret.
    const host = ssmHostPort({ ssm, instanceId: INSTANCE, documentName: names.pickup, timeoutSeconds: 120, firstPollMs: 10 });
    const version = randomUUID();
    await host.install(version);
    await host.verify(version);
    // npm run revoke: the gateway document, stop; then a fresh token.
    const fn = await installStubRotationFunction(moto);
    await createRotatingSecret(sm, `clawkeep/${STACK}/${MODEL.cellName}/gateway-token`, "A".repeat(43), fn);
    const revoked = await revokeGateway({ sm, ssm }, MODEL, STACK);
    expect(revoked.commandId).toBeTruthy();

    const { Commands = [] } = await ssm.send(new ListCommandsCommand({}));
    console.log(`commands moto took: ${Commands.map((c) => `${c.DocumentName} ${JSON.stringify(c.Parameters)}`).join(" | ")}`);
    expect(Commands).toHaveLength(4);
    for (const c of Commands) {
      expect(SHELL_DOCUMENTS.test(String(c.DocumentName)), String(c.DocumentName)).toBe(false);
      expect(c.DocumentName).toMatch(/^clawkeep-level1-gw-(pickup|gateway)$/);
      // Checked against the document as moto stored it, by SSM's own rules.
      const stored = JSON.parse(String((await ssm.send(new GetDocumentCommand({ Name: c.DocumentName }))).Content)) as CommandDocument;
      expect(() => validateParameters(stored, c.Parameters ?? {}), `${c.DocumentName} ${JSON.stringify(c.Parameters)}`).not.toThrow();
    }
    expect(Commands.map((c) => c.Parameters)).toEqual(
      expect.arrayContaining([
        { versionId: ["current"], mode: ["install"], executionTimeout: ["600"] },
        { versionId: [version], mode: ["install"], executionTimeout: ["120"] },
        { versionId: [version], mode: ["test"], executionTimeout: ["120"] },
        { action: ["stop"] },
      ]),
    );
  });

  it("moto itself validates nothing: it takes an injection the document's pattern refuses (so the kit checks first)", async () => {
    const evil = { versionId: [`x'; touch /tmp/pwned; '`] };
    const sent = await ssm.send(new SendCommandCommand({ DocumentName: names.pickup, InstanceIds: [INSTANCE], Parameters: evil }));
    expect(sent.Command?.CommandId).toBeTruthy();
    expect(() => validateParameters(pickupDocument(), evil)).toThrow(DocumentParameterError);
    expect(() => pickupParameters(evil.versionId[0], "install", 600)).toThrow(DocumentParameterError);
  });
});

describe.skipIf(!needTools("moto_server", "aws", "curl", "python3", "flock"))("the pickup document's script, run with the real pickup-token on a fake host", () => {
  let moto: MotoServer;
  let sm: SecretsManagerClient;
  let work: string;
  let gateway: http.Server;
  let active = "";
  const secretName = "clawkeep/test/doc/gateway-token";
  const token = () => randomBytes(32).toString("base64url");
  let first = "";
  let port = 0;

  beforeAll(async () => {
    moto = await startMoto();
    sm = new SecretsManagerClient(moto.clientConfig);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-docrun-"));
    first = token();
    await sm.send(new CreateSecretCommand({ Name: secretName, SecretString: first }));
    // The fake gateway: healthy, and it accepts exactly the token it was (re)started with.
    active = first;
    gateway = http.createServer((req, res) => {
      if (req.url === "/__restart") active = fs.readFileSync(path.join(work, "staged"), "utf8");
      if (req.url === "/tools/invoke") {
        const ok = req.headers.authorization === `Bearer ${active}`;
        res.statusCode = ok ? 400 : 401;
        res.end(ok ? '{"ok":false,"error":{"type":"invalid_request","message":"requires name"}}' : '{"error":"unauthorized"}');
        return;
      }
      res.statusCode = req.url === "/healthz" || req.url === "/__restart" ? 200 : 404;
      res.end();
    });
    await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", r));
    port = (gateway.address() as AddressInfo).port;
    const bin = path.join(work, "bin");
    fs.mkdirSync(bin);
    // systemd's part: the gateway runs; try-restart hands it the staged token; every call is logged.
    fs.writeFileSync(
      path.join(bin, "systemctl"),
      `#!/bin/sh\necho "$*" >>${work}/systemctl.log\ncase "$1" in is-active) exit 0 ;; try-restart) curl -s -o /dev/null http://127.0.0.1:${port}/__restart ;; esac\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(work, "pickup-token"), renderPickupToken(), { mode: 0o750 });
    fs.writeFileSync(path.join(work, "fetch-token"), "#!/bin/sh\nexit 0\n", { mode: 0o750 });
    fs.writeFileSync(path.join(work, "host.env"), `AWS_REGION=${MOTO_REGION}\nCLAWKEEP_TOKEN_SECRET_ID=${secretName}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(work, "openclaw.json"), JSON.stringify({ gateway: { port } }));
  });
  afterAll(async () => {
    gateway?.close();
    await moto?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /**
   * Validate as SSM does (throws at once), substitute, and run the document's lines with sh, as
   * aws:runShellScript does. Asynchronous: the fake gateway answers from this process.
   */
  function runDocument(doc: CommandDocument, params: Record<string, string[]>): Promise<{ status: number | null; out: string }> {
    const script = renderCommands(doc, validateParameters(doc, params)).replace(PICKUP_SCRIPT_PATH, path.join(work, "pickup-token"));
    return new Promise((resolve, reject) => {
      const child = spawn("sh", ["-c", script], {
        env: {
          PATH: `${path.join(work, "bin")}:${process.env.PATH ?? ""}`,
          HOME: work,
          ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
          ...moto.env,
          AWS_CONFIG_FILE: path.join(work, "none"),
          AWS_SHARED_CREDENTIALS_FILE: path.join(work, "none"),
          CLAWKEEP_HOST_ENV: path.join(work, "host.env"),
          CLAWKEEP_TOKEN_FILE: path.join(work, "staged"),
          CLAWKEEP_OPENCLAW_CONFIG: path.join(work, "openclaw.json"),
          CLAWKEEP_FETCH_TOKEN: path.join(work, "fetch-token"),
          CLAWKEEP_PICKUP_HEALTH_SECONDS: "10",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, out }));
    });
  }

  it("bare (EventBridge's input): the gateway already holds AWSCURRENT, nothing restarts", async () => {
    const r = await runDocument(pickupDocument(), JSON.parse(pickupEventInput()) as Record<string, string[]>);
    expect(r.out).toMatch(/already runs with version/);
    expect(r.status).toBe(0);
  });

  it("a rotation's version: installed (restart with the new token), then tested; another version fails the test", async () => {
    const next = token();
    const { VersionId } = await sm.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: next, VersionStages: ["AWSPENDING"] }));
    const install = await runDocument(pickupDocument(), pickupParameters(String(VersionId), "install", 120));
    expect(install.status, install.out).toBe(0);
    expect(active).toBe(next);
    expect(fs.readFileSync(path.join(work, "systemctl.log"), "utf8")).toMatch(/try-restart openclaw-gateway\.service/);
    expect((await runDocument(pickupDocument(), pickupParameters(String(VersionId), "test", 120))).status).toBe(0);
    const stale = (await sm.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: token(), VersionStages: ["STALE"] }))).VersionId;
    const r = await runDocument(pickupDocument(), pickupParameters(String(stale), "test", 120));
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/does not accept version/);
  });

  it("what SSM's pattern lets through (a trailing newline) stays data: pickup-token refuses it, nothing else runs", async () => {
    const r = await runDocument(pickupDocument(), { versionId: [`${"a".repeat(32)}\n`] });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/not a secret version id/);
  });

  it("the gateway document runs systemctl with the one action, and refuses any other", async () => {
    fs.writeFileSync(path.join(work, "systemctl.log"), "");
    for (const action of ["stop", "start", "restart"] as const) expect((await runDocument(gatewayDocument(), gatewayParameters(action))).status).toBe(0);
    expect(fs.readFileSync(path.join(work, "systemctl.log"), "utf8").trim().split("\n")).toEqual(["stop openclaw-gateway.service", "start openclaw-gateway.service", "restart openclaw-gateway.service"]);
    expect(() => runDocument(gatewayDocument(), { action: ["stop; reboot"] })).toThrow(DocumentParameterError);
  });

  it.skipIf(!needTools("shellcheck"))("each substituted script is shellcheck-clean (sh)", () => {
    const cases: Array<[CommandDocument, Record<string, string[]>]> = [
      [pickupDocument(), {}],
      [pickupDocument(), pickupParameters(randomUUID(), "test", 300)],
      [gatewayDocument(), gatewayParameters("restart")],
    ];
    for (const [doc, params] of cases) {
      const script = `#!/bin/sh\n${renderCommands(doc, validateParameters(doc, params))}\n`;
      const res = spawnSync("shellcheck", ["--shell=sh", "--severity=style", "-"], { input: script, encoding: "utf8" });
      expect(res.stdout, script).toBe("");
    }
  });
});
