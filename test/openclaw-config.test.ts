// The pinned OpenClaw judges each level's rendered openclaw.json: `config validate` accepts it and
// `security audit --json` finds nothing critical and nothing to warn about. Failure paths included.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderExecApprovalsJson, renderOpenclawConfig, type OpenclawConfig } from "../components/gateway";
import { loadStackFile } from "../stacks/load";
import { TRUST_LEVELS } from "../stacks/trustLevels";
import { needTools } from "./support/tools";
import {
  createSandbox,
  ensureOpenclaw,
  freePort,
  runOpenclaw,
  securityAudit,
  validateConfig,
  writeConfig,
  writeToken,
  type OpenclawInstall,
  type Sandbox,
} from "./support/openclaw";

const VERSION = loadStackFile("level0").host.openclawVersion;
// A generated stand-in for the credential; only its length matters to the audit (>= 24 chars).
const TEST_TOKEN = `test-${Date.now().toString(36)}-${"k".repeat(40)}`;

/** A sandbox laid out as on the host: config 0640, state dir 0700, token credential 0600. */
function hostLikeSandbox(config: (sb: Sandbox) => unknown, mode = 0o640): Sandbox {
  const sb = createSandbox();
  writeConfig(sb, config(sb));
  fs.chmodSync(sb.configPath, mode);
  writeToken(sb, TEST_TOKEN);
  return sb;
}

// The audit probes the configured port: a port nothing listens on keeps it off other gateways here.
let unusedPort = 0;

function render(level: number, sb: Sandbox): OpenclawConfig {
  const model = loadStackFile(`level${level}`, [`gatewayPort=${unusedPort}`]);
  return renderOpenclawConfig(model, { tokenFile: sb.tokenFile, workspaceDir: sb.workspaceDir, logFile: `${sb.logDir}/openclaw.log` });
}

describe.skipIf(!needTools("npm"))(`openclaw@${VERSION} judges the rendered config`, () => {
  let oc: OpenclawInstall;
  const sandboxes: Sandbox[] = [];
  const track = (sb: Sandbox) => (sandboxes.push(sb), sb);

  beforeAll(async () => {
    oc = await ensureOpenclaw(VERSION);
    unusedPort = await freePort();
  });
  afterAll(() => sandboxes.forEach((sb) => sb.cleanup()));

  it.each(TRUST_LEVELS.map((l) => [l]))("level %i: config validate passes and the audit has 0 critical, 0 warn", async (level) => {
    const model = loadStackFile(`level${level}`, [`gatewayPort=${unusedPort}`]);
    const sb = track(hostLikeSandbox((s) => render(level, s)));
    // The host installs its exec approvals before the gateway starts; the audit reads them too.
    fs.writeFileSync(`${sb.root}/approvals.json`, renderExecApprovalsJson(model));
    const approvals = await runOpenclaw(oc, sb, ["approvals", "set", "--file", `${sb.root}/approvals.json`]);
    expect(approvals.code, approvals.stderr).toBe(0);

    const validate = await validateConfig(oc, sb);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    expect(validate.stdout).toContain("Config valid");

    const audit = await securityAudit(oc, sb);
    const loud = audit.findings.filter((f) => f.severity !== "info");
    console.log(`level ${level}: validate ${validate.ms} ms; audit ${JSON.stringify(audit.summary)}`);
    expect(loud).toEqual([]);
    expect(audit.summary).toMatchObject({ critical: 0, warn: 0 });
    // Suppressions hide only what they name: the host's 0640 config mode, nothing else.
    const suppressed = (audit as { suppressedFindings?: Array<{ checkId: string }> }).suppressedFindings ?? [];
    const allowedIds = new Set(render(level, sb).security.audit.suppressions.map((s) => s.checkId));
    for (const f of suppressed) expect(allowedIds).toContain(f.checkId);
    expect(suppressed.map((f) => f.checkId)).toContain("fs.config.perms_group_readable");
  });

  it("rejects a config with a key OpenClaw does not know", async () => {
    const sb = track(
      hostLikeSandbox((s) => {
        const cfg = render(1, s) as OpenclawConfig & { gateway: { notAKey?: boolean } };
        cfg.gateway.notAKey = true;
        return cfg;
      }),
    );
    const res = await validateConfig(oc, sb);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toMatch(/Unrecognized key: "notAKey"/);
  });

  it("reports critical findings for a gateway bound to the LAN or left without auth", async () => {
    const lan = track(hostLikeSandbox((s) => ({ ...render(1, s), gateway: { ...render(1, s).gateway, bind: "lan" } })));
    const lanAudit = await securityAudit(oc, lan);
    expect(lanAudit.summary.critical).toBeGreaterThan(0);
    console.log(`bind lan: ${lanAudit.findings.filter((f) => f.severity === "critical").map((f) => f.checkId).join(", ")}`);

    const noAuth = track(hostLikeSandbox((s) => ({ ...render(1, s), gateway: { ...render(1, s).gateway, auth: { mode: "none" } } })));
    const noAuthAudit = await securityAudit(oc, noAuth);
    expect(noAuthAudit.findings.filter((f) => f.severity === "critical").map((f) => f.checkId)).toContain("gateway.loopback_no_auth");

  });

  it("warns when the config is readable by everyone (the suppression covers only the group bit)", async () => {
    const sb = track(hostLikeSandbox((s) => render(0, s), 0o644));
    const audit = await securityAudit(oc, sb);
    expect(audit.findings.filter((f) => f.severity !== "info").map((f) => f.checkId)).toContain("fs.config.perms_world_readable");
  });
});
