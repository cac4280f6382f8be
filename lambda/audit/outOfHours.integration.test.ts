// The out-of-hours detector's bundled function itself, run from a directory without node_modules,
// publishing to moto's CloudWatch.
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../test/support/moto";
import { needTools } from "../../test/support/tools";
import { buildDetectorBundle, type DetectorBundle } from "./build";
import { DEFAULT_BUSINESS_HOURS } from "../../stacks/businessHours";
import { OUT_OF_HOURS_ENV, type CloudTrailEvent, type DetectorConfig } from "./outOfHours";

const HOST_ROLE = "arn:aws:iam::123456789012:role/gw-host-role";
const config: DetectorConfig = { hours: DEFAULT_BUSINESS_HOURS, namespace: "clawkeep/test/gw", metricName: "ChangesOutsideBusinessHours", ignoredPrincipals: [HOST_ROLE] };

/** An EventBridge "AWS API Call via CloudTrail" event, shaped as CloudTrail records it. */
function event(eventTime: string, over: Partial<NonNullable<CloudTrailEvent["detail"]>> = {}): CloudTrailEvent {
  return {
    "detail-type": "AWS API Call via CloudTrail",
    time: eventTime,
    detail: {
      eventTime,
      eventSource: "ec2.amazonaws.com",
      eventName: "ModifyInstanceAttribute",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.7",
      readOnly: false,
      userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::123456789012:assumed-role/admin/alice", sessionContext: { sessionIssuer: { arn: "arn:aws:iam::123456789012:role/admin" } } },
      ...over,
    },
  };
}

// 2026-11-28 is a Saturday; 2026-11-24 a Tuesday.
const SATURDAY = "2026-11-28T03:12:00Z";
const TUESDAY_NOON = "2026-11-24T12:00:00Z";

describe.skipIf(!needTools("moto_server"))("the bundled detector against moto's CloudWatch", () => {
  let moto: MotoServer;
  let bundle: DetectorBundle;
  let out: string;

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-detector-"));
    [moto, bundle] = await Promise.all([startMoto(), buildDetectorBundle(out)]);
  });
  afterAll(async () => {
    await moto?.stop();
    fs.rmSync(out, { recursive: true, force: true });
  });

  async function invoke(ev: CloudTrailEvent): Promise<string> {
    const env = {
      PATH: process.env.PATH ?? "",
      ...moto.env,
      [OUT_OF_HOURS_ENV.businessHours]: JSON.stringify(config.hours),
      [OUT_OF_HOURS_ENV.namespace]: config.namespace,
      [OUT_OF_HOURS_ENV.metricName]: config.metricName,
      [OUT_OF_HOURS_ENV.ignoredPrincipals]: JSON.stringify(config.ignoredPrincipals),
    };
    const script = "require('./index.js').handler(JSON.parse(process.argv[1])).catch((e) => { console.error(e.message); process.exit(1); })";
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script, JSON.stringify(ev)], { cwd: bundle.dir, env });
    return stdout;
  }

  it("adds exactly the counted changes to the metric and logs every change as JSON", async () => {
    const lines = [await invoke(event(SATURDAY)), await invoke(event(TUESDAY_NOON)), await invoke(event(SATURDAY, { readOnly: true })), await invoke(event("2026-11-28T22:00:00Z"))];
    expect(lines.map((l) => (JSON.parse(l) as { counted: boolean }).counted)).toEqual([true, false, false, true]);
    const cw = new CloudWatchClient(moto.clientConfig);
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: config.namespace,
        MetricName: config.metricName,
        StartTime: new Date("2026-11-20T00:00:00Z"),
        EndTime: new Date("2026-12-01T00:00:00Z"),
        Period: 86400,
        Statistics: ["Sum"],
      }),
    );
    expect((stats.Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0)).toBe(2);
  });

  it("fails loudly on an event it cannot read", async () => {
    await expect(invoke({ detail: {} })).rejects.toThrow(/eventTime/);
  });
});
