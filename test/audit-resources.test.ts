// A cell's audit logging, security alarms and access roles under Pulumi's mock runtime: every
// resource and its security settings as they would reach the engine, and the policy pack's verdict.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EGRESS_SNI_REFUSED_PATTERN, EGRESS_UNCHECKED_PATTERN, METRICS, auditLogGroupNames, metricNamespace } from "../components/audit";
import { SESSION_USER } from "../components/access";
import { evaluateProgram, type Evaluation, type PlannedResource } from "../plan/evaluate";
import { judge } from "../policy/judge";
import { loadStackFile } from "../stacks/load";

const PROGRAM = path.join(__dirname, "fixtures", "programs", "audit", "cell.ts");
const STACKS = ["level1", "level3"] as const;
const evals: Record<string, Evaluation> = {};

beforeAll(async () => {
  for (const stack of STACKS) evals[stack] = await evaluateProgram({ program: PROGRAM, project: "clawkeep", stack, config: { "aws:region": "us-east-1" } });
});

type Doc = { Statement: Array<Record<string, unknown>> };
const ofType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);
const named = (ev: Evaluation, type: string, suffix: string): PlannedResource => {
  const r = ofType(ev, type).find((x) => x.name.endsWith(suffix));
  if (!r) throw new Error(`no ${type} named *${suffix}`);
  return r;
};
const json = (v: unknown) => JSON.parse(String(v)) as Doc & Record<string, unknown>;
const sid = (d: Doc, s: string) => d.Statement.find((x) => x.Sid === s) as Record<string, unknown>;

const ALARM_COUNT: Record<string, number> = { level1: 8, level3: 9 };

describe.each(STACKS)("audit and access resources of %s", (stack) => {
  const model = loadStackFile(stack);
  const names = auditLogGroupNames(stack, model.cellName);
  const namespace = metricNamespace(stack, model.cellName);
  const ev = () => evals[stack];

  it("evaluates without errors, and the policy pack finds nothing on these resources", () => {
    expect(ev().errors.map((e) => e.message)).toEqual([]);
    const j = judge(ev());
    expect(j.errors).toEqual([]);
    expect(j.violations.filter((v) => v.urn.includes("gw-audit") || v.urn.includes("gw-alarms") || v.urn.includes("gw-access"))).toEqual([]);
  });

  it("keeps every log group KMS-encrypted, >= 90 days, security events 365, with a masking policy", () => {
    const groups = ofType(ev(), "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith("gw-audit-"));
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(Object.values(names).sort());
    for (const g of groups) {
      expect(g.inputs.kmsKeyId, String(g.inputs.name)).toMatch(/^arn:aws:kms:/);
      expect(g.inputs.retentionInDays as number).toBeGreaterThanOrEqual(90);
    }
    const retention = (n: string) => groups.find((g) => g.inputs.name === n)?.inputs.retentionInDays;
    for (const n of [names.hostAuth, names.hostAudit, names.sessions, names.changes]) expect(retention(n)).toBe(365);
    expect(retention(names.gateway)).toBe(model.logRetentionDays);
    const policies = ofType(ev(), "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy");
    expect(policies.map((p) => p.inputs.logGroupName).sort()).toEqual(Object.values(names).sort());
    const doc = json(policies[0].inputs.policyDocument) as unknown as { Statement: Array<{ DataIdentifier: string[]; Operation: Record<string, unknown> }> };
    expect(doc.Statement.map((s) => Object.keys(s.Operation)[0])).toEqual(["Audit", "Deidentify"]);
    expect(doc.Statement[1].DataIdentifier).toEqual(expect.arrayContaining(["arn:aws:dataprotection::aws:data-identifier/EmailAddress", "arn:aws:dataprotection::aws:data-identifier/AwsSecretKey", "AnthropicApiKey"]));
  });

  it("records management events in all regions with validation and KMS, into a private TLS-only bucket", () => {
    const trail = named(ev(), "aws:cloudtrail/trail:Trail", "gw-audit-trail").inputs;
    expect(trail).toMatchObject({ isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true, enableLogging: true });
    expect(trail.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(trail.eventSelectors).toEqual([{ readWriteType: "All", includeManagementEvents: true }]);
    expect(named(ev(), "aws:s3/bucket:Bucket", "gw-audit-trail").inputs.forceDestroy).toBe(false);
    expect(named(ev(), "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "trail-private").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const sse = named(ev(), "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "trail-sse").inputs.rules as Array<{ applyServerSideEncryptionByDefault: Record<string, string> }>;
    expect(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe("aws:kms");
    expect(sse[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).toMatch(/^arn:aws:kms:/);
    expect((named(ev(), "aws:s3/bucketVersioning:BucketVersioning", "trail-versions").inputs.versioningConfiguration as { status: string }).status).toBe("Enabled");
    expect((named(ev(), "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "trail-owner").inputs.rule as { objectOwnership: string }).objectOwnership).toBe("BucketOwnerEnforced");
    const rule = (named(ev(), "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "trail-lifecycle").inputs.rules as Array<Record<string, unknown>>)[0];
    expect(rule).toMatchObject({ status: "Enabled", expiration: { days: 365 } });
    const policy = json(named(ev(), "aws:s3/bucketPolicy:BucketPolicy", "trail-policy").inputs.policy);
    expect(sid(policy, "DenyInsecureTransport")).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    const write = sid(policy, "CloudTrailWrite") as { Condition: { StringEquals: Record<string, string> } };
    expect(write.Condition.StringEquals["aws:SourceArn"]).toBe(`arn:aws:cloudtrail:us-east-1:123456789012:trail/${String(trail.name)}`);
  });

  it("turns gateway and proxy lines into metrics, one model filter per provider host", () => {
    const filters = ofType(ev(), "aws:cloudwatch/logMetricFilter:LogMetricFilter");
    const byMetric = (m: string) => filters.filter((f) => (f.inputs.metricTransformation as { name: string }).name === m);
    expect(byMetric(METRICS.gatewayAuthFailures)[0].inputs).toMatchObject({ logGroupName: names.gateway, pattern: '{ $.message = "unauthorized conn=*" }' });
    expect(byMetric(METRICS.egressDenied).map((f) => [f.inputs.logGroupName, f.inputs.pattern])).toEqual([
      [names.egressProxy, '"TCP_DENIED"'],
      [names.egressProxy, EGRESS_SNI_REFUSED_PATTERN],
    ]);
    expect(byMetric(METRICS.egressUnchecked).map((f) => [f.inputs.logGroupName, f.inputs.pattern])).toEqual([[names.egressProxy, EGRESS_UNCHECKED_PATTERN]]);
    expect(byMetric(METRICS.modelApiConnections).map((f) => f.inputs.pattern)).toEqual(
      model.providers.map((p) => `"TCP_TUNNEL" "CONNECT api.${p}.com:443"`),
    );
    for (const f of filters) expect(f.inputs.metricTransformation).toMatchObject({ namespace, value: "1" });
  });

  it("sends every alarm, and its recovery, to the one topic, with the guides' thresholds", () => {
    const alarms = ofType(ev(), "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("gw-alarms-"));
    // Seven for every cell, a gateway-file read by another user, and agent executions where commands run.
    expect(alarms).toHaveLength(ALARM_COUNT[stack]);
    const topic = named(ev(), "aws:sns/topic:Topic", "gw-alerts-topic").state.arn;
    for (const a of alarms) {
      expect(a.inputs.alarmActions, a.name).toEqual([topic]);
      expect(a.inputs.okActions, a.name).toEqual([topic]);
    }
    const alarm = (suffix: string) => named(ev(), "aws:cloudwatch/metricAlarm:MetricAlarm", suffix).inputs;
    expect(alarm("gateway-auth-failures")).toMatchObject({ period: 600, threshold: 5, comparisonOperator: "GreaterThanThreshold", statistic: "Sum" });
    expect(alarm("gateway-unhealthy")).toMatchObject({ treatMissingData: "breaching", comparisonOperator: "LessThanThreshold", dimensions: { InstanceId: "i-0123456789abcdef0" } });
    expect(alarm("model-api-use")).toMatchObject({ period: 3600, threshold: 600 });
    expect(alarm("egress-unchecked")).toMatchObject({ namespace, metricName: METRICS.egressUnchecked, threshold: 1, period: 300, comparisonOperator: "GreaterThanOrEqualToThreshold" });
    expect(alarm("changes-outside-business-hours")).toMatchObject({ namespace, metricName: METRICS.changesOutsideBusinessHours, threshold: 1 });
  });

  it("detects changes outside business hours with a narrow, EventBridge-only function", () => {
    const fn = named(ev(), "aws:lambda/function:Function", "gw-alarms-detector").inputs;
    expect(fn.runtime).toBe("nodejs22.x");
    expect((fn.loggingConfig as { logGroup: string }).logGroup).toBe(names.changes);
    const env = (fn.environment as { variables: Record<string, string> }).variables;
    expect(JSON.parse(env.CLAWKEEP_BUSINESS_HOURS)).toEqual({ timeZone: "UTC", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "08:00", end: "18:00" });
    const ignored = JSON.parse(env.CLAWKEEP_IGNORED_PRINCIPALS) as string[];
    expect(ignored).toEqual(expect.arrayContaining([named(ev(), "aws:iam/role:Role", "gw-host-role").state.arn, named(ev(), "aws:iam/role:Role", "detector-role").state.arn]));
    const rule = named(ev(), "aws:cloudwatch/eventRule:EventRule", "gw-alarms-changes").inputs;
    expect(JSON.parse(String(rule.eventPattern))).toMatchObject({ "detail-type": ["AWS API Call via CloudTrail"], detail: { readOnly: [false] } });
    const perm = named(ev(), "aws:lambda/permission:Permission", "detector-invoke").inputs;
    expect(perm).toMatchObject({ principal: "events.amazonaws.com", sourceArn: named(ev(), "aws:cloudwatch/eventRule:EventRule", "gw-alarms-changes").state.arn });
    const policy = json(named(ev(), "aws:iam/rolePolicy:RolePolicy", "detector-policy").inputs.policy);
    expect(sid(policy, "CountChanges")).toMatchObject({ Condition: { StringEquals: { "cloudwatch:namespace": namespace } } });
  });

  it("lets the host write, never read, its own log groups and metric namespace", () => {
    const policy = json(named(ev(), "aws:iam/rolePolicy:RolePolicy", "host-ships-logs").inputs.policy);
    const ship = sid(policy, "ShipToOwnLogGroups") as { Action: string[]; Resource: string[] };
    expect(ship.Action).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
    expect(ship.Resource.filter((r) => !r.endsWith(":*")).map((r) => r.split("log-group:")[1]).sort()).toEqual(
      [names.gateway, names.egressProxy, names.hostAuth, names.hostAudit, names.sessions].sort(),
    );
    expect(sid(policy, "OwnMetricsOnly")).toMatchObject({ Condition: { StringEquals: { "cloudwatch:namespace": namespace } } });
  });

  it("shows every alarm on one dashboard", () => {
    const body = JSON.parse(String(named(ev(), "aws:cloudwatch/dashboard:Dashboard", "gw-alarms-dashboard").inputs.dashboardBody)) as { widgets: Array<{ type: string; properties: { alarms?: string[] } }> };
    const alarmArns = ofType(ev(), "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("gw-alarms-")).map((a) => a.state.arn);
    expect(body.widgets[0].properties.alarms?.sort()).toEqual(alarmArns.sort());
    expect(body.widgets.filter((w) => w.type === "metric")).toHaveLength(ALARM_COUNT[stack]);
    expect(body.widgets.some((w) => w.type === "log")).toBe(true);
  });

  it("creates Admin (MFA), Operator (MFA, denied secrets and decrypt) and Viewer, and no Guest role", () => {
    const roles = ofType(ev(), "aws:iam/role:Role").filter((r) => r.name.startsWith("gw-access-"));
    expect(roles.map((r) => r.name).sort()).toEqual(["gw-access-admin", "gw-access-operator", "gw-access-viewer"]);
    const trust = (n: string) => json(named(ev(), "aws:iam/role:Role", n).inputs.assumeRolePolicy).Statement[0] as { Principal: { AWS: string[] }; Condition?: Record<string, Record<string, string>> };
    expect(trust("gw-access-admin")).toMatchObject({ Principal: { AWS: ["arn:aws:iam::123456789012:role/platform-admins"] }, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
    expect(trust("gw-access-operator")).toMatchObject({ Principal: { AWS: ["arn:aws:iam::123456789012:root"] }, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
    expect(trust("gw-access-viewer").Condition).toBeUndefined();
    expect((named(ev(), "aws:iam/role:Role", "gw-access-operator").inputs.tags as Record<string, string>).SSMSessionRunAs).toBe(SESSION_USER);
    const operator = json(named(ev(), "aws:iam/rolePolicy:RolePolicy", "gw-access-operator-policy").inputs.policy);
    expect(sid(operator, "NeverSecretValuesOrDecrypt")).toMatchObject({ Effect: "Deny", Action: ["secretsmanager:GetSecretValue", "kms:Decrypt"], Resource: "*" });
    const start = sid(operator, "SessionsOnTheCellHostThroughItsDocuments") as { Resource: string[] };
    expect(start.Resource).toContain("arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0");
    for (const r of roles) expect(r.inputs.maxSessionDuration).toBe(3600);
  });

  it("makes sessions end after 30 idle minutes, stream to the encrypted group and run as a non-root user", () => {
    const d = named(ev(), "aws:ssm/document:Document", "gw-access-session-prefs").inputs;
    expect(d).toMatchObject({ documentType: "Session", documentFormat: "JSON", name: `clawkeep-${stack}-${model.cellName}-session` });
    const content = JSON.parse(String(d.content)) as { sessionType: string; inputs: Record<string, unknown> };
    expect(content.sessionType).toBe("Standard_Stream");
    expect(content.inputs).toMatchObject({
      idleSessionTimeout: "30",
      cloudWatchLogGroupName: names.sessions,
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      runAsEnabled: true,
      runAsDefaultUser: SESSION_USER,
    });
    expect(content.inputs.runAsDefaultUser).not.toBe("root");
  });
});
