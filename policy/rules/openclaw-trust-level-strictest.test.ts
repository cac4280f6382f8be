import { describe, expect, it } from "vitest";
import type { StackResource } from "../lib/types";
import { openclawTrustLevelStrictest } from "./openclaw-trust-level-strictest";

const r = (type: string, name: string, props: Record<string, unknown>): StackResource => ({ type, name, urn: `urn:${name}`, props: { id: `${name}-id`, ...props }, dependencies: [] });
const tags = (level?: string) => (level === undefined ? {} : { tags: { "clawkeep:trustLevel": level } });
const unit = "[Service]\nExecStart=/usr/bin/openclaw gateway --port 18789\n";
const host = (level?: string) => r("aws:ec2/instance:Instance", "gw", { ...tags(level), userData: `#cloud-config\n${JSON.stringify({ write_files: [{ path: "/etc/systemd/system/openclaw-gateway.service", content: unit }] })}` });
/** A config that only level 2 and up may run: exec with allowlist approvals. */
const execConfig = {
  gateway: { bind: "loopback", auth: { mode: "token" } },
  tools: { allow: ["exec", "process"], deny: ["gateway", "openclaw", "plugins", "nodes"], fs: { workspaceOnly: true }, exec: { mode: "allowlist" }, elevated: { enabled: false } },
  session: { reset: { mode: "daily", atHour: 4, idleMinutes: 30 } },
  logging: { audit: { enabled: true } },
};
const object = (level?: string) => r("aws:s3/bucketObjectv2:BucketObjectv2", "cfg", { ...tags(level), bucket: "b", key: "openclaw.json", content: JSON.stringify(execConfig) });
const judge = (resources: StackResource[]) => openclawTrustLevelStrictest.validateStack(resources, {});

describe("openclaw-trust-level-strictest", () => {
  it("judges a config whose carrier claims a higher level at the host's level (untagged host: 0)", () => {
    expect(judge([host("0"), object("3")])[0]?.message).toMatch(/claims level 3, but instance "gw" runs the gateway at level 0 .*exec, process reachable/);
    expect(judge([host(), object("2")]).length).toBeGreaterThan(0);
  });
  it("takes the strictest of several hosts", () => {
    const second = { ...host("3"), name: "gw3", urn: "urn:gw3" };
    expect(judge([second, host("1"), object("3")])[0]?.message).toMatch(/runs the gateway at level 1/);
  });
  it("judges a carrier at the level of the hosts that name it, when some do (several cells in one stack)", () => {
    const fetches = (name: string, level: string, key: string) => ({ ...r("aws:ec2/instance:Instance", name, { ...tags(level), userData: `#cloud-config\n${JSON.stringify({ write_files: [{ path: "/etc/systemd/system/openclaw-gateway.service", content: unit }], runcmd: [`aws s3 cp s3://b/${key} /run/x`] })}` }) });
    expect(judge([fetches("l3", "3", "openclaw.json"), fetches("l0", "0", "other.json"), object("3")])).toEqual([]);
    expect(judge([fetches("l3", "3", "other.json"), fetches("l0", "0", "openclaw.json"), object("3")])[0]?.message).toMatch(/instance "l0" runs the gateway at level 0/);
  });
  it("passes a carrier at or below the host's level, a config inside the stricter level, and a stack with no host", () => {
    expect(judge([host("2"), object("2")])).toEqual([]);
    expect(judge([host("3"), object("2")])).toEqual([]);
    expect(judge([object("3")])).toEqual([]);
    const level0Config = r("aws:s3/bucketObjectv2:BucketObjectv2", "cfg0", { ...tags("3"), bucket: "b", key: "openclaw.json", content: JSON.stringify({ ...execConfig, tools: { ...execConfig.tools, allow: ["ask_user"], deny: ["group:runtime", "gateway", "openclaw", "plugins", "nodes"] }, session: { reset: { mode: "idle", idleMinutes: 30 } } }) });
    expect(judge([host("0"), level0Config])).toEqual([]);
  });
});
