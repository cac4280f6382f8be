// apply-bundle, the host's in-place apply, run for real (python3, the AWS CLI) against moto's SSM and
// S3 with the kit's real rendered bundles: first boot, a promotion (only the changed files, only their
// actions, in order), a runtime upgrade, and every failure path: a failing action and an unhealthy
// gateway put the last good bundle back and publish BundleApplyFailed; a tampered object or a pointer
// that names another bundle installs nothing. Commands go through a runner that records them.
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PATHS } from "../components/base/layout";
import { renderApplyBundle } from "../components/host/bundleApply";
import { hostFacts, renderHost, type RenderedHost } from "../components/host/hostFiles";
import { SQUID_CONF_PATH } from "../components/netsandbox/egressProxy";
import { UPGRADE_RUNTIME } from "../components/host/effects";
import { loadStackFile } from "../stacks/load";
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from "./support/moto";
import { removeTmpDirs, tmpDir, writeFile } from "./support/nestedSystemd";
import { needTools } from "./support/tools";
import { putS3Object } from "./vm/awsStandIn";

const VOLUME = "vol-0c1a3e5e7a9b1d2f4";
const STACK = "level0";
const PARAMETER = `/clawkeep/${STACK}/gw/host-bundle`;

// Records every command; answers what apply-bundle asks systemctl; fails the first command matching $FAIL_ON.
const RUNNER = `#!/bin/bash
printf '%s\\n' "$*" >>"$RUN_LOG"
if [[ -n \${FAIL_ON:-} && "$*" == *"$FAIL_ON"* && ! -e $RUN_LOG.failed ]]; then : >"$RUN_LOG.failed"; echo "runner: failing $*" >&2; exit 1; fi
case "$1 $2" in
  "systemctl is-active") echo "\${GATEWAY_STATE:-active}"; [[ \${GATEWAY_STATE:-active} == active ]] ;;
  "systemctl show") echo "5s" ;;
esac
exit 0
`;

describe.skipIf(!needTools("python3", "aws", "moto_server"))("apply-bundle against moto, with the kit's rendered bundles", () => {
  let moto: MotoServer;
  let ssm: SSMClient;
  let w: string;
  let health: http.Server;
  let healthStatus = 200;
  const bundles: Record<string, RenderedHost> = {};

  const render = (overrides: string[]): RenderedHost => {
    const model = loadStackFile(STACK, overrides);
    return renderHost(model, hostFacts(model, STACK, MOTO_REGION), { accountId: MOTO_ACCOUNT, stack: STACK, stateVolumeId: VOLUME });
  };

  beforeAll(async () => {
    moto = await startMoto();
    ssm = new SSMClient(moto.clientConfig);
    w = tmpDir("clawkeep-apply-");
    writeFile(path.join(w, "apply-bundle"), renderApplyBundle(SQUID_CONF_PATH), 0o755);
    writeFile(path.join(w, "runner"), RUNNER, 0o755);
    bundles.level0 = render([]);
    bundles.level1 = render(["trustLevel=1", "egressAllowlist=[api.github.com]"]);
    bundles.level1More = render(["trustLevel=1", "egressAllowlist=[api.github.com, example.org]"]);
    bundles.upgrade = render(["openclawVersion=2026.9.5", `openclawIntegrity=sha512-${"A".repeat(86)}==`]);
    writeFile(path.join(w, "instance.env"), (bundles.level0.files.find((f) => f.path === PATHS.instanceEnvFile) as { content: string }).content);
    const port = Number(new URL(moto.endpoint).port);
    for (const b of Object.values(bundles)) await putS3Object(port, MOTO_REGION, b.bundle.bucket, b.bundle.key, b.bundle.gz);
    health = http.createServer((_req, res) => res.writeHead(healthStatus).end());
    await new Promise<void>((r) => health.listen(0, "127.0.0.1", r));
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    health?.close();
    removeTmpDirs();
  });

  const point = (b: RenderedHost) => ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: b.bundle.sha256, Type: "String", Overwrite: true }));
  const root = () => path.join(w, "root");
  const installed = (p: string) => fs.readFileSync(path.join(root(), p), "utf8");
  const content = (b: RenderedHost, p: string) => (b.files.find((f) => f.path === p) as { content: string }).content;

  // Not spawnSync: the health endpoint is served by this process and must answer while apply-bundle runs.
  async function apply(args: string[], env: Record<string, string> = {}): Promise<{ rc: number | null; out: string; commands: string[] }> {
    const log = path.join(w, "commands.log");
    fs.rmSync(log, { force: true });
    fs.rmSync(`${log}.failed`, { force: true });
    const child = spawn("python3", ["-I", path.join(w, "apply-bundle"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        HOME: w,
        ...moto.env,
        CLAWKEEP_APPLY_ROOT: root(),
        CLAWKEEP_APPLY_RUNNER: path.join(w, "runner"),
        CLAWKEEP_APPLY_LOCK: path.join(w, "apply.lock"),
        CLAWKEEP_INSTANCE_ENV: path.join(w, "instance.env"),
        CLAWKEEP_APPLY_HEALTH_URL: `http://127.0.0.1:${(health.address() as AddressInfo).port}/healthz`,
        CLAWKEEP_APPLY_HEALTH_WAIT: "4",
        CLAWKEEP_APPLY_ATTEMPTS: "2",
        RUN_LOG: log,
        ...env,
      },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const rc = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const commands = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
    return { rc, out, commands };
  }
  // What an apply changed on the host, without the runner's answers to its questions.
  const acting = (commands: string[]) => commands.filter((c) => !/^systemctl (is-active|show) /.test(c));

  it("first boot installs every file of the pointer's bundle and touches no service; a second run finds it current", async () => {
    await point(bundles.level0);
    const first = await apply(["--first-boot"]);
    expect(first.rc, first.out).toBe(0);
    expect(first.out).toContain(`installed ${bundles.level0.bundle.sha256.slice(0, 12)} (${bundles.level0.files.length - 2} files) for first boot`);
    expect(first.commands).toEqual([]);
    expect(installed(PATHS.configFile)).toBe(content(bundles.level0, PATHS.configFile));
    const again = await apply([]);
    expect(again.rc).toBe(0);
    expect(again.out).toContain("already current");
    expect(acting(again.commands)).toEqual([]);
  });

  it("a promotion installs only the changed files and runs only their actions, in order, then checks health", async () => {
    await point(bundles.level1);
    const r = await apply([]);
    expect(r.rc, r.out).toBe(0);
    expect(installed(PATHS.configFile)).toBe(content(bundles.level1, PATHS.configFile));
    expect(installed(SQUID_CONF_PATH)).toBe(content(bundles.level1, SQUID_CONF_PATH));
    expect(acting(r.commands)).toEqual([
      `squid -k parse -f ${root()}${SQUID_CONF_PATH}.clawkeep-check`,
      "systemctl daemon-reload",
      `squid -k parse -f ${SQUID_CONF_PATH}`,
      "systemctl reload-or-restart squid.service",
      "systemctl try-restart clawkeep-token.service openclaw-gateway.service",
      "/usr/local/libexec/clawkeep/put-metric BundleApplyFailed 0",
    ]);
    expect(r.out).toMatch(/applied [0-9a-f]{12}: \d+ changed, 0 removed; actions: daemon-reload squid-reload gateway-restart/);
    expect(fs.existsSync(path.join(root(), `${SQUID_CONF_PATH}.clawkeep-check`))).toBe(false);
  });

  it("a failing action puts the last good bundle back and alarms; the timer does not retry it, a person's --expect does", async () => {
    await point(bundles.level1More);
    const r = await apply([], { FAIL_ON: "reload-or-restart squid" });
    expect(r.rc).toBe(1);
    expect(r.out).toContain("FAILED applying");
    expect(r.out).toContain("rolled back: the last good bundle runs");
    expect(installed(SQUID_CONF_PATH)).toBe(content(bundles.level1, SQUID_CONF_PATH));
    expect(r.commands).toContain("/usr/local/libexec/clawkeep/put-metric BundleApplyFailed 1");
    expect(fs.existsSync(path.join(root(), PATHS.bundleStateDir, "failed", bundles.level1More.bundle.sha256))).toBe(true);

    const timer = await apply([]);
    expect(timer.rc).toBe(0);
    expect(timer.out).toContain("failed here before and the last good bundle runs");
    expect(acting(timer.commands)).toEqual([]);

    const retry = await apply(["--expect", bundles.level1More.bundle.sha256]);
    expect(retry.rc, retry.out).toBe(0);
    expect(installed(SQUID_CONF_PATH)).toBe(content(bundles.level1More, SQUID_CONF_PATH));
    expect(acting(retry.commands)).toEqual([`squid -k parse -f ${root()}${SQUID_CONF_PATH}.clawkeep-check`, `squid -k parse -f ${SQUID_CONF_PATH}`, "systemctl reload-or-restart squid.service", "/usr/local/libexec/clawkeep/put-metric BundleApplyFailed 0"]);
  });

  it("a gateway that is not healthy on the new files gets the old ones back", async () => {
    await point(bundles.level0);
    healthStatus = 503;
    const r = await apply([]);
    healthStatus = 200;
    expect(r.rc).toBe(1);
    expect(r.out).toContain("openclaw-gateway.service is not healthy after gateway-restart");
    expect(installed(PATHS.configFile)).toBe(content(bundles.level1More, PATHS.configFile));
    expect(r.commands.filter((c) => c.startsWith("systemctl try-restart"))).toHaveLength(2);
  });

  it("a stopped gateway (revoked) stays stopped: try-restart, and no health check", async () => {
    const r = await apply(["--expect", bundles.level0.bundle.sha256], { GATEWAY_STATE: "inactive" });
    expect(r.rc, r.out).toBe(0);
    expect(r.commands).toContain("systemctl try-restart clawkeep-token.service openclaw-gateway.service");
    expect(r.commands.filter((c) => /^systemctl (start|restart) /.test(c))).toEqual([]);
  });

  it("a change of the runtime pins runs upgrade-runtime, and no separate gateway restart", async () => {
    await point(bundles.upgrade);
    const r = await apply([]);
    expect(r.rc, r.out).toBe(0);
    expect(acting(r.commands)).toEqual([UPGRADE_RUNTIME, "/usr/local/libexec/clawkeep/put-metric BundleApplyFailed 0"]);
  });

  it("installs nothing from an object whose SHA-256 is not the pointer's, or when the pointer names another bundle", async () => {
    // An object under the key of a SHA-256 its bytes do not have (a swapped object in the bucket).
    const port = Number(new URL(moto.endpoint).port);
    const claimed = "f".repeat(64);
    await putS3Object(port, MOTO_REGION, bundles.level1.bundle.bucket, `host-bundle/${claimed}.json.gz`, bundles.level1.bundle.gz);
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: claimed, Type: "String", Overwrite: true }));
    const before = installed(PATHS.configFile);
    const r = await apply([]);
    expect(r.rc).toBe(1);
    expect(r.out).toContain(`has SHA-256 ${bundles.level1.bundle.sha256}, the pointer names ${claimed}; nothing installed`);
    expect(installed(PATHS.configFile)).toBe(before);
    const other = await apply(["--expect", "0".repeat(64)]);
    expect(other.rc).toBe(1);
    expect(other.out).toContain(`asked to apply 000000000000, but the pointer ${PARAMETER} names ffffffffffff; nothing installed`);
  });

  it("bad input exits 2 naming what it got; a pointer that is not a SHA-256 is refused", async () => {
    for (const args of [["--expect", "current"], ["--now"], ["--first-boot", "x"]]) {
      const r = await apply(args);
      expect(r.rc, args.join(" ")).toBe(2);
      expect(r.out).toContain("usage: apply-bundle [--first-boot | --expect SHA256]; got");
    }
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: "s3://elsewhere/bundle", Type: "String", Overwrite: true }));
    const r = await apply([]);
    expect(r.rc).toBe(1);
    expect(r.out).toContain(`the bundle pointer ${PARAMETER} holds 's3://elsewhere/bundle', not a SHA-256`);
  });
});
