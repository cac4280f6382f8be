// What the offline plan answers in place of AWS and Tailscale: computed outputs of new resources as AWS
// would fill them in, and the lookups a Pulumi AWS program commonly makes. An answer is either what
// AWS returns for every account (the default VPC's 172.31.0.0/16, an AWS managed policy, the newest AMI
// of a public image family) or an identifier of no consequence; whatever only the account knows (a
// tagged VPC's CIDR, a parameter's value, a secret) is an unknown marker (policy/lib/unknown.ts), so a
// rule that needs it says "cannot judge" instead of judging a guess. An invoke with no answer at all
// is a NoOfflineAnswer: the evaluation reports it as a blind spot.
import { createHash } from "node:crypto";
import { AWS_MANAGED_POLICY_PREFIX, managedPolicyDocument, managedPolicyName } from "../policy/lib/awsManagedPolicies";
import { unknownValue } from "../policy/lib/unknown";

export const MOCK_ACCOUNT = "123456789012";
/** Stands in for the newest official Debian 12 AMI that aws.ec2.getAmi would find. */
export const MOCK_DEBIAN_AMI = "ami-0d3b1a2c3e4f5a6b7";
const DEBIAN_OWNER = "136693071363";

/** Every account's default VPC in a region: 172.31.0.0/16, one default subnet per zone, each mapping a public IPv4 on launch. */
export const DEFAULT_VPC = {
  id: "vpc-0defa17c0ffee0001",
  cidrBlock: "172.31.0.0/16",
  securityGroupId: "sg-0defa17c0ffee0001",
  internetGatewayId: "igw-0defa17c0ffee0001",
  mainRouteTableId: "rtb-0defa17c0ffee0001",
} as const;
const ZONE_LETTERS = ["a", "b", "c"] as const;
/** Default subnets: 172.31.0.0/20, 172.31.16.0/20, ... as AWS carves them. */
export const defaultSubnetId = (i: number) => `subnet-0defa17c0ffee000${ZONE_LETTERS[i]}`;
const defaultSubnetCidr = (i: number) => `172.31.${i * 16}.0/20`;

/** Thrown for an invoke the offline plan has no answer for; the evaluation turns it into a blind spot. */
export class NoOfflineAnswer extends Error {
  constructor(readonly token: string) {
    super(`the offline plan has no answer for the lookup ${token}`);
    this.name = "NoOfflineAnswer";
  }
}

/** A lookup as answered: which of its fields are unknown markers. */
export interface AnsweredLookup {
  token: string;
  /** The lookup's arguments, shortened for the report. */
  args: string;
  unknown: string[];
  /** file:line of the program that made it, when the evaluation could tell. */
  site?: string;
}

const serviceOf = (type: string) => type.split(":")[1]?.split("/")[0] ?? "unknown";
const hash = (v: unknown) => createHash("sha256").update(JSON.stringify(v) ?? "").digest("hex");
const fakeId = (prefix: string, v: unknown) => `${prefix}-0${hash(v).slice(0, 16)}`;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

type Filter = { name?: string; values?: unknown[] };
function filterValues(inputs: Record<string, unknown>, name: string): string[] | undefined {
  const filters = Array.isArray(inputs.filters) ? (inputs.filters as Filter[]) : [];
  const f = filters.find((x) => x?.name === name);
  return f && Array.isArray(f.values) ? f.values.map(String) : undefined;
}
const brief = (inputs: Record<string, unknown>) => {
  const s = JSON.stringify(inputs);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/** AWS's short zone-id prefix for a region (us-east-1 -> use1, ap-southeast-2 -> apse2). */
export function zoneIdPrefix(region: string): string {
  const [geo, dir, n] = region.split("-");
  const short: Record<string, string> = { east: "e", west: "w", central: "c", north: "n", south: "s", northeast: "ne", southeast: "se", northwest: "nw", southwest: "sw" };
  return `${geo}${short[dir] ?? dir?.[0] ?? ""}${n ?? ""}`;
}

interface PolicyStatementInput {
  sid?: string;
  effect?: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: Array<{ type: string; identifiers: string[] }>;
  notPrincipals?: Array<{ type: string; identifiers: string[] }>;
  conditions?: Array<{ test: string; variable: string; values: string[] }>;
}

const one = <T>(xs: T[]): T | T[] => (xs.length === 1 ? xs[0] : xs);

function principalBlock(ps: Array<{ type: string; identifiers: string[] }>): unknown {
  if (ps.length === 1 && ps[0].type === "*") return "*";
  const out: Record<string, unknown> = {};
  for (const p of ps) out[p.type] = one(p.identifiers);
  return out;
}

function statementJson(s: PolicyStatementInput): Record<string, unknown> {
  const st: Record<string, unknown> = {};
  if (s.sid) st.Sid = s.sid;
  st.Effect = s.effect ?? "Allow";
  if (s.actions) st.Action = one(s.actions);
  if (s.notActions) st.NotAction = one(s.notActions);
  if (s.resources) st.Resource = one(s.resources);
  if (s.notResources) st.NotResource = one(s.notResources);
  if (s.principals) st.Principal = principalBlock(s.principals);
  if (s.notPrincipals) st.NotPrincipal = principalBlock(s.notPrincipals);
  if (s.conditions) {
    const cond: Record<string, Record<string, unknown>> = {};
    for (const c of s.conditions) (cond[c.test] ??= {})[c.variable] = one(c.values);
    st.Condition = cond;
  }
  return st;
}

/**
 * The JSON aws.iam.getPolicyDocument would return, so rules judge the real document: the source
 * documents' statements, replaced by Sid with the document's own, then with the override documents'.
 */
export function policyDocumentJson(inputs: { statements?: PolicyStatementInput[]; version?: string; sourcePolicyDocuments?: string[]; overridePolicyDocuments?: string[] }): string {
  const parsed = (docs: string[] | undefined) => (docs ?? []).flatMap((d) => [(JSON.parse(d) as { Statement?: unknown }).Statement ?? []].flat() as Array<Record<string, unknown>>);
  const merged: Array<Record<string, unknown>> = [];
  const put = (st: Record<string, unknown>) => {
    const at = typeof st.Sid === "string" && st.Sid !== "" ? merged.findIndex((m) => m.Sid === st.Sid) : -1;
    if (at >= 0) merged[at] = st;
    else merged.push(st);
  };
  for (const st of parsed(inputs.sourcePolicyDocuments)) put(st);
  for (const st of (inputs.statements ?? []).map(statementJson)) put(st);
  for (const st of parsed(inputs.overridePolicyDocuments)) put(st);
  return JSON.stringify({ Version: inputs.version ?? "2012-10-17", Statement: merged });
}

interface KnownSubnet {
  vpcId: unknown;
  mapPublicIpOnLaunch: unknown;
  defaultSecurityGroupId: unknown;
}

/**
 * The AWS account the offline plan pretends to be, for one evaluation: it remembers the networks a
 * program creates (so an instance launched into them gets the addressing AWS would give it) and every
 * lookup it answered (for the report).
 */
export class MockCloud {
  readonly lookups: AnsweredLookup[] = [];
  private readonly subnets = new Map<string, KnownSubnet>();
  private readonly vpcDefaultSg = new Map<string, string>();

  constructor(readonly region: string) {
    ZONE_LETTERS.forEach((_, i) => this.subnets.set(defaultSubnetId(i), { vpcId: DEFAULT_VPC.id, mapPublicIpOnLaunch: true, defaultSecurityGroupId: DEFAULT_VPC.securityGroupId }));
  }

  private arn(service: string, resource: string, global = false): string {
    return `arn:aws:${service}:${global ? "" : this.region}:${MOCK_ACCOUNT}:${resource}`;
  }

  /**
   * Outputs of a new resource (inputs plus what AWS computes), or of an existing one a program reads
   * with `.get` (`readId`): then every output the program may read but did not give is unknown.
   */
  newResource(type: string, name: string, inputs: Record<string, unknown>, readId?: string, outputNames: readonly string[] = []): { id: string; state: Record<string, unknown> } {
    if (readId !== undefined) return this.readResource(type, name, inputs, readId, outputNames);
    // An access key's id is its AKIA... key id.
    const id = type === "aws:iam/accessKey:AccessKey" ? `AKIA${hash(name).slice(0, 16).toUpperCase()}` : `${name}-id`;
    const service = serviceOf(type);
    const global = service === "iam";
    const arn = `arn:aws:${service}:${global ? "" : this.region}:${MOCK_ACCOUNT}:${type.split(":").pop()?.toLowerCase()}/${name}`;
    const state: Record<string, unknown> = { ...inputs, id, arn: inputs.arn ?? arn };
    if (inputs.name === undefined && type.startsWith("aws:")) state.name = name;
    switch (type) {
      case "aws:ec2/vpc:Vpc":
        state.defaultSecurityGroupId = `${name}-default-sg`;
        state.mainRouteTableId = `${name}-main-rt`;
        // The provider reports the main route table under both names (DefaultRouteTable adopts it by this one).
        state.defaultRouteTableId = state.mainRouteTableId;
        this.vpcDefaultSg.set(id, `${name}-default-sg`);
        break;
      case "aws:ec2/subnet:Subnet":
        // A subnet AWS creates maps no public IPv4 unless asked.
        state.mapPublicIpOnLaunch = inputs.mapPublicIpOnLaunch ?? false;
        this.subnets.set(id, {
          vpcId: inputs.vpcId,
          mapPublicIpOnLaunch: state.mapPublicIpOnLaunch,
          defaultSecurityGroupId: this.vpcDefaultSg.get(String(inputs.vpcId)) ?? unknownValue(`the default security group of VPC ${String(inputs.vpcId)}`),
        });
        break;
      case "aws:ec2/securityGroup:SecurityGroup":
        // Without a VPC, AWS puts the group in the region's default VPC.
        state.vpcId = inputs.vpcId ?? DEFAULT_VPC.id;
        break;
      case "aws:kms/key:Key":
        state.keyId = `${name}-key-id`;
        break;
      case "aws:ec2/instance:Instance":
        Object.assign(state, this.instanceAddressing(inputs));
        state.arn = `arn:aws:ec2:${this.region}:${MOCK_ACCOUNT}:instance/${id}`;
        state.privateIp = "10.42.1.10";
        state.primaryNetworkInterfaceId = `${name}-eni`;
        break;
      case "aws:ec2/spotInstanceRequest:SpotInstanceRequest":
        // AWS fills in the instance that fulfils the request (alarms watch it).
        state.spotInstanceId = `${name}-spot-instance`;
        break;
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2":
        // S3 ARNs carry neither region nor account.
        state.arn = `arn:aws:s3:::${String(inputs.bucket ?? name)}`;
        break;
      case "aws:iam/role:Role":
        // A role's path is part of its ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME).
        state.arn = `arn:aws:iam::${MOCK_ACCOUNT}:role${String(inputs.path ?? "/")}${String(inputs.name ?? name)}`;
        break;
      case "aws:ssm/document:Document":
        state.arn = `arn:aws:ssm:${this.region}:${MOCK_ACCOUNT}:document/${String(inputs.name ?? name)}`;
        break;
      case "aws:secretsmanager/secret:Secret":
        state.arn = `arn:aws:secretsmanager:${this.region}:${MOCK_ACCOUNT}:secret:${String(inputs.name ?? name)}-AbCdEf`;
        break;
      case "aws:lambda/function:Function":
        state.arn = `arn:aws:lambda:${this.region}:${MOCK_ACCOUNT}:function:${String(inputs.name ?? name)}`;
        state.invokeArn = `${state.arn as string}/invocations`;
        break;
      case "aws:sns/topic:Topic":
        state.arn = `arn:aws:sns:${this.region}:${MOCK_ACCOUNT}:${String(inputs.name ?? name)}`;
        break;
      case "aws:cloudwatch/logGroup:LogGroup":
        state.arn = `arn:aws:logs:${this.region}:${MOCK_ACCOUNT}:log-group:${String(inputs.name ?? name)}`;
        break;
      case "aws:ebs/volume:Volume": {
        // vol- and 17 hex digits, as EC2 forms them (the host finds the volume by this id).
        const volumeId = `vol-0${hash(name).slice(0, 16)}`;
        state.arn = `arn:aws:ec2:${this.region}:${MOCK_ACCOUNT}:volume/${volumeId}`;
        return { id: volumeId, state: { ...state, id: volumeId } };
      }
      case "aws:ec2/volumeAttachment:VolumeAttachment":
        state.deviceName = inputs.deviceName;
        break;
      case "aws:ssm/parameter:Parameter":
        // A parameter's ARN carries its path without a second slash (arn:...:parameter/a/b).
        state.arn = `arn:aws:ssm:${this.region}:${MOCK_ACCOUNT}:parameter${String(inputs.name ?? `/${name}`).startsWith("/") ? "" : "/"}${String(inputs.name ?? name)}`;
        break;
      // Credentials a resource mints look like the real ones, so a program that copies one into user
      // data, a tag or an environment is judged on what AWS and Tailscale would store (never a real key).
      case "tailscale:index/tailnetKey:TailnetKey":
        state.key = `tskey-auth-k${hash(name).slice(0, 12)}CNTRL-${Buffer.from(hash(["key", name]), "hex").toString("base64url").slice(0, 32)}`;
        break;
      case "aws:iam/accessKey:AccessKey":
        state.secret = Buffer.from(hash(["secret", name]), "hex").toString("base64").slice(0, 40);
        state.sesSmtpPasswordV4 = Buffer.from(hash(["smtp", name]), "hex").toString("base64").slice(0, 44);
        break;
    }
    return { id, state };
  }

  /**
   * Where AWS puts an instance that does not say: the default VPC's default subnet, and a public
   * IPv4 whenever the subnet maps one on launch.
   */
  private instanceAddressing(inputs: Record<string, unknown>): Record<string, unknown> {
    // From a launch template or an existing network interface, the rest comes from them: the rules resolve it.
    if (inputs.launchTemplate !== undefined || inputs.networkInterfaces !== undefined) return {};
    const subnetId = str(inputs.subnetId) ?? defaultSubnetId(0);
    const subnet = this.subnets.get(subnetId);
    const out: Record<string, unknown> = { subnetId };
    // Its security groups, when it names none, are its VPC's default group: the rules resolve that (a preview leaves them unknown).
    if (inputs.associatePublicIpAddress === undefined) {
      out.associatePublicIpAddress = subnet ? subnet.mapPublicIpOnLaunch : unknownValue(`whether subnet ${subnetId} maps a public IPv4 on launch`);
    }
    const publicIp = out.associatePublicIpAddress ?? inputs.associatePublicIpAddress;
    if (publicIp === true) out.publicIp = "203.0.113.10";
    else if (typeof publicIp === "string") out.publicIp = publicIp;
    return out;
  }

  private readResource(type: string, name: string, inputs: Record<string, unknown>, id: string, outputNames: readonly string[]): { id: string; state: Record<string, unknown> } {
    const state: Record<string, unknown> = { ...inputs, id };
    for (const k of outputNames) {
      if (k === "id" || k === "urn" || state[k] !== undefined) continue;
      state[k] = unknownValue(`${k} of the existing ${type} ${id}`);
    }
    // A VPC's own default group, read right after the program created the VPC, still has AWS's rules.
    if (type === "aws:ec2/securityGroup:SecurityGroup" && [...this.vpcDefaultSg.values()].includes(id)) {
      state.ingress = [{ protocol: "-1", fromPort: 0, toPort: 0, self: true, cidrBlocks: [], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [] }];
      state.egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [] }];
    }
    if (type === "aws:ec2/subnet:Subnet") this.subnets.set(id, this.subnets.get(id) ?? { vpcId: state.vpcId, mapPublicIpOnLaunch: state.mapPublicIpOnLaunch, defaultSecurityGroupId: unknownValue(`the default security group of the VPC of subnet ${id}`) });
    void name;
    return { id, state };
  }

  /** Answer an invoke, recording it; throws NoOfflineAnswer when the plan has none. */
  call(token: string, inputs: Record<string, unknown>, site?: string): Record<string, unknown> {
    const answer = this.answer(token, inputs);
    const unknown = Object.entries(answer).flatMap(([k, v]) => (JSON.stringify(v) ?? "").includes("[unknown: ") ? [k] : []);
    this.lookups.push({ token, args: brief(inputs), unknown, site });
    return answer;
  }

  private answer(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const region = this.region;
    switch (token) {
      case "aws:index/getRegion:getRegion":
        return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/offline-plan`, userId: "AIDAOFFLINEPLAN", id: MOCK_ACCOUNT };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {
          names: ZONE_LETTERS.map((l) => `${region}${l}`),
          zoneIds: ZONE_LETTERS.map((_, i) => `${zoneIdPrefix(region)}-az${i + 1}`),
          groupNames: [region],
          state: str(inputs.state) ?? "available",
          id: region,
        };
      case "aws:iam/getPolicyDocument:getPolicyDocument": {
        let json: string;
        try {
          json = policyDocumentJson(inputs as Parameters<typeof policyDocumentJson>[0]);
        } catch {
          // A source or override document that is itself unknown (or not JSON) makes the result unknown.
          json = unknownValue(`a policy document merged from documents the offline plan cannot read (${brief(inputs)})`);
        }
        return { json, minifiedJson: json, id: hash(json).slice(0, 10) };
      }
      case "aws:ec2/getVpc:getVpc":
        return this.vpc(inputs);
      case "aws:ec2/getVpcs:getVpcs": {
        const isDefault = filterValues(inputs, "is-default")?.includes("true") || filterValues(inputs, "isDefault")?.includes("true");
        return { ids: isDefault ? [DEFAULT_VPC.id] : [unknownValue(`ids of the VPCs matching ${brief(inputs)}`)], id: region };
      }
      case "aws:ec2/getSubnets:getSubnets":
      case "aws:ec2/getSubnetIds:getSubnetIds":
        return { ids: this.subnetIds(inputs), id: region };
      case "aws:ec2/getSubnet:getSubnet":
        return this.subnet(inputs);
      case "aws:ec2/getSecurityGroup:getSecurityGroup":
        return this.securityGroup(inputs);
      case "aws:ec2/getSecurityGroups:getSecurityGroups": {
        const names = filterValues(inputs, "group-name");
        const vpcs = filterValues(inputs, "vpc-id");
        const dflt = names?.length === 1 && names[0] === "default" && (!vpcs || vpcs.includes(DEFAULT_VPC.id));
        return dflt
          ? { ids: [DEFAULT_VPC.securityGroupId], vpcIds: [DEFAULT_VPC.id], arns: [this.arn("ec2", `security-group/${DEFAULT_VPC.securityGroupId}`)], id: region }
          : { ids: [unknownValue(`ids of the security groups matching ${brief(inputs)}`)], vpcIds: [unknownValue("their VPCs")], arns: [unknownValue("their ARNs")], id: region };
      }
      case "aws:ec2/getInternetGateway:getInternetGateway": {
        const vpc = filterValues(inputs, "attachment.vpc-id");
        const id = str(inputs.internetGatewayId) ?? (vpc?.includes(DEFAULT_VPC.id) ? DEFAULT_VPC.internetGatewayId : fakeId("igw", inputs));
        return { id, internetGatewayId: id, arn: this.arn("ec2", `internet-gateway/${id}`), ownerId: MOCK_ACCOUNT, attachments: [{ state: "available", vpcId: vpc?.[0] ?? unknownValue(`the VPC of ${id}`) }] };
      }
      case "aws:ec2/getAmi:getAmi":
        return this.ami(inputs);
      case "aws:ec2/getAmiIds:getAmiIds":
        return { ids: [this.ami(inputs).id], id: region };
      case "aws:ec2/getInstance:getInstance": {
        const id = str(inputs.instanceId) ?? fakeId("i", inputs);
        const unknownOf = (k: string) => unknownValue(`${k} of the existing instance ${id}`);
        return {
          id,
          arn: this.arn("ec2", `instance/${id}`),
          ami: unknownOf("ami"),
          instanceType: unknownOf("instanceType"),
          associatePublicIpAddress: unknownOf("associatePublicIpAddress"),
          publicIp: unknownOf("publicIp"),
          privateIp: unknownOf("privateIp"),
          subnetId: unknownOf("subnetId"),
          vpcSecurityGroupIds: [unknownOf("vpcSecurityGroupIds")],
          iamInstanceProfile: unknownOf("iamInstanceProfile"),
          keyName: unknownOf("keyName"),
          metadataOptions: [{ httpTokens: unknownOf("metadataOptions.httpTokens"), httpEndpoint: unknownOf("metadataOptions.httpEndpoint"), httpPutResponseHopLimit: unknownOf("metadataOptions.httpPutResponseHopLimit") }],
          rootBlockDevices: [{ encrypted: unknownOf("rootBlockDevice.encrypted") }],
          userData: unknownOf("userData"),
          tags: inputs.instanceTags ?? {},
        };
      }
      case "aws:ec2/getInstances:getInstances":
        return { ids: [unknownValue(`ids of the instances matching ${brief(inputs)}`)], privateIps: [unknownValue("their private IPs")], publicIps: [unknownValue("their public IPs")], id: region };
      case "aws:ec2/getPrefixList:getPrefixList":
      case "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
        const name = str(inputs.name) ?? filterValues(inputs, "prefix-list-name")?.[0];
        if (name && /^com\.amazonaws\.[a-z0-9-]+\.(s3|dynamodb)$/.test(name)) {
          const id = fakeId("pl", name);
          return { id, prefixListId: str(inputs.prefixListId) ?? id, name, cidrBlocks: [unknownValue(`the CIDRs of AWS's ${name} prefix list`)], entries: [], ownerId: "AWS", addressFamily: "IPv4" };
        }
        const id = str(inputs.prefixListId) ?? str(inputs.id) ?? fakeId("pl", inputs);
        return { id, prefixListId: id, name: name ?? unknownValue(`the name of prefix list ${id}`), cidrBlocks: [unknownValue(`the CIDRs of prefix list ${id}`)], entries: [{ cidr: unknownValue(`the CIDRs of prefix list ${id}`) }], ownerId: unknownValue(`the owner of prefix list ${id}`) };
      }
      case "aws:ebs/getEncryptionByDefault:getEncryptionByDefault":
        // An account setting: off unless the account turned it on, which only the account knows.
        return { enabled: unknownValue("whether the account encrypts new EBS volumes by default"), id: region };
      case "aws:ebs/getDefaultKmsKey:getDefaultKmsKey":
        return { keyArn: unknownValue("the account's default EBS KMS key"), id: region };
      case "aws:ec2/getKeyPair:getKeyPair": {
        const name = str(inputs.keyName) ?? fakeId("key", inputs);
        return { keyName: name, keyPairId: fakeId("key", name), id: fakeId("key", name), arn: this.arn("ec2", `key-pair/${name}`), fingerprint: unknownValue(`the fingerprint of key pair ${name}`), keyType: "rsa" };
      }
      case "aws:ec2/getLaunchTemplate:getLaunchTemplate":
        return this.unknownRecord("launch template", str(inputs.name) ?? str(inputs.id) ?? brief(inputs), ["imageId", "instanceType", "keyName", "userData", "metadataOptions", "networkInterfaces", "blockDeviceMappings", "iamInstanceProfiles", "vpcSecurityGroupIds"], { id: str(inputs.id) ?? fakeId("lt", inputs), name: str(inputs.name) ?? unknownValue("the launch template's name") });
      case "aws:ec2/getNatGateway:getNatGateway": {
        const id = str(inputs.id) ?? fakeId("nat", inputs);
        return { id, subnetId: str(inputs.subnetId) ?? unknownValue(`the subnet of NAT gateway ${id}`), vpcId: str(inputs.vpcId) ?? unknownValue(`the VPC of NAT gateway ${id}`), publicIp: unknownValue(`the public IP of NAT gateway ${id}`), connectivityType: "public", state: "available" };
      }
      case "aws:ec2/getElasticIp:getElasticIp": {
        const id = str(inputs.id) ?? fakeId("eipalloc", inputs);
        return { id, allocationId: id, publicIp: str(inputs.publicIp) ?? unknownValue(`the address of elastic IP ${id}`), instance: unknownValue(`the instance elastic IP ${id} is associated with`), domain: "vpc" };
      }
      case "aws:ec2/getVpcEndpoint:getVpcEndpoint": {
        const id = str(inputs.id) ?? fakeId("vpce", inputs);
        return { id, vpcId: str(inputs.vpcId) ?? unknownValue(`the VPC of endpoint ${id}`), serviceName: str(inputs.serviceName) ?? unknownValue(`the service of endpoint ${id}`), policy: unknownValue(`the policy of endpoint ${id}`), state: "available" };
      }
      case "aws:ssm/getParameter:getParameter":
        return this.parameter(inputs);
      case "aws:ssm/getParametersByPath:getParametersByPath":
        return { path: inputs.path, names: [unknownValue(`names under ${String(inputs.path)}`)], values: [unknownValue(`values under ${String(inputs.path)}`)], types: [unknownValue("their types")], arns: [unknownValue("their ARNs")], id: String(inputs.path) };
      case "aws:iam/getPolicy:getPolicy":
        return this.iamPolicy(inputs);
      case "aws:iam/getRole:getRole": {
        const name = String(inputs.name);
        return {
          name,
          id: name,
          arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}`,
          uniqueId: fakeId("AROA", name).toUpperCase(),
          assumeRolePolicy: unknownValue(`the trust policy of role ${name}`),
          maxSessionDuration: 3600,
          path: "/",
          permissionsBoundary: unknownValue(`the permissions boundary of role ${name}`),
          tags: {},
        };
      }
      case "aws:iam/getInstanceProfile:getInstanceProfile": {
        const name = String(inputs.name);
        return { name, id: name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:instance-profile/${name}`, path: "/", roleArn: unknownValue(`the role of instance profile ${name}`), roleId: unknownValue(`the role of instance profile ${name}`), roleName: unknownValue(`the role of instance profile ${name}`) };
      }
      case "aws:iam/getUser:getUser": {
        const name = String(inputs.userName);
        return { userName: name, id: name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/${name}`, userId: fakeId("AIDA", name).toUpperCase(), path: "/", permissionsBoundary: unknownValue(`the permissions boundary of user ${name}`), tags: {} };
      }
      case "aws:kms/getAlias:getAlias": {
        const name = String(inputs.name);
        // alias/aws/<service> are AWS managed keys every account has; their policy lets the whole account use them.
        const managed = name.startsWith("alias/aws/");
        const keyId = `${managed ? "aws" : "cmk"}-${hash(name).slice(0, 8)}-${hash(name).slice(8, 12)}-4${hash(name).slice(13, 16)}-8${hash(name).slice(17, 20)}-${hash(name).slice(20, 32)}`;
        return { name, id: this.arn("kms", name), arn: this.arn("kms", name), targetKeyId: keyId, targetKeyArn: this.arn("kms", `key/${keyId}`) };
      }
      case "aws:kms/getKey:getKey": {
        const given = String(inputs.keyId);
        const managed = given.includes("alias/aws/");
        const keyId = given.startsWith("arn:") ? (given.split("/").pop() ?? given) : given;
        return {
          id: keyId,
          keyId,
          arn: given.startsWith("arn:") && given.includes(":key/") ? given : this.arn("kms", `key/${keyId}`),
          keyManager: managed ? "AWS" : unknownValue(`who manages KMS key ${given}`),
          keyState: "Enabled",
          enabled: true,
          keyUsage: "ENCRYPT_DECRYPT",
          keySpec: "SYMMETRIC_DEFAULT",
          customerMasterKeySpec: "SYMMETRIC_DEFAULT",
          origin: "AWS_KMS",
          multiRegion: false,
          awsAccountId: MOCK_ACCOUNT,
        };
      }
      case "aws:secretsmanager/getSecret:getSecret": {
        const name = str(inputs.name) ?? (str(inputs.arn)?.split(":secret:")[1]?.replace(/-[A-Za-z0-9]{6}$/, "") ?? "secret");
        const arn = str(inputs.arn) ?? `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:${name}-${hash(name).slice(0, 6)}`;
        return { arn, id: arn, name, kmsKeyId: unknownValue(`the KMS key of secret ${name}`), policy: unknownValue(`the resource policy of secret ${name}`), description: "", tags: {} };
      }
      case "aws:secretsmanager/getSecretVersion:getSecretVersion": {
        const secretId = String(inputs.secretId);
        return {
          secretId,
          arn: secretId.startsWith("arn:") ? secretId : `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:${secretId}-${hash(secretId).slice(0, 6)}`,
          id: `${secretId}|${str(inputs.versionStage) ?? "AWSCURRENT"}`,
          versionId: unknownValue(`the current version of secret ${secretId}`),
          versionStage: str(inputs.versionStage) ?? "AWSCURRENT",
          versionStages: [str(inputs.versionStage) ?? "AWSCURRENT"],
          secretString: unknownValue(`the secret value of ${secretId}`),
          secretBinary: unknownValue(`the secret value of ${secretId}`),
        };
      }
      case "aws:route53/getZone:getZone": {
        const name = (str(inputs.name) ?? "example.com").replace(/\.?$/, ".");
        const zoneId = str(inputs.zoneId) ?? `Z${hash(name).slice(0, 12).toUpperCase()}`;
        return { name, zoneId, id: zoneId, arn: `arn:aws:route53:::hostedzone/${zoneId}`, privateZone: inputs.privateZone ?? false, vpcId: inputs.vpcId, nameServers: [unknownValue(`the name servers of ${name}`)], resourceRecordSetCount: 2 };
      }
      case "aws:s3/getBucket:getBucket": {
        const bucket = String(inputs.bucket);
        return { bucket, id: bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, region: unknownValue(`the region of bucket ${bucket}`), hostedZoneId: unknownValue(`the zone of bucket ${bucket}`) };
      }
      case "aws:ecs/getCluster:getCluster": {
        const name = String(inputs.clusterName);
        return { clusterName: name, id: this.arn("ecs", `cluster/${name}`), arn: this.arn("ecs", `cluster/${name}`), status: "ACTIVE", settings: [{ name: "containerInsights", value: unknownValue(`container insights of cluster ${name}`) }] };
      }
      case "aws:eks/getCluster:getCluster": {
        const name = String(inputs.name);
        return this.unknownRecord("EKS cluster", name, ["endpoint", "roleArn", "version", "certificateAuthorities", "vpcConfig", "accessConfigs", "identities"], { name, id: name, arn: this.arn("eks", `cluster/${name}`), status: "ACTIVE" });
      }
      case "aws:lb/getLoadBalancer:getLoadBalancer": {
        const name = str(inputs.name) ?? str(inputs.arn)?.split("/")[2] ?? "lb";
        const arn = str(inputs.arn) ?? this.arn("elasticloadbalancing", `loadbalancer/app/${name}/${hash(name).slice(0, 16)}`);
        return this.unknownRecord("load balancer", name, ["internal", "dnsName", "securityGroups", "subnets", "vpcId", "loadBalancerType", "zoneId"], { name, arn, id: arn });
      }
      default:
        throw new NoOfflineAnswer(token);
    }
  }

  /** `known` plus a marker for each field only the account knows. */
  private unknownRecord(kind: string, which: string, fields: string[], known: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) out[f] = unknownValue(`${f} of the existing ${kind} ${which}`);
    return { ...out, ...known };
  }

  private vpc(inputs: Record<string, unknown>): Record<string, unknown> {
    const isDefault = inputs.default === true || str(inputs.id) === DEFAULT_VPC.id || filterValues(inputs, "is-default")?.includes("true") || filterValues(inputs, "isDefault")?.includes("true");
    if (isDefault) {
      return {
        id: DEFAULT_VPC.id,
        arn: this.arn("ec2", `vpc/${DEFAULT_VPC.id}`),
        cidrBlock: DEFAULT_VPC.cidrBlock,
        cidrBlockAssociations: [{ associationId: "vpc-cidr-assoc-0defa17c0ffee0001", cidrBlock: DEFAULT_VPC.cidrBlock, state: "associated" }],
        default: true,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        enableNetworkAddressUsageMetrics: false,
        instanceTenancy: "default",
        ipv6AssociationId: "",
        ipv6CidrBlock: "",
        mainRouteTableId: DEFAULT_VPC.mainRouteTableId,
        dhcpOptionsId: "dopt-0defa17c0ffee0001",
        ownerId: MOCK_ACCOUNT,
        state: "available",
        tags: {},
      };
    }
    const id = str(inputs.id) ?? fakeId("vpc", inputs);
    const unknownOf = (k: string) => unknownValue(`${k} of VPC ${id} (found by ${brief(inputs)})`);
    return {
      id,
      arn: this.arn("ec2", `vpc/${id}`),
      cidrBlock: str(inputs.cidrBlock) ?? unknownOf("the CIDR"),
      cidrBlockAssociations: [{ cidrBlock: str(inputs.cidrBlock) ?? unknownOf("the CIDR") }],
      default: unknownOf("whether it is the default VPC"),
      enableDnsHostnames: unknownOf("DNS hostnames"),
      enableDnsSupport: unknownOf("DNS support"),
      instanceTenancy: "default",
      ipv6CidrBlock: unknownOf("the IPv6 CIDR"),
      mainRouteTableId: unknownOf("the main route table"),
      ownerId: MOCK_ACCOUNT,
      state: "available",
      tags: inputs.tags ?? {},
    };
  }

  private subnetIds(inputs: Record<string, unknown>): string[] {
    const vpcs = filterValues(inputs, "vpc-id");
    const defaultForAz = filterValues(inputs, "default-for-az")?.includes("true") || filterValues(inputs, "defaultForAz")?.includes("true");
    const zones = filterValues(inputs, "availability-zone");
    if ((vpcs && vpcs.length === 1 && vpcs[0] === DEFAULT_VPC.id) || (defaultForAz && !vpcs)) {
      return ZONE_LETTERS.map((l, i) => ({ l, i })).filter(({ l }) => !zones || zones.includes(`${this.region}${l}`)).map(({ i }) => defaultSubnetId(i));
    }
    return [unknownValue(`ids of the subnets matching ${brief(inputs)}`)];
  }

  private subnet(inputs: Record<string, unknown>): Record<string, unknown> {
    const zoneIndex = (az: string | undefined) => (az ? ZONE_LETTERS.findIndex((l) => `${this.region}${l}` === az) : 0);
    const az = str(inputs.availabilityZone) ?? filterValues(inputs, "availability-zone")?.[0] ?? filterValues(inputs, "availabilityZone")?.[0];
    const byId = str(inputs.id) ?? filterValues(inputs, "subnet-id")?.[0];
    const vpcId = str(inputs.vpcId) ?? filterValues(inputs, "vpc-id")?.[0];
    const defaultForAz = inputs.defaultForAz === true || filterValues(inputs, "default-for-az")?.includes("true") || filterValues(inputs, "defaultForAz")?.includes("true");
    let i = byId ? ZONE_LETTERS.findIndex((_, k) => defaultSubnetId(k) === byId) : -1;
    if (i < 0 && !byId && defaultForAz && (!vpcId || vpcId === DEFAULT_VPC.id)) i = Math.max(0, zoneIndex(az));
    if (i >= 0) {
      const id = defaultSubnetId(i);
      return {
        id,
        arn: this.arn("ec2", `subnet/${id}`),
        vpcId: DEFAULT_VPC.id,
        cidrBlock: defaultSubnetCidr(i),
        availabilityZone: `${this.region}${ZONE_LETTERS[i]}`,
        availabilityZoneId: `${zoneIdPrefix(this.region)}-az${i + 1}`,
        availableIpAddressCount: 4091,
        defaultForAz: true,
        // AWS's default subnets give every instance a public IPv4 unless it asks for none.
        mapPublicIpOnLaunch: true,
        assignIpv6AddressOnCreation: false,
        ipv6CidrBlock: "",
        ipv6Native: false,
        ownerId: MOCK_ACCOUNT,
        state: "available",
        tags: {},
      };
    }
    const known = byId ? this.subnets.get(byId) : undefined;
    const id = byId ?? fakeId("subnet", inputs);
    const unknownOf = (k: string) => unknownValue(`${k} of subnet ${id} (found by ${brief(inputs)})`);
    return {
      id,
      arn: this.arn("ec2", `subnet/${id}`),
      vpcId: vpcId ?? (known ? known.vpcId : unknownOf("the VPC")),
      cidrBlock: str(inputs.cidrBlock) ?? unknownOf("the CIDR"),
      availabilityZone: az ?? unknownOf("the zone"),
      defaultForAz: unknownOf("whether it is a default subnet"),
      mapPublicIpOnLaunch: known ? known.mapPublicIpOnLaunch : unknownOf("whether it maps a public IPv4 on launch"),
      assignIpv6AddressOnCreation: unknownOf("whether it assigns IPv6 addresses"),
      ipv6CidrBlock: unknownOf("the IPv6 CIDR"),
      ownerId: MOCK_ACCOUNT,
      state: "available",
      tags: inputs.tags ?? {},
    };
  }

  private securityGroup(inputs: Record<string, unknown>): Record<string, unknown> {
    const name = str(inputs.name) ?? filterValues(inputs, "group-name")?.[0];
    const vpcId = str(inputs.vpcId) ?? filterValues(inputs, "vpc-id")?.[0];
    const id = str(inputs.id) ?? filterValues(inputs, "group-id")?.[0];
    if ((id === DEFAULT_VPC.securityGroupId || (!id && name === "default")) && (!vpcId || vpcId === DEFAULT_VPC.id)) {
      return { id: DEFAULT_VPC.securityGroupId, arn: this.arn("ec2", `security-group/${DEFAULT_VPC.securityGroupId}`), name: "default", description: "default VPC security group", vpcId: DEFAULT_VPC.id, tags: {} };
    }
    const sgId = id ?? (name === "default" && vpcId ? (this.vpcDefaultSg.get(vpcId) ?? fakeId("sg", inputs)) : fakeId("sg", inputs));
    return {
      id: sgId,
      arn: this.arn("ec2", `security-group/${sgId}`),
      name: name ?? unknownValue(`the name of security group ${sgId}`),
      description: unknownValue(`the description of security group ${sgId}`),
      vpcId: vpcId ?? unknownValue(`the VPC of security group ${sgId}`),
      tags: inputs.tags ?? {},
    };
  }

  private ami(inputs: Record<string, unknown>): Record<string, unknown> {
    const owners = Array.isArray(inputs.owners) ? inputs.owners.map(String) : [];
    const namePattern = filterValues(inputs, "name")?.[0] ?? str(inputs.nameRegex) ?? "image-*";
    const arch = filterValues(inputs, "architecture")?.[0] ?? "x86_64";
    const ownerAlias: Record<string, string> = { amazon: "137112412989", self: MOCK_ACCOUNT, "aws-marketplace": "679593333241" };
    const ownerId = ownerAlias[owners[0]] ?? owners[0] ?? unknownValue("the AMI's owner");
    // The same image family (owners, filters) is the same image, however the lookup is phrased.
    const id = owners.includes(DEBIAN_OWNER) ? MOCK_DEBIAN_AMI : fakeId("ami", { owners, filters: inputs.filters ?? [], nameRegex: inputs.nameRegex ?? null });
    const name = namePattern.replace(/\\\.|\.\*|[*^$]/g, (m) => (m === "\\." ? "." : m === "*" || m === ".*" ? "20261101" : ""));
    const root = /ubuntu/i.test(name) ? "/dev/sda1" : "/dev/xvda";
    return {
      id,
      imageId: id,
      arn: `arn:aws:ec2:${this.region}::image/${id}`,
      name,
      architecture: arch,
      ownerId,
      imageOwnerAlias: owners[0] === "amazon" ? "amazon" : "",
      public: owners[0] !== "self",
      virtualizationType: "hvm",
      rootDeviceType: "ebs",
      rootDeviceName: root,
      enaSupport: true,
      // Public images' snapshots are unencrypted: an instance's root is encrypted only if it asks (or the account does).
      blockDeviceMappings: [{ deviceName: root, ebs: { encrypted: "false", volumeSize: "8", volumeType: "gp3", deleteOnTermination: "true", snapshotId: fakeId("snap", id) } }],
      state: "available",
      creationDate: "2026-11-01T20:00:00.000Z",
      tags: {},
    };
  }

  private parameter(inputs: Record<string, unknown>): Record<string, unknown> {
    const name = String(inputs.name);
    const arn = this.arn("ssm", `parameter${name.startsWith("/") ? "" : "/"}${name}`);
    // AWS's public parameters of image families (/aws/service/.../ami-id, .../image_id): an AMI id.
    const amiParameter = /^\/aws\/service\/(ami-|debian\/|canonical\/|bottlerocket\/|ecs\/optimized-ami\/.*\/image_id$|eks\/optimized-ami\/.*\/image_id$|suse\/|freebsd\/)/.test(name) && !name.endsWith("/recommended");
    if (amiParameter) {
      const value = fakeId("ami", name);
      return { name, arn, id: name, type: "String", value, insecureValue: value, version: 1, withDecryption: inputs.withDecryption ?? true };
    }
    // Any other parameter's value (a SecureString above all) lives only in the account.
    const value = unknownValue(`the value of SSM parameter ${name}`);
    return { name, arn, id: name, type: unknownValue(`the type of SSM parameter ${name}`), value, insecureValue: value, version: unknownValue(`the version of SSM parameter ${name}`), withDecryption: inputs.withDecryption ?? true };
  }

  private iamPolicy(inputs: Record<string, unknown>): Record<string, unknown> {
    const givenArn = str(inputs.arn);
    const name = str(inputs.name) ?? givenArn?.split("/").pop() ?? "policy";
    const managedName = givenArn ? managedPolicyName(givenArn) : managedPolicyDocument(name) ? name : undefined;
    if (managedName !== undefined) {
      const arn = givenArn ?? `${AWS_MANAGED_POLICY_PREFIX}${managedName}`;
      return {
        arn,
        id: arn,
        name: managedName.split("/").pop(),
        path: managedName.includes("/") ? `/${managedName.split("/").slice(0, -1).join("/")}/` : "/",
        policyId: `ANPA${hash(arn).slice(0, 17).toUpperCase()}`,
        description: `AWS managed policy ${managedName}`,
        policy: managedPolicyDocument(managedName) ?? unknownValue(`the document of AWS managed policy ${managedName}`),
        attachmentCount: unknownValue(`the attachments of ${managedName}`),
        tags: {},
      };
    }
    const arn = givenArn ?? `arn:aws:iam::${MOCK_ACCOUNT}:policy/${name}`;
    return { arn, id: arn, name, path: "/", policyId: `ANPA${hash(arn).slice(0, 17).toUpperCase()}`, description: "", policy: unknownValue(`the document of policy ${name}`), tags: {} };
  }
}
