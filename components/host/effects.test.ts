// What a changed host file does to a running cell, derived from the actions apply-bundle runs for it (one
// table for the host and the plan's --against). The kit's own host files must all be classified; an
// unknown one is a new host in the plan, and packBundle refuses it.
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../stacks";
import { PATHS } from "../base/layout";
import { renderHost, hostFacts } from "./hostFiles";
import { packBundle } from "./hostBundle";
import { APPLY_ACTIONS, actionCommands, effectOf, hostFileActions, hostFileEffect, isClassifiedHostFile } from "./effects";

describe("host files", () => {
  it.each(["level0", "level1", "level2", "level3"])("every host file of %s is classified", (stack) => {
    const model = loadStackFile(stack);
    const files = renderHost(model, hostFacts(model, stack, "us-east-1"), { accountId: "123456789012", stack, stateVolumeId: "vol-0c1a3e5e7a9b1d2f4" }).files;
    expect(files.length).toBeGreaterThan(20);
    expect(files.map((f) => f.path).filter((p) => !isClassifiedHostFile(p))).toEqual([]);
  });

  it.each<[string, string]>([
    ["/etc/openclaw/openclaw.json", "gateway-restart"],
    ["/etc/openclaw/exec-approvals.json", "gateway-restart"],
    ["/etc/systemd/system/openclaw-gateway.service", "gateway-restart"],
    ["/etc/systemd/system/openclaw-gateway.service.d/10-clawkeep-imds-guard.conf", "gateway-restart"],
    ["/etc/systemd/system/clawkeep-egress.socket", "gateway-restart"],
    ["/etc/clawkeep/runtime.env", "runtime-upgrade"],
    ["/etc/squid/clawkeep-egress.conf", "reload"],
    ["/etc/systemd/system/squid.service.d/clawkeep.conf", "service-restart"],
    ["/etc/clawkeep/tailscale.env", "service-restart"],
    ["/etc/systemd/system/openclaw-agent-node.service", "service-restart"],
    // auditd's rules are locked (-e 2) until the next boot.
    ["/etc/audit/rules.d/50-clawkeep.rules", "next-boot"],
    // A unit that runs only at boot, or a foreign unit's drop-in: systemd re-reads it now, it acts at the next start.
    ["/etc/systemd/system/clawkeep-state-volume.service", "reload"],
    ["/etc/systemd/system/amazon-ssm-agent.service.d/10-clawkeep-imds-guard.conf", "reload"],
    ["/usr/local/libexec/clawkeep/pickup-token", "nothing"],
    ["/etc/systemd/system/clawkeep-token-pickup.timer", "service-restart"],
  ])("%s: %s", (path, effect) => {
    expect(hostFileEffect(path).effect).toBe(effect);
  });

  it("says what runs, from the same commands apply-bundle runs", () => {
    expect(hostFileEffect("/etc/squid/clawkeep-egress.conf").action).toBe(actionCommands("squid-reload").map((c) => c.join(" ")).join("; "));
    expect(hostFileEffect("/etc/systemd/system/clawkeep-token-pickup.timer").action).toBe("systemctl daemon-reload; systemctl try-restart clawkeep-token-pickup.timer");
    expect(hostFileEffect("/etc/audit/rules.d/50-clawkeep.rules").action).toBe(APPLY_ACTIONS["next-boot"].why);
    expect(effectOf([])).toBe("nothing");
  });

  it("an unknown host file needs a new host in the plan, says to classify it, and is refused by packBundle", () => {
    expect(isClassifiedHostFile("/etc/clawkeep/new-thing.conf")).toBe(false);
    expect(hostFileActions("/etc/clawkeep/new-thing.conf")).toBeNull();
    expect(hostFileEffect("/etc/clawkeep/new-thing.conf")).toEqual({ effect: "new-host", action: expect.stringMatching(/unclassified host file: components\/host\/effects\.ts does not know it/) });
    expect(() => packBundle([{ path: "/etc/clawkeep/new-thing.conf", content: "x", mode: "0644", owner: "root:root" }])).toThrow(/no classification in components\/host\/effects\.ts/);
  });
});

describe("host.env", () => {
  const env = (pairs: Record<string, string>) => `# facts\n${Object.entries(pairs).map(([k, v]) => `${k}=${v}`).join("\n")}\n`;
  const base = { AWS_REGION: "us-east-1", CLAWKEEP_SSM_AGENT_VERSION: "3.3", CLAWKEEP_TOKEN_SECRET_ID: "a" };

  it("restarts the gateway and names the keys that changed; only comments changed is nothing", () => {
    const e = hostFileEffect(PATHS.envFile, env(base), env({ ...base, CLAWKEEP_TOKEN_SECRET_ID: "b", CLAWKEEP_SSM_AGENT_VERSION: "3.4" }));
    expect(e.effect).toBe("gateway-restart");
    expect(e.action).toMatch(/try-restart clawkeep-token\.service openclaw-gateway\.service \(CLAWKEEP_SSM_AGENT_VERSION, CLAWKEEP_TOKEN_SECRET_ID\)$/);
    expect(hostFileEffect(PATHS.envFile, "# a\nA=1\n", "# b\nA=1\n")).toEqual({ effect: "nothing", action: "comments only" });
  });
});
