// Agent hosts and where their audit goes. An agent host is a host whose user data installs or runs
// OpenClaw (instances, spot requests, launch templates and configurations, spot fleet specifications)
// or an ECS service whose task runs an OpenClaw image. Its audit is "off the host" when the program
// shows a way for its logs to leave it: a log shipper configured on it (the CloudWatch agent with a logs
// section, Fluent Bit, Vector, rsyslog or journald forwarding, an OpenTelemetry collector, a Docker or
// ECS log driver), or a CloudTrail trail in the program
// that is logging (who used the host, its role and its secrets). A role allowed to write CloudWatch Logs is
// named in findings only: a permission ships nothing.
import { parsePolicy } from "./policyDoc";
import { UNKNOWN } from "./references";
import { at, flag, known, label, type StackIndex } from "./stackIndex";
import type { StackResource } from "./types";
import { hostBundleFiles, hostPayload } from "./userData";
import { asArray, isRecord } from "./values";

export const AUDIT = {
  trail: "aws:cloudtrail/trail:Trail",
  ecsService: "aws:ecs/service:Service",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  instanceProfile: "aws:iam/instanceProfile:InstanceProfile",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  ssmParameter: "aws:ssm/parameter:Parameter",
  ssmAssociation: "aws:ssm/association:Association",
  bucketObjects: ["aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject"],
} as const;

const USER_DATA_HOSTS = ["aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest", "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/launchConfiguration:LaunchConfiguration"];
export const AGENT_HOST_TYPES = [...USER_DATA_HOSTS, "aws:ec2/spotFleetRequest:SpotFleetRequest", AUDIT.ecsService] as const;

const OPENCLAW = /\bopenclaw\b/i;

export interface AgentHost {
  at: StackResource;
  what: string;
  /** Texts the host receives (user data, the files it writes). */
  texts: string[];
  /** The instance profile reference, for the role check (EC2 hosts). */
  profile?: unknown;
  /** Container log drivers of its OpenClaw containers (ECS). */
  logDrivers?: Array<string | undefined>;
}

/** Every agent host of the stack. */
const hostCache = new WeakMap<StackIndex, AgentHost[]>();

export function agentHosts(index: StackIndex): AgentHost[] {
  const hit = hostCache.get(index);
  if (hit) return hit;
  const out: AgentHost[] = [];
  hostCache.set(index, out);
  // What lands on the host (user data in every form, decoded by the one host-payload decoder).
  const fromProps = (r: StackResource, profile: unknown) => {
    const payload = hostPayload(r.type, r.props);
    const texts = [...payload.texts.map((t) => t.text), ...payload.commands.map((c) => c.line)];
    if (texts.some((t) => OPENCLAW.test(t))) out.push({ at: r, what: label(r), texts, profile });
  };
  for (const r of index.of(...USER_DATA_HOSTS)) {
    const profile = r.type.includes("launchTemplate") ? (known(at(r.props, "iamInstanceProfile", "arn")) ?? known(at(r.props, "iamInstanceProfile", "name"))) : known(at(r.props, "iamInstanceProfile"));
    fromProps(r, profile);
  }
  for (const f of index.of("aws:ec2/spotFleetRequest:SpotFleetRequest")) {
    const spec = asArray(known(at(f.props, "launchSpecifications"))).find(isRecord);
    fromProps(f, spec ? (known(at(spec, "iamInstanceProfileArn")) ?? known(at(spec, "iamInstanceProfile"))) : undefined);
  }
  for (const s of index.of(AUDIT.ecsService)) {
    for (const td of index.resolve(s, at(s.props, "taskDefinition"), [AUDIT.taskDefinition], ["arn", "id", "family"])) {
      const raw = known(at(td.props, "containerDefinitions"));
      let defs: unknown = raw;
      if (typeof raw === "string") {
        try {
          defs = JSON.parse(raw);
        } catch {
          defs = [];
        }
      }
      const agents = asArray(defs).filter((c) => OPENCLAW.test(String(known(at(c, "image")) ?? "")));
      if (agents.length === 0) continue;
      out.push({ at: s, what: `${label(s)} (task ${label(td)})`, texts: [], logDrivers: agents.map((c) => known(at(c, "logConfiguration", "logDriver")) as string | undefined) });
    }
  }
  return out;
}

/** Container log drivers that keep logs on the host. */
const LOCAL_DRIVERS = ["json-file", "local", "none", "journald"];

// Shippers, recognised by what configures them to send somewhere.
const SHIPPERS: Array<{ name: string; test: (t: string) => boolean }> = [
  { name: "Fluent Bit", test: (t) => /\[OUTPUT\][^[]*?\bName\s+(?!stdout\b|file\b|null\b|counter\b)\w+/i.test(t) },
  { name: "Vector", test: (t) => /\[sinks\.[^\]]+\][^[]*?type\s*=\s*"(?!console|file|blackhole)\w+"/i.test(t) || /sinks:\s*\n(\s+[\w-]+:\s*\n)+\s+type:\s*(?!console|file|blackhole)\w+/i.test(t) },
  { name: "rsyslog forwarding", test: (t) => /^\s*[*\w.,;!=-]+\s+@@?[[\]\w.:-]+/m.test(t) || /action\s*\(\s*type\s*=\s*"om(fwd|relp|elasticsearch|kafka|http)"/i.test(t) },
  { name: "systemd-journal-upload", test: (t) => /systemd-journal-upload|journal-upload\.conf/i.test(t) && /\bURL\s*=\s*\S+/i.test(t) },
  { name: "an OpenTelemetry collector", test: (t) => /exporters:\s*\n\s+(awscloudwatchlogs|otlp|otlphttp|loki|splunk_hec|datadog|awss3|kafka|elasticsearch)\b/i.test(t) },
  { name: "Promtail / Grafana Alloy", test: (t) => /clients:\s*\n\s*-\s*url:\s*\S+/i.test(t) || /loki\.write\s+"/i.test(t) },
  { name: "a Docker log driver", test: (t) => /--log-driver[= ]+(?!json-file|local|none|journald)["']?[a-z]/i.test(t) },
];

/** A CloudWatch agent config that collects logs (files or the journal). */
const collectsLogs = (t: string) => /"logs_collected"\s*:/.test(t) && /"(collect_list|log_group_name)"\s*:/.test(t);
const STARTS_CW_AGENT = /amazon-cloudwatch-agent(-ctl)?\b[^\n]*fetch-config|amazon-cloudwatch-agent\.service|amazon-cloudwatch-agent\b/;

/** Texts of the program a host may load its agent config from: host bundles, SSM parameters named in `-c ssm:NAME`. */
function programConfigs(index: StackIndex, texts: string[]): string[] {
  const out: string[] = [];
  for (const o of index.of(...AUDIT.bucketObjects)) for (const f of hostBundleFiles(o.props)) if (f.content) out.push(f.content);
  const ssmNames = texts.flatMap((t) => [...t.matchAll(/-c\s+["']?ssm:([^\s"']+)/g)].map((m) => m[1]));
  for (const name of ssmNames) {
    for (const p of index.find([AUDIT.ssmParameter], ["name", "id"], name)) {
      const v = known(at(p.props, "value")) ?? known(at(p.props, "insecureValue"));
      if (typeof v === "string") out.push(v);
    }
  }
  return out;
}

/**
 * How the host's logs leave it ({ships}), or that a CloudWatch agent starts with a config the program
 * does not hold ({unseen}: only the account or the image knows what it collects), or {} for nothing.
 */
export function shipping(index: StackIndex, host: AgentHost): { ships?: string; unseen?: string } {
  if (host.logDrivers) {
    const drivers = host.logDrivers.filter((d): d is string => typeof d === "string" && !LOCAL_DRIVERS.includes(d));
    return drivers.length === host.logDrivers.length && drivers.length > 0 ? { ships: `the ${drivers[0]} log driver` } : {};
  }
  for (const s of SHIPPERS) if (host.texts.some(s.test)) return { ships: s.name };
  if (host.texts.some((t) => STARTS_CW_AGENT.test(t))) {
    const configs = [...host.texts, ...programConfigs(index, host.texts)];
    if (configs.some(collectsLogs)) return { ships: "the CloudWatch agent" };
    if (index.of(AUDIT.ssmAssociation).some((a) => known(at(a.props, "name")) === "AmazonCloudWatch-ManageAgent")) return { ships: "the CloudWatch agent (configured by SSM)" };
    const source = host.texts.map((t) => /-c\s+["']?((?:file|ssm):[^\s"']+)/.exec(t)?.[1]).find((x) => x !== undefined);
    if (source && !configs.some((t) => /"logs_collected"|"metrics_collected"/.test(t))) return { unseen: `what the CloudWatch agent collects: it loads ${source}, which the program does not hold` };
  }
  return {};
}

const WRITES_LOGS = ["logs:putlogevents", "logs:put*", "logs:*", "*"];

/** Resources of `type` whose `role` names this role (by name, id or ARN; under preview, by dependency). */
function attachedTo(index: StackIndex, role: StackResource, type: string): StackResource[] {
  const handles = ["name", "id", "arn"].map((k) => known(at(role.props, k))).filter((v): v is string => typeof v === "string");
  const byHandle = handles.flatMap((h) => index.find([type], ["role"], h));
  const byDependency = index.of(type).filter((r) => at(r.props, "role") === UNKNOWN && r.dependencies.includes(role.urn));
  return [...new Set([...byHandle, ...byDependency])];
}

/** Can the host's instance role write CloudWatch Logs? Said in findings: the permission alone ships nothing. */
export function roleWritesLogs(index: StackIndex, host: AgentHost): string | undefined {
  if (host.profile === undefined) return undefined;
  const profiles = index.resolve(host.at, host.profile as string, [AUDIT.instanceProfile], ["name", "arn", "id"]);
  for (const p of profiles) {
    for (const role of index.resolve(p, at(p.props, "role"), [AUDIT.role], ["name", "id", "arn"])) {
      const docs: unknown[] = [...asArray(known(at(role.props, "inlinePolicies"))).map((x) => known(at(x, "policy")))];
      for (const rp of attachedTo(index, role, AUDIT.rolePolicy)) docs.push(known(at(rp.props, "policy")));
      const arns = [...asArray(known(at(role.props, "managedPolicyArns")))];
      for (const a of attachedTo(index, role, AUDIT.rolePolicyAttachment)) arns.push(known(at(a.props, "policyArn")));
      if (arns.some((arn) => typeof arn === "string" && /:policy\/CloudWatchAgentServerPolicy$/.test(arn))) return "its role has CloudWatchAgentServerPolicy";
      for (const arn of arns) for (const pol of index.find([AUDIT.policy], ["arn", "id"], String(arn))) docs.push(known(at(pol.props, "policy")));
      for (const doc of docs) {
        const allows = parsePolicy(doc).statements.some((s) => s.effect === "Allow" && s.actions.some((a) => WRITES_LOGS.includes(a.toLowerCase())));
        if (allows) return `its role may write CloudWatch Logs (${label(role)})`;
      }
    }
  }
  return undefined;
}

// Management event sources a trail may leave out (AWS accepts only these two exclusions; both are high-volume data-plane APIs).
const EXCLUDABLE_SOURCES = ["kms.amazonaws.com", "rdsdata.amazonaws.com"];

const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
const onlyExcludable = (v: unknown) => asArray(v).every((s) => typeof s === "string" && EXCLUDABLE_SOURCES.includes(s.toLowerCase()));

/** Does one advanced event selector record write management events (of every source)? */
function advancedRecordsWrites(selector: unknown): boolean | undefined {
  const fields = asArray(known(at(selector, "fieldSelectors")));
  if (fields.length === 0) return undefined;
  const of = (name: string) => fields.filter((f) => lower(known(at(f, "field"))) === name.toLowerCase());
  const category = of("eventCategory");
  if (!category.some((f) => asArray(known(at(f, "equals"))).some((v) => lower(v) === "management"))) return false;
  for (const f of of("readOnly")) {
    const equals = asArray(known(at(f, "equals"))).map(lower);
    const notEquals = asArray(known(at(f, "notEquals"))).map(lower);
    if (equals.length > 0 && !equals.includes("false")) return false;
    if (notEquals.includes("false")) return false;
  }
  for (const f of of("eventSource")) {
    if (["equals", "startsWith", "endsWith", "notStartsWith", "notEndsWith"].some((k) => asArray(known(at(f, k))).length > 0)) return false;
    if (!onlyExcludable(known(at(f, "notEquals")))) return false;
  }
  return true;
}

/**
 * Does the trail record write management events (who created, changed or deleted what)? A trail
 * with no selectors records all management events; basic selectors need includeManagementEvents (default
 * true) with readWriteType All or WriteOnly; advanced selectors need eventCategory Management without
 * readOnly true or an eventSource filter beyond AWS's two allowed exclusions. UNKNOWN when preview hides it.
 */
export function recordsWriteManagementEvents(trailProps: unknown): boolean | typeof UNKNOWN {
  const basicRaw = at(trailProps, "eventSelectors");
  const advancedRaw = at(trailProps, "advancedEventSelectors");
  if (basicRaw === UNKNOWN || advancedRaw === UNKNOWN) return UNKNOWN;
  const basic = asArray(basicRaw);
  const advanced = asArray(advancedRaw);
  if (basic.length === 0 && advanced.length === 0) return true;
  if (advanced.length > 0) return advanced.some((s) => advancedRecordsWrites(s) === true);
  return basic.some((s) => {
    if (flag(known(at(s, "includeManagementEvents"))) === false) return false;
    const rw = known(at(s, "readWriteType")) ?? "All";
    if (rw !== "All" && rw !== "WriteOnly") return false;
    return onlyExcludable(known(at(s, "excludeManagementEventSources")));
  });
}
