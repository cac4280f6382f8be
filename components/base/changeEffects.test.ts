// What a change does to a running cell (issue 18 item 3): the scale and the resource inputs. Host files
// are classified by the actions apply-bundle runs (components/host/effects.test.ts).
import { describe, expect, it } from "vitest";
import { EFFECTS, changedEnvKeys, resourceChangeEffect, resourceLifecycleEffect, strongest } from "./changeEffects";

describe("env files", () => {
  it("finds changed, added and removed keys, and nothing when only comments differ", () => {
    expect(changedEnvKeys("A=1\nB=2\n", "# x\nA=1\nB=3\nC=4\n")).toEqual(["B", "C"]);
    expect(changedEnvKeys("A=1\nB=2\n", "A=1\n")).toEqual(["B"]);
    expect(changedEnvKeys("# a\nA=1\n", "# b\nA=1\n")).toEqual([]);
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
