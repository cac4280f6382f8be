import { describe, expect, it } from "vitest";
import { GATEWAY_UNIT, PATHS, PROVIDER_KEYS_DIR, PROVIDER_KEYS_SUBDIR, TOKEN_UNIT } from "../base/layout";
import { scriptPath } from "./bootScripts";
import {
  GATEWAY_STOPPED_EXIT,
  HEALTH_WAIT_SECONDS,
  PICKUP_INTERVAL_MINUTES,
  PICKUP_SCRIPT_PATH,
  PICKUP_TIMEOUT_SECONDS,
  PICKUP_TIMER,
  PICKUP_UNIT,
  pickupEventPattern,
  pickupTokenFile,
  pickupUnitFiles,
  renderPickupService,
  renderPickupTimer,
  renderPickupToken,
} from "./pickupToken";
import { GATEWAY_STOP_TIMEOUT_SEC } from "./systemdUnits";

const script = renderPickupToken();
/** Script lines that run something: comments and blank lines dropped. */
const code = script
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));
const TOKEN_VARS = /\$\{?#?(token|target|other)\b/;

const values = (unit: string, key: string) =>
  unit
    .split("\n")
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));

describe("renderPickupToken", () => {
  it("is a strict bash script installed root-only beside the boot scripts", () => {
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(code).toContain("set -euo pipefail");
    expect(code).toContain("umask 077");
    expect(PICKUP_SCRIPT_PATH).toBe(`${PATHS.libexecDir}/pickup-token`);
    expect(pickupTokenFile()).toEqual({ path: PICKUP_SCRIPT_PATH, content: script, mode: "0750", owner: "root:root" });
  });

  it("takes its paths from the host layout, overridable only through CLAWKEEP_* test variables", () => {
    expect(code).toContain(`host_env=\${CLAWKEEP_HOST_ENV:-${PATHS.envFile}}`);
    expect(code).toContain(`token_file=\${CLAWKEEP_TOKEN_FILE:-${PATHS.tokenFile}}`);
    expect(code).toContain(`fetch_token=\${CLAWKEEP_FETCH_TOKEN:-${scriptPath("fetch-token")}}`);
    expect(code).toContain(`key_dir=$dir/${PROVIDER_KEYS_SUBDIR}`);
    expect(code).toContain(`config=\${CLAWKEEP_OPENCLAW_CONFIG:-${PATHS.configFile}}`);
    expect(code).toContain(`unit=${GATEWAY_UNIT}`);
  });

  it("asks systemd only whether the gateway runs and to restart it if it does: never starts a stopped one", () => {
    const calls = code.filter((l) => /\bsystemctl\b/.test(l)).map((l) => /systemctl [^|;]*?"\$unit"/.exec(l)?.[0]);
    expect(new Set(calls)).toEqual(new Set([`systemctl is-active --quiet "$unit"`, `systemctl try-restart "$unit"`]));
    expect(code).toContain(`exit ${GATEWAY_STOPPED_EXIT}`);
  });

  it("hands tokens only to builtins and files: never to a command's argv, the environment or a message", () => {
    const withToken = code.filter((l) => TOKEN_VARS.test(l));
    expect(withToken.length).toBeGreaterThan(5);
    for (const line of withToken) expect(line, line).not.toMatch(/\b(curl|aws|python3|echo|export|env|cat|mv|cp|tee|logger)\b/);
    const messages = script.match(/\b(die|log) "[^"]*"/g) ?? [];
    expect(messages.length).toBeGreaterThan(10);
    for (const m of messages) expect(m, m).not.toMatch(TOKEN_VARS);
    // The bearer header is written by printf into a file that curl reads with -H @file.
    for (const line of code.filter((l) => l.includes("Authorization: Bearer"))) expect(line).toMatch(/^printf 'Authorization: Bearer %s\\n' "\$\w+" >"\$work\/\w+\.header"$/);
    expect(script).toMatch(/curl [^\n]*-H @"\$1"/);
  });

  it("re-stages the provider keys through fetch-token itself and only hashes them: no key logic of its own", () => {
    expect(code).toContain(`"$fetch_token" --provider-keys-only || keys_failed=1`);
    // The key directory's content reaches sha256sum on stdin only; the digest stays in variables.
    expect(code).toContain(`sha256sum <"$f"`);
    expect(script).not.toMatch(/\b(extract_key|get-secret-value --secret-id "\$id")/);
    for (const line of code.filter((l) => /keys_digest|keys_before/.test(l))) expect(line, line).not.toMatch(/\b(log|die|echo|printf)\b/);
    // A changed key restarts a gateway that already accepts the token, through the one try-restart.
    expect(code.filter((l) => l.startsWith("systemctl try-restart"))).toHaveLength(1);
    expect(script).toContain("restarting $unit for a changed provider API key");
  });

  it("proves a token on an authenticated endpoint that runs no tool and touches no session", () => {
    expect(script).toContain(`--data '{}' "$base/tools/invoke"`);
    expect(script).toContain(`*'"type":"invalid_request"'*`);
    expect(script).toContain(`"$base/healthz"`);
  });
});

describe("the fallback timer", () => {
  const service = renderPickupService();
  const timer = renderPickupTimer();

  it("runs pickup-token bare every few minutes, after the boot-time fetch", () => {
    expect(values(service, "ExecStart")).toEqual([PICKUP_SCRIPT_PATH]);
    expect(values(service, "Type")).toEqual(["oneshot"]);
    expect(values(service, "After")[0]).toContain(TOKEN_UNIT);
    expect(values(service, "SuccessExitStatus")).toEqual([String(GATEWAY_STOPPED_EXIT)]);
    expect(values(timer, "OnUnitActiveSec")).toEqual([`${PICKUP_INTERVAL_MINUTES}min`]);
    expect(values(timer, "OnBootSec")).toEqual([`${PICKUP_INTERVAL_MINUTES}min`]);
    expect(values(timer, "AccuracySec")).toEqual(["10s"]);
    expect(values(timer, "Unit")).toEqual([PICKUP_UNIT]);
    expect(values(timer, "WantedBy")).toEqual(["timers.target"]);
  });

  it("gives a run room for a draining gateway, its start and the token check", () => {
    expect(PICKUP_TIMEOUT_SECONDS).toBeGreaterThanOrEqual(GATEWAY_STOP_TIMEOUT_SEC + 2 * HEALTH_WAIT_SECONDS);
    expect(values(service, "TimeoutStartSec")).toEqual([String(PICKUP_TIMEOUT_SECONDS)]);
    expect(script).toContain(`flock -w ${PICKUP_TIMEOUT_SECONDS} 9`);
  });

  it("holds no capability and may write only the staging directory of the token and the provider keys", () => {
    expect(values(service, "CapabilityBoundingSet")).toEqual([""]);
    expect(values(service, "ReadWritePaths")).toEqual([PATHS.runSecretsDir]);
    expect(PROVIDER_KEYS_DIR.startsWith(`${PATHS.runSecretsDir}/`)).toBe(true);
    expect(values(service, "ProtectSystem")).toEqual(["strict"]);
    expect(values(service, "NoNewPrivileges")).toEqual(["yes"]);
  });

  it("lands in /etc/systemd/system, root-owned", () => {
    expect(pickupUnitFiles()).toEqual([
      { path: `/etc/systemd/system/${PICKUP_UNIT}`, content: service, mode: "0644", owner: "root:root" },
      { path: `/etc/systemd/system/${PICKUP_TIMER}`, content: timer, mode: "0644", owner: "root:root" },
    ]);
  });
});

describe("the EventBridge push", () => {
  const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:clawkeep/prod/main/gateway-token-AbCdEf";
  const keyArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:clawkeep/prod/main/anthropic-api-key-GhIjKl";

  it("matches AWSCURRENT moving on the token and on each provider key secret, and on nothing else", () => {
    expect(pickupEventPattern([arn, keyArn])).toEqual({
      source: ["aws.secretsmanager"],
      "detail-type": ["Secret Label Updated"],
      resources: [arn, keyArn],
      detail: { labelUpdated: ["AWSCURRENT"] },
    });
  });

  it("refuses an empty list: a rule without resources would match every secret of the account", () => {
    expect(() => pickupEventPattern([])).toThrow(/no secret ARN/);
  });
});
