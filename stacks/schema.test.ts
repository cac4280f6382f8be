import { describe, expect, it } from "vitest";
import { ConfigError, LEVELS, PROVIDER_HOSTS, listStacks, loadStackFile, parseStackConfig, type ConfigIssue } from "./index";
import { cidrWithin } from "./cidr";

function issuesOf(input: unknown): ConfigIssue[] {
  try {
    parseStackConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const promotion = { reviewer: "A. Reviewer", date: "2026-11-01", tested: "ran level 1 for 30 days in staging" };

describe("stack schema", () => {
  it("ships one example stack per trust level, each valid", () => {
    expect(listStacks()).toEqual(["level0", "level1", "level2", "level3"]);
    for (const level of [0, 1, 2, 3] as const) {
      const m = loadStackFile(`level${level}`);
      expect(m.trustLevel).toBe(level);
      expect(m.capabilities).toEqual(LEVELS[level]);
    }
  });

  it("fills secure defaults for an operator who sets only the trust level", () => {
    const m = parseStackConfig({ trustLevel: 0 });
    expect(m.network.egressMode).toBe("public-egress");
    expect(m.network.ingressCidrs).toEqual([]);
    expect(m.logRetentionDays).toBe(365);
    expect(m.rotation).toEqual({ gatewayTokenDays: 30, providerKeyDays: 90 });
    expect(m.egressDomains).toEqual([...PROVIDER_HOSTS.anthropic]);
    expect(m.execAllowlist).toEqual([]);
    expect(m.host.openclawVersion).toBe("2026.9.6");
    expect(m.host.openclawIntegrity).toMatch(/^sha512-/);
    expect(m.host.nodeIntegrity).toMatch(/^sha512-/);
    expect(m.model.strongModels).toContain(m.model.primary);
    expect(m.limits.sessionIdleMinutes).toBe(30);
    expect(m.packageMirror).toEqual({ npmRegistry: "https://registry.npmjs.org", debian: undefined, tailscaleRepo: "https://pkgs.tailscale.com/stable/debian" });
  });

  it("takes package mirrors, the Debian pair together, a trailing slash off the Tailscale repository", () => {
    const m = parseStackConfig({
      trustLevel: 0,
      packageMirror: { debianMirror: "http://m.internal/debian", debianSecurityMirror: "http://m.internal/debian-security", tailscaleRepo: "https://m.internal/tailscale/" },
    });
    expect(m.packageMirror.debian).toEqual({ primary: "http://m.internal/debian", security: "http://m.internal/debian-security" });
    expect(m.packageMirror.tailscaleRepo).toBe("https://m.internal/tailscale");
    expect(issuesOf({ trustLevel: 0, packageMirror: { tailscaleRepo: "ftp://m.internal/ts" } })[0].key).toBe("packageMirror.tailscaleRepo");
  });

  it("gives levels 2 and 3 the guides' production host size", () => {
    expect(parseStackConfig({ trustLevel: 1 }).host).toMatchObject({ instanceType: "t3.medium", rootVolumeGb: 30 });
    expect(parseStackConfig({ trustLevel: 2, promotion, alarmEmail: "oncall@corp.io" }).host).toMatchObject({ instanceType: "c6i.xlarge", rootVolumeGb: 100 });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["unknown key", { trustLevel: 0, sshKey: "x" }, "sshKey", /no such key/],
    ["wrong type", { trustLevel: "high" }, "trustLevel", /one of 0, 1, 2, 3/],
    ["out of range level", { trustLevel: 4 }, "trustLevel", /one of 0, 1, 2, 3/],
    ["missing level", {}, "trustLevel", /one of 0, 1, 2, 3/],
    ["commands at level 0", { trustLevel: 0, execAllowlist: ["/usr/bin/git"] }, "execAllowlist", /no commands/],
    ["commands at level 1", { trustLevel: 1, execAllowlist: ["/usr/bin/git"] }, "execAllowlist", /commands start at level 2/],
    ["extra egress at level 0", { trustLevel: 0, egressAllowlist: ["example.com"] }, "egressAllowlist", /model provider API only/],
    ["world ingress", { trustLevel: 1, ingressCidrs: ["0.0.0.0/0"] }, "ingressCidrs.0", /never 0.0.0.0\/0/],
    ["ingress from outside the VPC", { trustLevel: 1, ingressCidrs: ["192.168.1.0/24"] }, "ingressCidrs.0", /inside the VPC/],
    ["short log retention", { trustLevel: 1, logRetentionDays: 30 }, "logRetentionDays", /at least 90 days/],
    ["retention CloudWatch lacks", { trustLevel: 1, logRetentionDays: 100 }, "logRetentionDays", /one of CloudWatch's values/],
    ["token rotation over 90 days", { trustLevel: 1, gatewayTokenRotationDays: 120 }, "gatewayTokenRotationDays", /<= 90/],
    ["key rotation over 90 days", { trustLevel: 1, providerKeyRotationDays: 91 }, "providerKeyRotationDays", /<= 90/],
    ["level 2 without promotion", { trustLevel: 2 }, "promotion", /recorded review/],
    ["weak model", { trustLevel: 1, model: "anthropic/claude-haiku-3" }, "model", /strongModels/],
    ["endpoints without NAT", { trustLevel: 1, interfaceEndpoints: true }, "interfaceEndpoints", /private-nat/],
    ["public VPC range", { trustLevel: 1, vpcCidr: "8.8.0.0/16" }, "vpcCidr", /private IPv4 CIDR/],
    ["unsupported Node", { trustLevel: 1, nodeVersion: "22.12.0" }, "nodeVersion", /24.16.0/],
    ["unpinned openclaw", { trustLevel: 1, openclawVersion: "2026.10.1" }, "openclawIntegrity", /integrity/],
    ["plain-text secret", { trustLevel: 1, anthropicApiKey: "plain" }, "anthropicApiKey", /pulumi config set --secret/],
    ["idle timeout past the guides' 30 minutes", { trustLevel: 1, sessionIdleMinutes: 120 }, "sessionIdleMinutes", /<= 30/],
    ["security logs kept under 90 days", { trustLevel: 1, securityLogRetentionDays: 30 }, "securityLogRetentionDays", /at least 90/],
    ["an auth-failure threshold of 0", { trustLevel: 1, alarms: { authFailuresPer10Min: 0 } }, "alarms.authFailuresPer10Min", />= 1/],
    ["an unknown alarm key", { trustLevel: 1, alarms: { sshFailures: 3 } }, "alarms.sshFailures", /no such key/],
    ["a weekday that does not exist", { trustLevel: 1, businessHours: { days: ["Funday"] } }, "businessHours.days.0", /one of/],
    ["a trusted admin that is not an ARN", { trustLevel: 1, access: { admins: ["alice"] } }, "access.admins.0", /IAM role, user or account-root ARN/],
    ["a Debian mirror without a security mirror", { trustLevel: 1, packageMirror: { debianMirror: "http://m.internal/debian" } }, "packageMirror.debianSecurityMirror", /security updates/],
    ["a security mirror without a Debian mirror", { trustLevel: 1, packageMirror: { debianSecurityMirror: "http://m.internal/debian-security" } }, "packageMirror.debianMirror", /whenever packageMirror.debianSecurityMirror/],
    ["a trail kept under a year", { trustLevel: 1, trailRetentionDays: 90 }, "trailRetentionDays", />= 365/],
  ])("rejects %s, naming the key, the value and what is allowed", (_label, input, key, allowed) => {
    const issues = issuesOf(input);
    const issue = issues.find((i) => i.key === key);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.allowed).toMatch(allowed);
    expect(new ConfigError(issues).message).toContain(`clawkeep:${key}: got `);
  });

  it("parses {secure: ...} values and keeps them wrapped", () => {
    const m = parseStackConfig({ trustLevel: 1, anthropicApiKey: { secure: "v1:AAAAciphertext" } });
    expect(m.secrets.anthropicApiKey).toEqual({ secret: true, value: "v1:AAAAciphertext", encrypted: true });
  });

  it("never echoes a secret value in an error", () => {
    const issues = issuesOf({ trustLevel: 1, openaiAdminKey: { secure: "v1:cipher-value-xyz" } });
    expect(new ConfigError(issues).message).not.toContain("cipher-value-xyz");
  });

  it("overrides one key with --config-style key=value and rejects a secret override", () => {
    expect(loadStackFile("level1", ["egressMode=private-nat"]).network.egressMode).toBe("private-nat");
    expect(() => loadStackFile("level1", ["anthropicApiKey=abc"])).toThrow(/secure/);
    expect(() => loadStackFile("nope")).toThrow(/level0, level1, level2, level3/);
  });

  it("computes CIDR containment", () => {
    expect(cidrWithin("10.42.3.0/24", "10.42.0.0/16")).toBe(true);
    expect(cidrWithin("10.43.0.0/24", "10.42.0.0/16")).toBe(false);
    expect(cidrWithin("0.0.0.0/0", "10.42.0.0/16")).toBe(false);
    expect(cidrWithin("10.42.0.0/15", "10.42.0.0/16")).toBe(false);
  });
});
