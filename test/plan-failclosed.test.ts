// `npm run plan -- --program FILE` fails closed: whatever the mock runtime cannot reproduce ends in
// "cannot judge offline" (exit 2) naming what and where, never in a silently smaller pass. Driven
// in-process through main(); one real process proves the exit code and that a program's
// process.exit cannot take the plan down with it.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../plan/cli";
import type { BlindSpot } from "../policy/lib/unknown";

const ROOT = path.join(__dirname, "..");
const FIXTURES = "test/fixtures/programs/failclosed";

interface Judged {
  code: number;
  json: { resources: Array<{ type: string; name: string }>; blind: BlindSpot[]; violations: Array<{ rule: string }>; lookups: Array<{ token: string; site?: string; unknown: string[] }>; verdict: { status: string; exitCode: number; line: string } };
  err: string;
}

async function judgeProgram(file: string): Promise<Judged> {
  let out = "";
  let err = "";
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const code = await main(["--program", `${FIXTURES}/${file}`, "--json"], { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, json: JSON.parse(out) as Judged["json"], err };
  } finally {
    process.chdir(cwd);
  }
}

const at = (file: string, line?: number) => `${FIXTURES}/${file}${line ? `:${line}` : ""}`;

describe("cannot judge offline: exit 2, what and where", () => {
  it.each<[string, RegExp, string]>([
    ["unanswered-lookup.ts", /^the lookup aws:rds\/getInstance:getInstance has no offline answer/, at("unanswered-lookup.ts", 4)],
    ["remote-component.ts", /^a multi-language \(remote\) component/, `awsx:ec2:Vpc vpc (${at("remote-component.ts", 4)})`],
    ["stack-transform.ts", /^a stack transform \(registerResourceTransform/, at("stack-transform.ts", 5)],
    ["resource-transforms.ts", /^resource transforms \(the `transforms` option/, `aws:ec2/instance:Instance host (${at("resource-transforms.ts", 4)})`],
    ["stack-reference.ts", /^a stack reference/, `pulumi:pulumi:StackReference org/network/prod (${at("stack-reference.ts", 5)})`],
    ["exits-early.ts", /^the program called process\.exit\(0\) while loading$/, at("exits-early.ts", 4)],
    ["unhandled-rejection.ts", /^the program crashed: the secret store was unreachable$/, at("unhandled-rejection.ts", 5)],
    ["apply-throws.ts", /^aws:ec2\/instance:Instance host was never registered/, at("apply-throws.ts", 9)],
    ["registers-nothing.ts", /^the program registered no resource/, at("registers-nothing.ts")],
  ])("%s", async (file, what, where) => {
    const r = await judgeProgram(file);
    expect(r.code).toBe(2);
    expect(r.json.verdict).toMatchObject({ status: "cannot-judge", exitCode: 2, line: expect.stringMatching(/^verdict: cannot judge offline \(\d+ blind spots?/) });
    expect(r.err).toContain(r.json.verdict.line);
    expect(r.json.blind).toContainEqual({ what: expect.stringMatching(what), where });
    expect(r.err).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
  });

  it("a dynamic provider resource: refused by its own rule (the same verdict under CrossGuard), never passed", async () => {
    const r = await judgeProgram("dynamic-provider.ts");
    expect(r.code).toBe(1);
    expect(r.json.violations).toContainEqual(expect.objectContaining({ rule: "no-opaque-dynamic-resource" }));
    expect(r.json.resources).toContainEqual(expect.objectContaining({ type: "pulumi-nodejs:dynamic:Resource", name: "opens-a-port" }));
  });

  it("an unanswered lookup: the resource built from it is named, not dropped silently", async () => {
    const r = await judgeProgram("unanswered-lookup.ts");
    expect(r.json.resources).toEqual([]);
    expect(r.json.blind).toContainEqual({ what: expect.stringMatching(/^aws:ec2\/securityGroup:SecurityGroup db-clients was never registered/), where: at("unanswered-lookup.ts", 5) });
  });

  it("an unknown value a rule needs (a tagged VPC's CIDR in an ingress rule): blind spot per rule that read it", async () => {
    const r = await judgeProgram("unknown-cidr.ts");
    expect(r.code).toBe(2);
    expect(r.json.blind).toContainEqual({ rule: "no-public-ingress", what: expect.stringMatching(/^the CIDR of VPC vpc-0[0-9a-f]{16} \(found by \{"tags":\{"Name":"prod"\}\}\)$/), where: `aws:ec2/securityGroup:SecurityGroup gateway (${at("unknown-cidr.ts", 5)})` });
    expect(r.json.lookups).toEqual([expect.objectContaining({ token: "aws:ec2/getVpc:getVpc", site: at("unknown-cidr.ts", 4), unknown: expect.arrayContaining(["cidrBlock"]) })]);
  });

  it("a stack transform that would weaken IMDS is not trusted to have run: the violations found are reported beside 'cannot judge'", async () => {
    const r = await judgeProgram("stack-transform.ts");
    expect(r.json.verdict.line).toMatch(/^verdict: cannot judge offline \(1 blind spot; \d+ mandatory violations? in what could be judged\)$/);
  });
});

describe("what the offline plan can judge, it judges", () => {
  it("a program that looks up the default VPC and launches into a default subnet is judged, not dropped, on the public IPv4 it inherits", async () => {
    const r = await judgeProgram("default-vpc.ts");
    expect(r.json.blind).toEqual([]);
    expect(r.code).not.toBe(2);
    expect(r.json.resources.map((x) => `${x.type} ${x.name}`).sort()).toEqual(["aws:ec2/instance:Instance gateway", "aws:ec2/securityGroup:SecurityGroup gateway"]);
    expect(r.json.lookups.map((l) => [l.token.split(":").pop(), l.unknown])).toEqual(
      expect.arrayContaining([
        ["getVpc", []],
        ["getSubnets", []],
        ["getParameter", []],
      ]),
    );
    const row = r.json.resources.find((x) => x.type === "aws:ec2/instance:Instance") as unknown as { security: string; inputs: { ami: string; subnetId: string } };
    expect(row.inputs.ami).toMatch(/^ami-0[0-9a-f]{16}$/);
    expect(row.inputs.subnetId).toMatch(/^subnet-0defa17c0ffee000a$/);
    expect(row.security).toContain("publicIp=YES(subnet default)");
  });

  it("the legacy `transformations` option runs in the SDK offline too: its effect (a key pair) is judged", async () => {
    const r = await judgeProgram("legacy-transformations.ts");
    expect(r.json.blind).toEqual([]);
    expect(r.json.violations.map((v) => v.rule)).toContain("ec2-no-ssh-key-pair");
    expect(r.json.verdict).toMatchObject({ status: "refused", exitCode: 1 });
  });
});

describe("a real process", () => {
  it("survives the program's process.exit(0), prints the verdict line last and exits 2", () => {
    const r = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["plan/cli.ts", "--program", `${FIXTURES}/exits-early.ts`], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("verdict: cannot judge offline (1 blind spot)");
    expect(r.stdout).toContain("the program called process.exit(0) while loading");
  });
});
