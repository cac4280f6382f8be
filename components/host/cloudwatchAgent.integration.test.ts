// The audit host files, judged by real tools: the agent's published JSON schema (via Python's
// jsonschema), shellcheck, systemd-analyze, and the health script run for real against a loopback
// metadata service, a loopback /healthz and moto's CloudWatch.
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogGroupNames, metricNamespace, METRICS } from "../audit/names";
import { startMoto, type MotoServer } from "../../test/support/moto";
import { needTools } from "../../test/support/tools";
import {
  HEALTH_SCRIPT,
  HEALTH_SERVICE,
  HEALTH_TIMER,
  renderCloudWatchAgentConfig,
  renderHealthScript,
  renderHealthService,
  renderHealthTimer,
  type AuditHostInput,
} from "./cloudwatchAgent";
import { analyzeUnit, verifyUnits } from "./systemdUnits";

const SCHEMA = path.join(__dirname, "schemas", "amazon-cloudwatch-agent.schema.json");
const input: AuditHostInput = {
  names: auditLogGroupNames("level1", "gw"),
  namespace: metricNamespace("level1", "gw"),
  healthMetric: METRICS.gatewayHealthy,
  gatewayPort: 18789,
  agentCommands: false,
};
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Draft-4 validation errors of `config` against the agent's schema, from Python's jsonschema. */
function schemaErrors(config: unknown): string[] {
  const script = [
    "import json, sys, jsonschema",
    "schema = json.load(open(sys.argv[1]))",
    "v = jsonschema.Draft4Validator(schema)",
    "print(json.dumps(sorted(f\"{'/'.join(map(str, e.absolute_path))}: {e.message}\" for e in v.iter_errors(json.load(sys.stdin)))))",
  ].join("\n");
  const res = spawnSync("python3", ["-c", script, SCHEMA], { input: JSON.stringify(config), encoding: "utf8" });
  if (res.status !== 0) throw new Error(`jsonschema failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as string[];
}

describe.skipIf(!needTools("python3"))("the CloudWatch agent config against the agent's published schema", () => {
  it("is valid, and ships the four logs to the cell's groups", () => {
    const config = renderCloudWatchAgentConfig(input);
    expect(schemaErrors(config)).toEqual([]);
    const list = config.logs.logs_collected.files.collect_list;
    expect(list.map((f) => [f.file_path, f.log_group_name])).toEqual([
      ["/var/log/clawkeep-gateway/gateway.log", "/clawkeep/level1/gw/gateway"],
      ["/var/log/squid/access.log", "/clawkeep/level1/gw/egress-proxy"],
      ["/var/log/auth.log", "/clawkeep/level1/gw/host-auth"],
      ["/var/log/audit/audit.log", "/clawkeep/level1/gw/host-audit"],
    ]);
  });

  it("rejects a misspelt key, a retention CloudWatch does not offer, and the journald collector this schema predates", () => {
    const config = renderCloudWatchAgentConfig(input);
    const typo = structuredClone(config) as unknown as { logs: { logs_collected: { files: { collect_list: Array<Record<string, unknown>> } } } };
    typo.logs.logs_collected.files.collect_list[0].log_group = "x";
    expect(schemaErrors(typo).join("\n")).toMatch(/Additional properties are not allowed \('log_group' was unexpected\)/);
    const retention = structuredClone(config) as unknown as typeof typo;
    retention.logs.logs_collected.files.collect_list[0].retention_in_days = 10;
    expect(schemaErrors(retention).join("\n")).toMatch(/10 is not one of/);
    const journald = { ...config, logs: { ...config.logs, logs_collected: { ...config.logs.logs_collected, journald: { collect_list: [] } } } };
    expect(schemaErrors(journald).join("\n")).toMatch(/'journald' was unexpected/);
  });
});

describe.skipIf(!needTools("shellcheck"))("the health script under shellcheck", () => {
  it("has no finding at any severity", () => {
    const res = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: renderHealthScript(), encoding: "utf8" });
    expect(res.stdout).toBe("");
    expect(res.status).toBe(0);
  });

  it("reports a real finding, so a clean run means something", () => {
    const res = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: renderHealthScript().replace('"$imds/latest/api/token"', "$imds/latest/api/token"), encoding: "utf8" });
    expect(res.stdout).toMatch(/SC2086/);
  });
});

describe.skipIf(!needTools("systemd-analyze"))("the health timer under systemd-analyze", () => {
  let root: string;
  beforeAll(() => {
    root = tmp("clawkeep-health-units-");
    fs.cpSync("/usr/lib/systemd/system", path.join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
    const write = (p: string, text: string, mode = 0o644) => {
      fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      fs.writeFileSync(path.join(root, p), text, { mode });
    };
    write(`etc/systemd/system/${HEALTH_SERVICE}`, renderHealthService(input));
    write(`etc/systemd/system/${HEALTH_TIMER}`, renderHealthTimer());
    write(HEALTH_SCRIPT, renderHealthScript(), 0o755);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("verifies the service and timer without a single warning", () => {
    const res = verifyUnits(root, [HEALTH_SERVICE, HEALTH_TIMER]);
    expect(res.output).toBe("");
    expect(res.ok).toBe(true);
  });

  it("runs the check as root without capabilities, sandboxed (exposure below 3.0; the metadata service answers root only)", () => {
    const report = analyzeUnit(path.join(root, "etc/systemd/system", HEALTH_SERVICE));
    console.log(`systemd-analyze security: ${HEALTH_SERVICE} ${report.score} ${report.exposure}`);
    expect(report.score).toBeLessThan(3);
  });

  it("refuses a unit argument that could inject options", () => {
    expect(() => renderHealthService({ ...input, namespace: "ns --x; rm" })).toThrow(/plain token/);
  });
});

describe.skipIf(!needTools("moto_server", "aws", "curl"))("the health script, run for real", () => {
  let moto: MotoServer;
  let imds: http.Server;
  let healthz: http.Server | undefined;
  let imdsUrl: string;
  let healthPort: number;
  const INSTANCE = "i-0fedcba9876543210";
  let tokenless = 0;

  const listen = (srv: http.Server) => new Promise<number>((r) => srv.listen(0, "127.0.0.1", () => r((srv.address() as { port: number }).port)));

  beforeAll(async () => {
    moto = await startMoto();
    // IMDSv2 only: metadata without the session token is refused, as on the host.
    const meta: Record<string, string> = { "/latest/meta-data/instance-id": INSTANCE, "/latest/meta-data/placement/region": "us-east-1" };
    imds = http.createServer((req, res) => {
      if (req.method === "PUT" && req.url === "/latest/api/token") {
        res.end("imds-session-token");
      } else if (req.headers["x-aws-ec2-metadata-token"] !== "imds-session-token") {
        tokenless++;
        res.statusCode = 401;
        res.end();
      } else {
        res.statusCode = meta[req.url ?? ""] ? 200 : 404;
        res.end(meta[req.url ?? ""] ?? "");
      }
    });
    imdsUrl = `http://127.0.0.1:${await listen(imds)}`;
    healthz = http.createServer((req, res) => {
      res.statusCode = req.url === "/healthz" ? 200 : 404;
      res.end('{"ok":true,"status":"live"}');
    });
    healthPort = await listen(healthz);
  });
  afterAll(async () => {
    healthz?.close();
    imds?.close();
    await moto?.stop();
  });

  async function runCheck(): Promise<void> {
    const dir = tmp("clawkeep-health-");
    const script = path.join(dir, "publish-gateway-health");
    fs.writeFileSync(script, renderHealthScript(), { mode: 0o755 });
    const env = { PATH: process.env.PATH ?? "", HOME: dir, ...moto.env, CLAWKEEP_IMDS_URL: imdsUrl };
    try {
      await promisify(execFile)("bash", [script, String(healthPort), input.namespace, input.healthMetric], { env });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("publishes 1 while /healthz answers and 0 once it stops, under the instance's id", async () => {
    await runCheck();
    await new Promise<void>((r) => healthz?.close(() => r()));
    healthz = undefined;
    await runCheck();
    const cw = new CloudWatchClient(moto.clientConfig);
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: input.namespace,
        MetricName: input.healthMetric,
        Dimensions: [{ Name: "InstanceId", Value: INSTANCE }],
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 3600,
        Statistics: ["Minimum", "Maximum", "SampleCount"],
      }),
    );
    expect(stats.Datapoints).toHaveLength(1);
    expect(stats.Datapoints?.[0]).toMatchObject({ Minimum: 0, Maximum: 1, SampleCount: 2 });
    expect(tokenless).toBe(0);
  });

  it("fails without publishing when the metadata service is unreachable", async () => {
    const saved = imdsUrl;
    imdsUrl = "http://127.0.0.1:9";
    await expect(runCheck()).rejects.toThrow();
    imdsUrl = saved;
  });
});
