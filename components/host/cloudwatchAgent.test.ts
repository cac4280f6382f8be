// The audit host files as rendered: the audit rules and the host file list. The real tools judge the
// rest in cloudwatchAgent.integration.test.ts.
import { describe, expect, it } from "vitest";
import { auditLogGroupNames, metricNamespace, METRICS } from "../audit/names";
import {
  AUDIT_FINALIZE_PATH,
  AUDIT_RULES_PATH,
  HEALTH_SCRIPT,
  HEALTH_TIMER,
  auditHostFiles,
  renderAuditRules,
  type AuditHostInput,
} from "./cloudwatchAgent";

const input: AuditHostInput = {
  names: auditLogGroupNames("level1", "gw"),
  namespace: metricNamespace("level1", "gw"),
  healthMetric: METRICS.gatewayHealthy,
  gatewayPort: 18789,
  agentCommands: false,
};
describe("audit rules and the host file list", () => {
  it("watches the config, the credentials and every program the service user runs, then locks the rules", () => {
    const rules = renderAuditRules(false).split("\n");
    expect(rules).toEqual(expect.arrayContaining(["-w /etc/openclaw/ -p wa -k openclaw-config", "-w /run/clawkeep/ -p rwa -k gateway-credentials", "-w /run/credentials/ -p rwa -k gateway-credentials"]));
    expect(rules.filter((r) => r.includes("-k openclaw-exec"))).toEqual([
      "-a always,exit -F arch=b64 -S execve,execveat -F uid=openclaw -k openclaw-exec",
      "-a always,exit -F arch=b32 -S execve,execveat -F uid=openclaw -k openclaw-exec",
    ]);
    const files = auditHostFiles(input);
    const paths = files.map((f) => f.path);
    // augenrules reads rules.d in name order: the immutable flag must sort last.
    expect([AUDIT_RULES_PATH, AUDIT_FINALIZE_PATH].sort()).toEqual([AUDIT_RULES_PATH, AUDIT_FINALIZE_PATH]);
    expect(files.find((f) => f.path === AUDIT_FINALIZE_PATH)?.content).toMatch(/^-e 2$/m);
    expect(paths).toEqual(expect.arrayContaining([HEALTH_SCRIPT, `/etc/systemd/system/${HEALTH_TIMER}`]));
    for (const f of files) expect(f.owner).toBe("root:root");
  });
});
