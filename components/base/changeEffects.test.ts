// The one table of what a change does to a running cell (issue 18 item 3): host files, host.env keys,
// resource inputs. The kit's own host files must all be classified; an unknown one is a new host.
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../stacks";
import { renderHost, hostFacts } from "../host/hostFiles";
import { EFFECTS, changedEnvKeys, hostEnvKeyEffect, hostFileEffect, isClassifiedHostFile, resourceChangeEffect, resourceLifecycleEffect, strongest } from "./changeEffects";

describe("host files", () => {
  it.each(["level0", "level1", "level2", "level3"])("every host file of %s is classified", (stack) => {
    const model = loadStackFile(stack);
    const files = renderHost(model, hostFacts(model, stack, "us-east-1"), { accountId: "123456789012", stack }).files;
    expect(files.length).toBeGreaterThan(20);
    expect(files.map((f) => f.path).filter((p) => !isClassifiedHostFile(p))).toEqual([]);
  });

  it.each<[string, string]>([
    ["/etc/openclaw/openclaw.json", "gateway-restart"],
    ["/etc/openclaw/exec-approvals.json", "gateway-restart"],
    ["/etc/systemd/system/openclaw-gateway.service", "gateway-restart"],
    ["/etc/systemd/system/openclaw-gateway.service.d/10-clawkeep-imds-guard.conf", "gateway-restart"],
    ["/etc/systemd/system/clawkeep-egress.socket", "gateway-restart"],
    ["/etc/squid/clawkeep-egress.conf", "reload"],
    ["/etc/systemd/system/squid.service.d/clawkeep.conf", "service-restart"],
    ["/etc/clawkeep/tailscale.env", "service-restart"],
    ["/etc/audit/rules.d/50-clawkeep.rules", "reload"],
    ["/usr/local/libexec/clawkeep/pickup-token", "nothing"],
    ["/etc/systemd/system/clawkeep-token-pickup.timer", "service-restart"],
  ])("%s: %s", (path, effect) => {
    expect(hostFileEffect(path).effect).toBe(effect);
  });

  it("an unknown host file needs a new host, and says to classify it", () => {
    expect(isClassifiedHostFile("/etc/clawkeep/new-thing.conf")).toBe(false);
    expect(hostFileEffect("/etc/clawkeep/new-thing.conf")).toEqual({ effect: "new-host", action: expect.stringMatching(/unclassified host file: components\/base\/changeEffects\.ts does not know it/) });
  });
});

describe("host.env, key by key", () => {
  const env = (pairs: Record<string, string>) => `# facts\n${Object.entries(pairs).map(([k, v]) => `${k}=${v}`).join("\n")}\n`;
  const base = { AWS_REGION: "us-east-1", CLAWKEEP_OPENCLAW_VERSION: "2026.9.6", CLAWKEEP_SSM_AGENT_VERSION: "3.3", CLAWKEEP_NPM_REGISTRY: "https://registry.npmjs.org" };

  it("a runtime pin upgrades the runtime; the strongest key decides and is named", () => {
    const e = hostFileEffect("/etc/clawkeep/host.env", env(base), env({ ...base, CLAWKEEP_OPENCLAW_VERSION: "2026.9.5", CLAWKEEP_SSM_AGENT_VERSION: "3.4" }));
    expect(e.effect).toBe("runtime-upgrade");
    expect(e.action).toMatch(/\(CLAWKEEP_OPENCLAW_VERSION\)$/);
  });

  it.each<[string, string]>([
    ["CLAWKEEP_NODE_INTEGRITY", "runtime-upgrade"],
    ["CLAWKEEP_NPM_TARBALL", "runtime-upgrade"],
    ["CLAWKEEP_CWAGENT_URL", "service-restart"],
    ["CLAWKEEP_NPM_REGISTRY", "nothing"],
    ["CLAWKEEP_TOKEN_SECRET_ID", "gateway-restart"],
  ])("%s: %s", (key, effect) => {
    expect(hostEnvKeyEffect(key).effect).toBe(effect);
  });

  it("finds changed, added and removed keys, and nothing when only comments differ", () => {
    expect(changedEnvKeys("A=1\nB=2\n", "# x\nA=1\nB=3\nC=4\n")).toEqual(["B", "C"]);
    expect(changedEnvKeys("A=1\nB=2\n", "A=1\n")).toEqual(["B"]);
    expect(hostFileEffect("/etc/clawkeep/host.env", "# a\nA=1\n", "# b\nA=1\n")).toEqual({ effect: "nothing", action: "comments only" });
  });
});

describe("resource inputs", () => {
  const instance = "aws:ec2/instance:Instance";
  it("user data: a new host with userDataReplaceOnChange, else a stop and start", () => {
    expect(resourceChangeEffect(instance, "userDataBase64", { userDataReplaceOnChange: true }).effect).toBe("new-host");
    expect(resourceChangeEffect(instance, "userDataBase64", { userDataReplaceOnChange: false }).effect).toBe("host-restart");
  });

  it.each<[string, string, string]>([
    [instance, "instanceType", "host-restart"],
    [instance, "ami", "new-host"],
    [instance, "subnetId", "new-host"],
    [instance, "rootBlockDevice", "new-host"],
    [instance, "tags", "nothing"],
    [instance, "iamInstanceProfile", "nothing"],
    ["aws:ebs/volume:Volume", "snapshotId", "state-replaced"],
    ["aws:ebs/volume:Volume", "kmsKeyId", "state-replaced"],
    ["aws:ebs/volume:Volume", "size", "nothing"],
    ["aws:ec2/volumeAttachment:VolumeAttachment", "instanceId", "new-host"],
    ["aws:sns/topicSubscription:TopicSubscription", "endpoint", "nothing"],
    ["aws:secretsmanager/secretRotation:SecretRotation", "rotationRules", "nothing"],
  ])("%s %s: %s", (type, property, effect) => {
    expect(resourceChangeEffect(type, property).effect).toBe(effect);
  });

  it("a host or state volume appearing or going matters; other resources do not", () => {
    expect(resourceLifecycleEffect(instance, "created").effect).toBe("new-host");
    expect(resourceLifecycleEffect("aws:ebs/volume:Volume", "deleted").effect).toBe("state-replaced");
    expect(resourceLifecycleEffect("aws:cloudwatch/metricAlarm:MetricAlarm", "created").effect).toBe("nothing");
  });

  it("a set of changes does what its strongest does", () => {
    expect(strongest([])).toBe("nothing");
    expect(strongest(["reload", "gateway-restart", "nothing"])).toBe("gateway-restart");
    expect(strongest([...EFFECTS].reverse())).toBe("state-replaced");
  });
});
