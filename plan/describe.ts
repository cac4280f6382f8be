// One line of security-relevant settings per resource, for the plan's resource table.
import { isSecretValue } from "../policy/lib/engineValues";

type Props = Record<string, unknown>;
type Rule = { protocol?: string; fromPort?: number; toPort?: number; cidrBlocks?: string[] };

const ports = (r: Rule) => (r.protocol === "-1" ? "all" : `${r.protocol}/${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`}`);
const rules = (rs: unknown) => (Array.isArray(rs) && rs.length > 0 ? (rs as Rule[]).map((r) => `${ports(r)}<-${(r.cidrBlocks ?? []).join(",")}`).join(" ") : "none");
const yes = (v: unknown) => (v === true ? "yes" : "no");

/** `p` are the resource's inputs; `state` its outputs, for what AWS decides when the program does not say. */
export function describeSecurity(type: string, p: Props, state: Props = {}): string {
  switch (type) {
    case "aws:ec2/instance:Instance": {
      const md = (p.metadataOptions ?? {}) as Props;
      const root = (p.rootBlockDevice ?? {}) as Props;
      const inherited = p.associatePublicIpAddress === undefined ? state.associatePublicIpAddress : undefined;
      const publicIp = p.associatePublicIpAddress !== undefined ? yes(p.associatePublicIpAddress) : inherited === true ? "YES(subnet default)" : typeof inherited === "string" ? "UNKNOWN(subnet default)" : "no";
      return [
        `IMDSv2=${md.httpTokens === "required" ? "required" : "OPTIONAL"} hop=${String(md.httpPutResponseHopLimit ?? "default")}`,
        `root=${root.encrypted === true ? (root.kmsKeyId ? "encrypted(CMK)" : "encrypted(aws/ebs)") : "UNENCRYPTED"}`,
        `keyPair=${p.keyName ? String(p.keyName) : "none"}`,
        `publicIp=${publicIp}`,
      ].join(" ");
    }
    case "aws:ec2/securityGroup:SecurityGroup":
      return `in: ${rules(p.ingress)}; out: ${(Array.isArray(p.egress) ? (p.egress as Rule[]).map(ports).join(",") : "none")}`;
    case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
      return `rules: in ${Array.isArray(p.ingress) ? p.ingress.length : 0}, out ${Array.isArray(p.egress) ? p.egress.length : 0} (emptied)`;
    case "aws:kms/key:Key":
      return `rotation=${yes(p.enableKeyRotation)} every ${String(p.rotationPeriodInDays ?? 365)}d`;
    case "aws:cloudwatch/logGroup:LogGroup":
      return `retention=${String(p.retentionInDays ?? "forever")}d kms=${p.kmsKeyId ? "yes" : "NO"}`;
    case "aws:secretsmanager/secret:Secret":
      return `kms=${p.kmsKeyId ? "CMK" : "aws-managed"} recovery=${String(p.recoveryWindowInDays ?? 30)}d`;
    case "aws:secretsmanager/secretVersion:SecretVersion":
      return p.secretStringWo !== undefined ? "write-only value (never in state)" : isSecretValue(p.secretString) ? "value: secret" : "value: PLAIN";
    case "aws:secretsmanager/secretRotation:SecretRotation": {
      const r = (p.rotationRules ?? {}) as Props;
      return `every ${String(r.automaticallyAfterDays ?? r.scheduleExpression ?? "?")}${r.automaticallyAfterDays ? "d" : ""}`;
    }
    case "aws:ec2/flowLog:FlowLog":
      return `traffic=${String(p.trafficType)} -> ${String(p.logDestinationType ?? "cloud-watch-logs")}`;
    case "aws:sns/topic:Topic":
      return `kms=${p.kmsMasterKeyId ? "yes" : "NO"}`;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return `${String(p.metricName ?? "metric")} actions=${Array.isArray(p.alarmActions) ? p.alarmActions.length : 0}`;
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return String(p.policyArn).split("/").pop() ?? "";
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return `${String(p.vpcEndpointType ?? "Gateway")} ${String(p.serviceName).split(".").pop()}`;
    case "aws:lambda/function:Function":
      return `runtime=${String(p.runtime)} concurrency=${String(p.reservedConcurrentExecutions ?? "unreserved")}`;
    case "aws:lambda/permission:Permission":
      return `principal=${String(p.principal)} sourceAccount=${p.sourceAccount ? "set" : "NONE"}`;
    default:
      return "";
  }
}
