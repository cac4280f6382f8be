// The CrossGuard adapter (policy/policies.ts) gives the same verdicts as the offline judge. Props are
// prepared the way @pulumi/policy's analyzer server prepares them (its own deserializer and
// unknown-checking proxy over the engine's protobuf Struct), so secrets arrive decrypted and
// unmarked, and preview unknowns throw, exactly as under `pulumi preview --policy-pack`.
import * as path from "node:path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateProgram, type Evaluation, type PlannedResource } from "../plan/evaluate";
import { judge } from "../policy/judge";
import { policies } from "../policy/policies";
import { RULES } from "../policy/rules";

// Internals of @pulumi/policy 1.21 (server.js uses exactly these); their typings are stripped.
interface Deserialize {
  deserializeProperties(s: Struct, proxySecrets: boolean): Record<string, unknown>;
}
interface Proxy {
  unknownCheckingProxy<T>(v: T): T;
  unknownStringValue: string;
  UnknownValueError: new (...args: unknown[]) => Error;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deserializeProperties } = require("@pulumi/policy/deserialize") as Deserialize;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, unknownStringValue, UnknownValueError } = require("@pulumi/policy/proxy") as Proxy;

class NotApplicable extends Error {}

/** What the engine sends (MarshalProperties with KeepSecrets) and the analyzer server hands a policy. */
function asCrossGuardProps(value: Record<string, unknown>): Record<string, unknown> {
  const struct = Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
  return unknownCheckingProxy(deserializeProperties(struct, false));
}

function resourceArgs(type: string, name: string, urn: string, props: Record<string, unknown>): ResourceValidationArgs {
  return {
    type,
    name,
    urn,
    props,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

type Finding = { rule: string; urn: string; message: string };
const key = (f: Finding) => `${f.rule} | ${f.urn} | ${f.message}`;
const resourcePolicies = policies.filter((p): p is ResourceValidationPolicy => "validateResource" in p);
const stackPolicies = policies.filter((p): p is StackValidationPolicy => "validateStack" in p);

async function runResourcePolicies(ev: Evaluation): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const p of resourcePolicies) {
    for (const r of ev.resources) {
      const validate = p.validateResource;
      if (!validate || Array.isArray(validate)) throw new Error(`${p.name}: expected one validation function`);
      // The SDK's fast path: a policy tagged with one type is not called for others.
      const only = (validate as { __pulumiType?: string }).__pulumiType;
      if (only && only !== r.type) continue;
      const report: ReportViolation = (message) => out.push({ rule: p.name, urn: r.urn, message });
      try {
        await validate(resourceArgs(r.type, r.name, r.urn, asCrossGuardProps(r.inputs)), report);
      } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
      }
    }
  }
  return out;
}

function policyResources(resources: PlannedResource[], props: (r: PlannedResource) => Record<string, unknown>): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of resources) {
    byUrn.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: props(r),
      opts: resourceArgs(r.type, r.name, r.urn, {}).opts,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    });
  }
  for (const r of resources) byUrn.get(r.urn)?.dependencies.push(...r.dependencies.flatMap((d) => byUrn.get(d) ?? []));
  return [...byUrn.values()];
}

async function runStackPolicies(resources: PolicyResource[]): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const p of stackPolicies) {
    try {
      await p.validateStack(
        { resources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: (r?: string): never => { throw new NotApplicable(r); } },
        (message, urn) => out.push({ rule: p.name, urn: urn ?? "", message }),
      );
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
  }
  return out;
}

const PROGRAMS = ["ec2", "secrets-literal", "secrets-store", "iam", "tailscale-open", "openclaw"] as const;
const evaluations = {} as Record<(typeof PROGRAMS)[number], Evaluation>;

beforeAll(async () => {
  for (const p of PROGRAMS) {
    evaluations[p] = await evaluateProgram({ program: path.join(__dirname, "fixtures/programs/policy", `${p}.ts`), project: "policytest", stack: "dev", config: {} });
  }
}, 120_000);

describe("policies.ts", () => {
  it("turns every rule into a CrossGuard policy with its level, severity, remediation and config schema", () => {
    // Plus the pack's own check of the stack's reviewed exceptions (policy/lib/exceptions.ts).
    expect(policies.map((p) => p.name)).toEqual([...RULES.map((r) => r.name), "policy-exceptions"]);
    for (const rule of RULES) {
      const p = policies.find((x) => x.name === rule.name);
      expect(p).toMatchObject({ enforcementLevel: rule.enforcementLevel, severity: rule.severity, remediationSteps: rule.remediation });
      expect("validateStack" in (p ?? {})).toBe(rule.kind === "stack");
      for (const [k, prop] of Object.entries(rule.configSchema ?? {})) expect(p?.configSchema?.properties[k]).toMatchObject({ default: prop.default });
    }
    expect(policies.some((p) => p.name === "all")).toBe(false);
  });

  it.each(PROGRAMS)("gives the judge's verdicts on %s (resource policies on inputs, stack policies on outputs)", async (program) => {
    const ev = evaluations[program];
    const adapter = [
      ...(await runResourcePolicies(ev)),
      ...(await runStackPolicies(policyResources(ev.resources, (r) => asCrossGuardProps(r.state)))),
    ];
    // What only the offline plan knows (a known credential input is a literal of the program) is set as CrossGuard has it.
    const j = judge(ev, { "no-credential-in-state": { literalsKnown: 0 } });
    const offline = j.violations.map((v) => ({ rule: v.rule, urn: v.urn, message: v.message }));
    expect(offline.length).toBeGreaterThan(0);
    // What the offline judge cannot see (a blind spot, exit 2) CrossGuard refuses as "cannot judge".
    const unseen = (f: Finding) => f.message.startsWith("cannot judge: ");
    expect(adapter.filter((f) => !unseen(f)).map(key).sort()).toEqual(offline.map(key).sort());
    expect(adapter.filter(unseen).map((f) => `${f.rule} | ${f.message}`).sort()).toEqual(
      j.blind.filter((b) => b.rule !== undefined).map((b) => `${b.rule} | cannot judge: ${b.what}`).sort(),
    );
  });
});

describe("under preview, when values are unknown", () => {
  const unknownProps = (v: Record<string, unknown>) => asCrossGuardProps(v);
  const run = async (policyName: string, props: Record<string, unknown>, type: string) => {
    const validate = resourcePolicies.find((x) => x.name === policyName)?.validateResource;
    if (typeof validate !== "function") throw new Error(`no resource policy ${policyName}`);
    const found: string[] = [];
    await validate(resourceArgs(type, "x", "urn:x", props), (m) => found.push(m));
    return found;
  };

  it("a field rule throws the SDK's UnknownValueError (reported by CrossGuard as 'cannot run during preview')", async () => {
    const props = unknownProps({ kmsKeyId: unknownStringValue });
    await expect(run("log-group-kms-encrypted", props, "aws:cloudwatch/logGroup:LogGroup")).rejects.toBeInstanceOf(UnknownValueError);
  });

  it("the secret scan skips what is unknown and still finds the rest", async () => {
    const token = ["sk", "proj", "Zq8x".repeat(12)].join("-");
    const props = unknownProps({ userData: unknownStringValue, tags: { Name: "gw", note: `key ${token}` } });
    expect((await run("no-plaintext-secrets", props, "aws:ec2/instance:Instance")).join()).toMatch(/tags\.note holds an OpenAI API key/);
  });

  it("host rules follow a launch template and AWS's defaults when the instance's own values are not known yet", async () => {
    const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
    const planned = (type: string, name: string, state: Record<string, unknown>, dependencies: string[] = []): PlannedResource => ({
      urn: urn(type, name), type, name, parent: "", custom: true, inputs: {}, state, dependencies,
    });
    const lt = planned("aws:ec2/launchTemplate:LaunchTemplate", "hardened", {
      id: unknownStringValue,
      vpcSecurityGroupIds: [unknownStringValue],
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
    }, [urn("aws:ec2/securityGroup:SecurityGroup", "closed")]);
    const sg = planned("aws:ec2/securityGroup:SecurityGroup", "closed", { id: unknownStringValue, egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] });
    const subnet = planned("aws:ec2/subnet:Subnet", "private", { id: unknownStringValue, vpcId: unknownStringValue, mapPublicIpOnLaunch: false });
    // What a preview shows for an instance that names only its template and subnet: the rest is computed.
    const computed = { metadataOptions: unknownStringValue, rootBlockDevice: unknownStringValue, vpcSecurityGroupIds: unknownStringValue, associatePublicIpAddress: unknownStringValue, keyName: unknownStringValue };
    const host = planned("aws:ec2/instance:Instance", "gw", { id: unknownStringValue, subnetId: unknownStringValue, launchTemplate: { id: unknownStringValue, version: "$Latest" }, ...computed }, [lt.urn, subnet.urn]);
    const rules = ["ec2-imdsv2-required", "ec2-ebs-encrypted", "ec2-no-ssh-key-pair", "no-public-address", "no-unrestricted-egress"];
    const found = await runStackPolicies(policyResources([sg, lt, subnet, host], (r) => unknownProps(r.state)));
    expect(found.filter((f) => rules.includes(f.rule))).toEqual([]);
    // Without the subnet, AWS picks a default subnet, which maps a public IPv4.
    const stray = planned("aws:ec2/instance:Instance", "stray", { id: unknownStringValue, subnetId: unknownStringValue, launchTemplate: { id: unknownStringValue }, ...computed }, [lt.urn]);
    const strayFound = await runStackPolicies(policyResources([sg, lt, subnet, stray], (r) => unknownProps(r.state)));
    expect(strayFound.filter((f) => f.rule === "no-public-address").map((f) => f.message).join()).toMatch(/default subnet/);
  });

  it("a stack rule falls back to dependencies when ids are unknown", async () => {
    const alarmUrn = "urn:pulumi:dev::p::aws:cloudwatch/metricAlarm:MetricAlarm::status";
    const instanceUrn = "urn:pulumi:dev::p::aws:ec2/instance:Instance::gw";
    const planned = (urn: string, type: string, state: Record<string, unknown>, dependencies: string[]): PlannedResource => ({
      urn, type, name: urn.split("::").pop() ?? "", parent: "", custom: true, inputs: {}, state, dependencies,
    });
    const resources = [
      planned(instanceUrn, "aws:ec2/instance:Instance", { id: unknownStringValue }, []),
      planned(alarmUrn, "aws:cloudwatch/metricAlarm:MetricAlarm", { metricName: "StatusCheckFailed", dimensions: { InstanceId: unknownStringValue }, alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts"] }, [instanceUrn]),
    ];
    const withDependency = await runStackPolicies(policyResources(resources, (r) => unknownProps(r.state)));
    expect(withDependency.filter((f) => f.rule === "ec2-status-check-alarm")).toEqual([]);
    resources[1].dependencies = [];
    const without = await runStackPolicies(policyResources(resources, (r) => unknownProps(r.state)));
    expect(without.filter((f) => f.rule === "ec2-status-check-alarm").map((f) => f.urn)).toEqual([instanceUrn]);
  });

  it("hands stack rules each resource's provider: an account default in another provider's region covers nothing", async () => {
    const instanceUrn = "urn:pulumi:dev::p::aws:ec2/instance:Instance::gw";
    const resources = [
      { urn: instanceUrn, type: "aws:ec2/instance:Instance", name: "gw", parent: "", custom: true, inputs: {}, state: { ami: "ami-0d3b1a2c3e4f5a6b7", subnetId: "subnet-1", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } }, dependencies: [] },
      { urn: "urn:pulumi:dev::p::aws:ebs/encryptionByDefault:EncryptionByDefault::acct", type: "aws:ebs/encryptionByDefault:EncryptionByDefault", name: "acct", parent: "", custom: true, inputs: {}, state: { enabled: true }, dependencies: [] },
    ];
    const judged = async (regions: [string, string]) => {
      const list = policyResources(resources, (r) => r.state);
      list.forEach((r, i) => Object.assign(r, { provider: { type: "pulumi:providers:aws", urn: `urn:pulumi:dev::p::pulumi:providers:aws::${regions[i]}`, name: regions[i], props: { region: regions[i] }, isType: () => false, asType: () => undefined } }));
      return (await runStackPolicies(list)).filter((f) => f.rule === "ec2-ebs-encrypted").map((f) => f.urn);
    };
    expect(await judged(["us-east-1", "us-west-2"])).toEqual([instanceUrn]);
    expect(await judged(["us-east-1", "us-east-1"])).toEqual([]);
  });
});
