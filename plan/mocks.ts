// What the offline plan answers in place of AWS and Tailscale: plausible computed outputs for
// resources, and the invokes a program commonly makes. An invoke it does not know is an error,
// so a plan never silently runs on an answer it made up.

export const MOCK_ACCOUNT = "123456789012";
/** Stands in for the newest official Debian 12 AMI that aws.ec2.getAmi would find. */
export const MOCK_DEBIAN_AMI = "ami-0d3b1a2c3e4f5a6b7";

const serviceOf = (type: string) => type.split(":")[1]?.split("/")[0] ?? "unknown";

export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
): { id: string; state: Record<string, unknown> } {
  const id = `${name}-id`;
  const service = serviceOf(type);
  const global = service === "iam";
  const arn = `arn:aws:${service}:${global ? "" : region}:${MOCK_ACCOUNT}:${type.split(":").pop()?.toLowerCase()}/${name}`;
  const state: Record<string, unknown> = { ...inputs, id, arn: inputs.arn ?? arn };
  if (inputs.name === undefined && type.startsWith("aws:")) state.name = name;
  switch (type) {
    case "aws:ec2/vpc:Vpc":
      state.defaultSecurityGroupId = `${name}-default-sg`;
      state.mainRouteTableId = `${name}-main-rt`;
      break;
    case "aws:kms/key:Key":
      state.keyId = `${name}-key-id`;
      break;
    case "aws:ec2/instance:Instance":
      state.arn = `arn:aws:ec2:${region}:${MOCK_ACCOUNT}:instance/${id}`;
      state.privateIp = "10.42.1.10";
      state.primaryNetworkInterfaceId = `${name}-eni`;
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
      state.arn = `arn:aws:ssm:${region}:${MOCK_ACCOUNT}:document/${String(inputs.name ?? name)}`;
      break;
    case "aws:secretsmanager/secret:Secret":
      state.arn = `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:${String(inputs.name ?? name)}-AbCdEf`;
      break;
    case "aws:lambda/function:Function":
      state.arn = `arn:aws:lambda:${region}:${MOCK_ACCOUNT}:function:${String(inputs.name ?? name)}`;
      state.invokeArn = `${state.arn as string}/invocations`;
      break;
    case "aws:sns/topic:Topic":
      state.arn = `arn:aws:sns:${region}:${MOCK_ACCOUNT}:${String(inputs.name ?? name)}`;
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.arn = `arn:aws:logs:${region}:${MOCK_ACCOUNT}:log-group:${String(inputs.name ?? name)}`;
      break;
    case "tailscale:index/tailnetKey:TailnetKey":
      state.key = undefined;
      break;
  }
  return { id, state };
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

/** The JSON aws.iam.getPolicyDocument would return, so rules judge the real document. */
export function policyDocumentJson(inputs: { statements?: PolicyStatementInput[]; version?: string }): string {
  const statements = (inputs.statements ?? []).map((s) => {
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
  });
  return JSON.stringify({ Version: inputs.version ?? "2012-10-17", Statement: statements });
}

export function mockCall(token: string, inputs: Record<string, unknown>, region: string): Record<string, unknown> {
  switch (token) {
    case "aws:ec2/getAmi:getAmi":
      return { id: MOCK_DEBIAN_AMI, imageId: MOCK_DEBIAN_AMI, architecture: "x86_64", name: "debian-12-amd64-20261101-2000", ownerId: inputs.owners };
    case "aws:index/getRegion:getRegion":
      return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/offline-plan`, userId: "AIDAOFFLINEPLAN", id: MOCK_ACCOUNT };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return { names: [`${region}a`, `${region}b`, `${region}c`], zoneIds: ["use1-az1", "use1-az2", "use1-az4"], id: region };
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      return { json: policyDocumentJson(inputs as { statements?: PolicyStatementInput[] }), id: "policy" };
    default:
      throw new Error(`the offline plan has no answer for the invoke ${token}; it cannot evaluate this program`);
  }
}
