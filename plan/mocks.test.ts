// The offline plan's answers in place of AWS: what every account has is answered as AWS would; what
// only the account knows is an unknown marker, never a reassuring guess.
import { describe, expect, it } from "vitest";
import { containsUnknown, unknownsIn } from "../policy/lib/unknown";
import { DEFAULT_VPC, MockCloud, NoOfflineAnswer, defaultSubnetId, zoneIdPrefix } from "./mocks";

const cloud = () => new MockCloud("eu-west-1");

describe("lookups every account answers the same way", () => {
  it("the default VPC: 172.31.0.0/16, its default subnets map a public IPv4 on launch", () => {
    const c = cloud();
    const vpc = c.call("aws:ec2/getVpc:getVpc", { default: true });
    expect(vpc).toMatchObject({ id: DEFAULT_VPC.id, cidrBlock: "172.31.0.0/16", default: true });
    const ids = c.call("aws:ec2/getSubnets:getSubnets", { filters: [{ name: "vpc-id", values: [DEFAULT_VPC.id] }] }).ids as string[];
    expect(ids).toEqual([0, 1, 2].map(defaultSubnetId));
    expect(c.call("aws:ec2/getSubnets:getSubnets", { filters: [{ name: "default-for-az", values: ["true"] }, { name: "availability-zone", values: ["eu-west-1b"] }] }).ids).toEqual([defaultSubnetId(1)]);
    const subnet = c.call("aws:ec2/getSubnet:getSubnet", { id: ids[1] });
    expect(subnet).toMatchObject({ vpcId: DEFAULT_VPC.id, cidrBlock: "172.31.16.0/20", availabilityZone: "eu-west-1b", availabilityZoneId: "euw1-az2", defaultForAz: true, mapPublicIpOnLaunch: true });
    expect(c.call("aws:ec2/getSubnet:getSubnet", { defaultForAz: true, availabilityZone: "eu-west-1c" })).toMatchObject({ id: defaultSubnetId(2), mapPublicIpOnLaunch: true });
    expect(c.call("aws:ec2/getSecurityGroup:getSecurityGroup", { name: "default", vpcId: DEFAULT_VPC.id })).toMatchObject({ id: DEFAULT_VPC.securityGroupId, name: "default", vpcId: DEFAULT_VPC.id });
    expect(containsUnknown([vpc, subnet])).toBe(false);
    expect(c.lookups.map((l) => l.token.split(":").pop())).toEqual(["getVpc", "getSubnets", "getSubnets", "getSubnet", "getSubnet", "getSecurityGroup"]);
  });

  it("caller, region, partition and zones; zone ids by AWS's region prefixes", () => {
    const c = cloud();
    expect(c.call("aws:index/getCallerIdentity:getCallerIdentity", {})).toMatchObject({ accountId: "123456789012" });
    expect(c.call("aws:index/getRegion:getRegion", {})).toMatchObject({ region: "eu-west-1", name: "eu-west-1" });
    expect(c.call("aws:index/getPartition:getPartition", {})).toMatchObject({ partition: "aws", dnsSuffix: "amazonaws.com" });
    expect(c.call("aws:index/getAvailabilityZones:getAvailabilityZones", { state: "available" })).toMatchObject({ names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"] });
    expect(["us-east-1", "ap-southeast-2", "eu-central-1", "ap-northeast-1"].map(zoneIdPrefix)).toEqual(["use1", "apse2", "euc1", "apne1"]);
  });

  it("images: getAmi, getAmiIds and the public SSM image parameters give an AMI id; the Debian owner the kit pins", () => {
    const c = cloud();
    const al = c.call("aws:ec2/getAmi:getAmi", { owners: ["amazon"], mostRecent: true, filters: [{ name: "name", values: ["al2023-ami-*-x86_64"] }] });
    expect(al).toMatchObject({ ownerId: "137112412989", name: "al2023-ami-20261101-x86_64", rootDeviceName: "/dev/xvda", public: true });
    expect(al.id).toMatch(/^ami-0[0-9a-f]{16}$/);
    expect(c.call("aws:ec2/getAmiIds:getAmiIds", { owners: ["amazon"], filters: [{ name: "name", values: ["al2023-ami-*-x86_64"] }] }).ids).toEqual([al.id]);
    for (const name of ["/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", "/aws/service/debian/release/bookworm/latest/amd64", "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"]) {
      expect(c.call("aws:ssm/getParameter:getParameter", { name }), name).toMatchObject({ type: "String", value: expect.stringMatching(/^ami-0[0-9a-f]{16}$/) });
    }
    expect(c.call("aws:ec2/getAmi:getAmi", { owners: ["136693071363"], filters: [{ name: "name", values: ["debian-12-amd64-*"] }] }).id).toBe("ami-0d3b1a2c3e4f5a6b7");
  });

  it("AWS managed policies: the ARN, and for the dangerous ones their grant (AdministratorAccess is Allow * on *)", () => {
    const c = cloud();
    const admin = c.call("aws:iam/getPolicy:getPolicy", { name: "AdministratorAccess" });
    expect(admin.arn).toBe("arn:aws:iam::aws:policy/AdministratorAccess");
    expect(JSON.parse(String(admin.policy))).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
    const secrets = c.call("aws:iam/getPolicy:getPolicy", { arn: "arn:aws:iam::aws:policy/SecretsManagerReadWrite" });
    expect(String(secrets.policy)).toContain('"secretsmanager:*"');
    // A managed policy whose document the plan does not carry: its ARN, and an unknown document.
    const ssm = c.call("aws:iam/getPolicy:getPolicy", { arn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
    expect(unknownsIn(ssm.policy)).toEqual(["the document of AWS managed policy AmazonSSMManagedInstanceCore"]);
  });

  it("iam.getPolicyDocument merges source and override documents by Sid, as the provider does", () => {
    const c = cloud();
    const source = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Effect: "Allow", Action: "logs:PutLogEvents", Resource: "*" }] });
    const override = JSON.stringify({ Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] });
    const doc = JSON.parse(String(c.call("aws:iam/getPolicyDocument:getPolicyDocument", { sourcePolicyDocuments: [source], overridePolicyDocuments: [override], statements: [{ actions: ["kms:Decrypt"], resources: ["*"] }] }).json));
    expect(doc.Statement).toEqual([
      { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
      { Effect: "Allow", Action: "logs:PutLogEvents", Resource: "*" },
      { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" },
    ]);
  });
});

describe("what only the account knows is unknown, never guessed", () => {
  it("a VPC or subnet found by tag: its id is an identifier, its CIDR and public addressing unknown", () => {
    const c = cloud();
    const vpc = c.call("aws:ec2/getVpc:getVpc", { tags: { Name: "prod" } });
    expect(vpc.id).toMatch(/^vpc-0[0-9a-f]{16}$/);
    expect(unknownsIn(vpc.cidrBlock)[0]).toMatch(/^the CIDR of VPC vpc-0/);
    expect(unknownsIn(vpc.default)).toHaveLength(1);
    const ids = c.call("aws:ec2/getSubnets:getSubnets", { filters: [{ name: "vpc-id", values: [String(vpc.id)] }] }).ids;
    expect(containsUnknown(ids)).toBe(true);
    expect(unknownsIn(c.call("aws:ec2/getSubnet:getSubnet", { id: "subnet-0123" }).mapPublicIpOnLaunch)).toEqual(['whether it maps a public IPv4 on launch of subnet subnet-0123 (found by {"id":"subnet-0123"})']);
  });

  it("parameters other than public image ones, SecureStrings above all, and secret values", () => {
    const c = cloud();
    const p = c.call("aws:ssm/getParameter:getParameter", { name: "/prod/gateway/token", withDecryption: true });
    expect(unknownsIn(p.value)).toEqual(["the value of SSM parameter /prod/gateway/token"]);
    expect(containsUnknown(p.type)).toBe(true);
    const v = c.call("aws:secretsmanager/getSecretVersion:getSecretVersion", { secretId: "prod/anthropic" });
    expect(unknownsIn(v.secretString)).toEqual(["the secret value of prod/anthropic"]);
    expect(containsUnknown(c.call("aws:secretsmanager/getSecret:getSecret", { name: "prod/anthropic" }).policy)).toBe(true);
    expect(containsUnknown(c.call("aws:iam/getRole:getRole", { name: "ops" }).assumeRolePolicy)).toBe(true);
    expect(containsUnknown(c.call("aws:ebs/getEncryptionByDefault:getEncryptionByDefault", {}).enabled)).toBe(true);
    expect(containsUnknown(c.call("aws:iam/getPolicy:getPolicy", { name: "team-policy" }).policy)).toBe(true);
  });

  it("an existing instance, launch template or load balancer: every setting that decides security is unknown", () => {
    const c = cloud();
    const i = c.call("aws:ec2/getInstance:getInstance", { instanceId: "i-0abc" });
    for (const k of ["associatePublicIpAddress", "metadataOptions", "rootBlockDevices", "userData", "keyName"]) expect(containsUnknown(i[k]), k).toBe(true);
    expect(containsUnknown(c.call("aws:ec2/getLaunchTemplate:getLaunchTemplate", { name: "gw" }).metadataOptions)).toBe(true);
    expect(containsUnknown(c.call("aws:lb/getLoadBalancer:getLoadBalancer", { name: "edge" }).internal)).toBe(true);
  });

  it("a lookup it has no answer for throws NoOfflineAnswer naming the token (and records nothing)", () => {
    const c = cloud();
    expect(() => c.call("aws:rds/getInstance:getInstance", { dbInstanceIdentifier: "db" })).toThrow(NoOfflineAnswer);
    expect(() => c.call("tailscale:index/getDevice:getDevice", {})).toThrow("the offline plan has no answer for the lookup tailscale:index/getDevice:getDevice");
    expect(c.lookups).toEqual([]);
  });
});

describe("new resources get AWS's defaults", () => {
  it("an instance that names no subnet lands in a default subnet with a public IPv4 (its VPC's default group is left to the rules, as a preview leaves it unknown)", () => {
    const { state } = cloud().newResource("aws:ec2/instance:Instance", "vm", { ami: "ami-1", instanceType: "t3.micro" });
    expect(state).toMatchObject({ subnetId: defaultSubnetId(0), associatePublicIpAddress: true, publicIp: "203.0.113.10" });
    expect(state.vpcSecurityGroupIds).toBeUndefined();
    expect(DEFAULT_VPC.securityGroupId).toMatch(/^sg-/);
  });

  it("in a subnet the program creates, no public IPv4 unless the subnet maps one; an explicit choice stands", () => {
    const c = cloud();
    c.newResource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
    c.newResource("aws:ec2/subnet:Subnet", "private", { vpcId: "vpc-id", cidrBlock: "10.0.1.0/24" });
    c.newResource("aws:ec2/subnet:Subnet", "public", { vpcId: "vpc-id", cidrBlock: "10.0.2.0/24", mapPublicIpOnLaunch: true });
    expect(c.newResource("aws:ec2/instance:Instance", "a", { subnetId: "private-id" }).state).toMatchObject({ associatePublicIpAddress: false });
    expect(c.newResource("aws:ec2/instance:Instance", "b", { subnetId: "public-id", vpcSecurityGroupIds: ["sg-1"] }).state).toMatchObject({ associatePublicIpAddress: true, vpcSecurityGroupIds: ["sg-1"] });
    expect(c.newResource("aws:ec2/instance:Instance", "c", { subnetId: "public-id", associatePublicIpAddress: false }).state.publicIp).toBeUndefined();
    expect(containsUnknown(c.newResource("aws:ec2/instance:Instance", "d", { subnetId: "subnet-0unknown" }).state.associatePublicIpAddress)).toBe(true);
  });

  it("a security group without a VPC goes into the default VPC", () => {
    expect(cloud().newResource("aws:ec2/securityGroup:SecurityGroup", "sg", {}).state.vpcId).toBe(DEFAULT_VPC.id);
  });

  it("an existing resource read with .get: every output it did not give is unknown; a just-created VPC's default group has AWS's rules", () => {
    const c = cloud();
    const read = c.newResource("aws:ec2/securityGroup:SecurityGroup", "existing", {}, "sg-0abc", ["ingress", "egress", "vpcId", "name"]);
    expect(read.id).toBe("sg-0abc");
    expect(unknownsIn(read.state.ingress)).toEqual(["ingress of the existing aws:ec2/securityGroup:SecurityGroup sg-0abc"]);
    c.newResource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
    const dflt = c.newResource("aws:ec2/securityGroup:SecurityGroup", "vpc-default", {}, "vpc-default-sg", ["ingress", "egress"]);
    expect(dflt.state.ingress).toEqual([expect.objectContaining({ protocol: "-1", self: true, cidrBlocks: [] })]);
    expect(dflt.state.egress).toEqual([expect.objectContaining({ protocol: "-1", cidrBlocks: ["0.0.0.0/0"] })]);
  });
});
