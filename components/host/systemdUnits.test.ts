import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../stacks/load";
import { EGRESS_SOCKET, GATEWAY_PROXY_URL, INGRESS_SOCKET } from "../netsandbox/addresses";
import { CREDENTIALS_DIR, GATEWAY_UNIT, PATHS, STATE_VOLUME_UNIT, TOKEN_CREDENTIAL, TOKEN_UNIT } from "../base/layout";
import { CONFIG_INVALID_EXIT, GATEWAY_STOP_TIMEOUT_SEC, gatewayEnvironment, gatewaySandbox, parseSecurityReport, parseSecurityScore, proxyEnvironment, renderGatewayUnit, renderJournaldConf, renderTokenUnit } from "./systemdUnits";
import { vpcResolver } from "../../stacks/cidr";
import { SECRETS_GATE_SCRIPT } from "./secretsGate";

const LEVELS = ["level0", "level1", "level2", "level3"] as const;

/** `Key=value` lines of a unit (comments and section headers dropped). */
function directives(unit: string): Array<[string, string]> {
  return unit
    .split("\n")
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]);
}
const values = (unit: string, key: string) => directives(unit).filter(([k]) => k === key).map(([, v]) => v);
const only = (unit: string, key: string) => {
  const v = values(unit, key);
  expect(v, key).toHaveLength(1);
  return v[0];
};
const comments = (unit: string) => unit.split("\n").filter((l) => l.startsWith("#")).join("\n");

/** Anything that looks like a credential: long random-looking runs, provider and Tailscale key prefixes. */
const TOKEN_LIKE = [/\b[A-Fa-f0-9]{32,}\b/, /[A-Za-z0-9+/]{40,}={0,2}/, /[A-Za-z0-9_-]{40,}/, /\bsk-[A-Za-z0-9-]{8,}/, /\btskey-/, /\bAKIA[A-Z0-9]{16}\b/];

describe("renderGatewayUnit", () => {
  it("the secret detector itself catches generated tokens", () => {
    const tokens = [randomBytes(24).toString("hex"), randomBytes(32).toString("base64url"), randomBytes(33).toString("base64")];
    for (const t of tokens) expect(TOKEN_LIKE.some((re) => re.test(`Environment=X=${t}`)), t.length.toString()).toBe(true);
  });

  for (const stack of LEVELS) {
    const model = loadStackFile(stack);
    const unit = renderGatewayUnit(model);

    it(`${stack}: runs the pinned node + openclaw as the nologin user, loopback only, on the stack's port`, () => {
      expect(only(unit, "User")).toBe("openclaw");
      expect(only(unit, "Group")).toBe("openclaw");
      expect(only(unit, "ExecStart")).toBe(`${PATHS.nodeBin} ${PATHS.openclawEntry} gateway --port ${model.gateway.port} --bind loopback`);
      expect(only(unit, "Type")).toBe("exec");
      expect(only(unit, "WorkingDirectory")).toBe("/");
    });

    it(`${stack}: the token arrives as a credential from the token unit, never through the environment`, () => {
      // The token, and the directory of provider keys (a key not set yet is simply absent).
      expect(values(unit, "LoadCredential")).toEqual([`${TOKEN_CREDENTIAL}:${PATHS.tokenFile}`, "provider-keys:/run/clawkeep/provider-keys"]);
      // The exec approvals are re-applied as the service user before every start.
      // Then the secrets gate (OpenClaw's own secrets audit) refuses a start with a credential in plain text.
      expect(values(unit, "ExecStartPre")).toEqual([
        `${PATHS.nodeBin} ${PATHS.openclawEntry} approvals set --file ${PATHS.execApprovalsFile}`,
        `${PATHS.nodeBin} ${SECRETS_GATE_SCRIPT} ${PATHS.openclawEntry}`,
      ]);
      expect(only(unit, "Requires")).toBe(`${TOKEN_UNIT} ${STATE_VOLUME_UNIT}`);
      expect(only(unit, "After").split(" ")).toEqual(expect.arrayContaining([TOKEN_UNIT, STATE_VOLUME_UNIT]));
      expect(only(unit, "After").split(" ")).toContain(TOKEN_UNIT);
      expect(CREDENTIALS_DIR).toBe(`/run/credentials/${GATEWAY_UNIT}`);
      const env = values(unit, "Environment");
      expect(env.some((e) => /TOKEN|PASSWORD|API_KEY|SECRET/i.test(e.split("=")[0]))).toBe(false);
      expect(values(unit, "EnvironmentFile")).toEqual([]);
      expect(values(unit, "SetCredential")).toEqual([]);
      expect(only(unit, "InaccessiblePaths").split(" ")).toContain(`-${PATHS.runSecretsDir}`);
    });

    it(`${stack}: sets exactly the non-secret OpenClaw settings`, () => {
      const env = Object.fromEntries(values(unit, "Environment").map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
      expect(env).toEqual(gatewayEnvironment());
      expect(env).toMatchObject({
        ...proxyEnvironment(),
        OPENCLAW_CONFIG_READONLY: "1",
        OPENCLAW_CONFIG_PATH: PATHS.configFile,
        OPENCLAW_STATE_DIR: PATHS.stateDir,
        HOME: PATHS.stateDir,
        OPENCLAW_NO_RESPAWN: "1",
        OPENCLAW_NO_AUTO_UPDATE: "1",
        OPENCLAW_DISABLE_BONJOUR: "1",
        OPENCLAW_SERVICE_REPAIR_POLICY: "external",
        NODE_COMPILE_CACHE: PATHS.compileCache,
      });
    });

    it(`${stack}: restart policy follows OpenClaw's own service policy`, () => {
      expect(only(unit, "Restart")).toBe("always");
      expect(only(unit, "RestartPreventExitStatus")).toBe(String(CONFIG_INVALID_EXIT));
      expect(only(unit, "TimeoutStopSec")).toBe(String(GATEWAY_STOP_TIMEOUT_SEC));
      expect(GATEWAY_STOP_TIMEOUT_SEC).toBe(315 + 10 + 5);
      expect(only(unit, "KillMode")).toBe("mixed");
    });

    it(`${stack}: the core sandbox directives are set`, () => {
      const expected: Record<string, string> = {
        NoNewPrivileges: "yes",
        CapabilityBoundingSet: "",
        AmbientCapabilities: "",
        ProtectSystem: "strict",
        ProtectHome: "yes",
        PrivateTmp: "yes",
        PrivateDevices: "yes",
        PrivateUsers: "yes",
        ProtectProc: "invisible",
        ProcSubset: "pid",
        UMask: "0077",
        RestrictNamespaces: "yes",
        SystemCallArchitectures: "native",
        RestrictAddressFamilies: "AF_UNIX AF_INET AF_INET6",
        StateDirectory: "openclaw",
        LogsDirectory: "openclaw",
      };
      for (const [k, v] of Object.entries(expected)) expect(only(unit, k), k).toBe(v);
      expect(values(unit, "SystemCallFilter")).toEqual(["@system-service", "~@privileged @resources"]);
      expect(only(unit, "PrivateNetwork")).toBe("yes");
      expect(only(unit, "IPAddressDeny")).toBe("any");
      expect(only(unit, "IPAddressAllow")).toBe("localhost");
      expect(only(unit, "InaccessiblePaths").split(" ")).toEqual(expect.arrayContaining(["-/run/tailscale", "-/var/lib/amazon"]));
    });

    it(`${stack}: joins the egress listener's namespace and sends all traffic to it`, () => {
      expect(only(unit, "JoinsNamespaceOf")).toBe(EGRESS_SOCKET);
      expect(only(unit, "Wants").split(" ")).toEqual([EGRESS_SOCKET, INGRESS_SOCKET]);
      expect(only(unit, "After").split(" ")).toEqual(expect.arrayContaining([EGRESS_SOCKET, INGRESS_SOCKET]));
      const env = Object.fromEntries(values(unit, "Environment").map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
      for (const k of ["OPENCLAW_PROXY_URL", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"]) expect(env[k], k).toBe(GATEWAY_PROXY_URL);
      expect(env.NODE_USE_ENV_PROXY).toBe("1");
      expect(env.NO_PROXY.split(",")).toEqual(["localhost", "127.0.0.1", "::1"]);
    });

    it(`${stack}: what breaks Node or OpenClaw is left off, each with its reason in a comment`, () => {
      for (const key of ["MemoryDenyWriteExecute", "RootDirectory", "RestrictSUIDSGID"]) {
        expect(values(unit, key), key).toEqual([]);
        expect(comments(unit)).toMatch(new RegExp(`^# ${key}= not set( yet)?: \\S.{20,}`, "m"));
      }
      expect(comments(unit)).toMatch(/AF_NETLINK is left out/);
    });

    it(`${stack}: only node may be executed, at every level (the agent's commands run on the node host)`, () => {
      expect(values(unit, "NoExecPaths")).toEqual(["/"]);
      // The runtime links point into the runtimes tree: the real directory is what may be executed.
      expect(only(unit, "ExecPaths").split(" ")).toEqual(expect.arrayContaining([PATHS.runtimesDir]));
      expect(only(unit, "ExecPaths")).not.toMatch(/\/bin\/(ba)?sh|git/);
    });

    it(`${stack}: no directive is set twice by accident and no value looks like a secret`, () => {
      const multi = new Set(["Environment", "SystemCallFilter", "LoadCredential", "ExecStartPre"]);
      const keys = directives(unit).map(([k]) => k).filter((k) => !multi.has(k));
      expect(keys.length).toBe(new Set(keys).size);
      for (const re of TOKEN_LIKE) expect(unit, String(re)).not.toMatch(re);
    });
  }

  it("keeps the stack's secrets out of the unit text", () => {
    const secret = randomBytes(24).toString("base64url");
    const model = { ...loadStackFile("level2"), secrets: { anthropicApiKey: { secret: true as const, value: secret, encrypted: false } } };
    for (const text of [renderGatewayUnit(model), renderTokenUnit(model)]) expect(text).not.toContain(secret);
  });

  it("follows a non-default port", () => {
    const model = loadStackFile("level1", ["gatewayPort=24242"]);
    const unit = renderGatewayUnit(model);
    expect(only(unit, "ExecStart")).toMatch(/ --port 24242 --bind loopback$/);
  });

  it("exposes the sandbox lines it renders, so the probe test runs under exactly them", () => {
    const model = loadStackFile("level0");
    const unit = renderGatewayUnit(model);
    for (const line of gatewaySandbox(model)) expect(unit.split("\n")).toContain(line);
  });
});

describe("vpcResolver", () => {
  it("is the VPC base address + 2", () => {
    expect(vpcResolver("10.42.0.0/16")).toBe("10.42.0.2");
    expect(vpcResolver("192.168.254.0/24")).toBe("192.168.254.2");
    expect(vpcResolver("172.16.255.0/24")).toBe("172.16.255.2");
  });
  it("refuses what is not an IPv4 CIDR", () => {
    expect(() => vpcResolver("10.42.0.0")).toThrow(/not an IPv4 CIDR/);
    expect(() => vpcResolver("300.1.0.0/16")).toThrow(/not an IPv4 CIDR/);
  });
});

describe("renderTokenUnit", () => {
  const unit = renderTokenUnit(loadStackFile("level3"));
  it("is a root oneshot that runs fetch-token before the gateway and stays active", () => {
    expect(only(unit, "Type")).toBe("oneshot");
    expect(only(unit, "RemainAfterExit")).toBe("yes");
    expect(only(unit, "Before")).toBe(GATEWAY_UNIT);
    expect(only(unit, "ExecStart")).toBe(`${PATHS.libexecDir}/fetch-token`);
    expect(values(unit, "User")).toEqual([]);
    expect(only(unit, "EnvironmentFile")).toBe(PATHS.envFile);
  });
  it("stages the token in a 0700 runtime dir with a 0077 umask, and is sandboxed", () => {
    expect(`/run/${only(unit, "RuntimeDirectory")}`).toBe(PATHS.runSecretsDir);
    expect(only(unit, "RuntimeDirectoryMode")).toBe("0700");
    expect(only(unit, "UMask")).toBe("0077");
    for (const [k, v] of Object.entries({ CapabilityBoundingSet: "", NoNewPrivileges: "yes", ProtectSystem: "strict", ProtectHome: "yes", RestrictSUIDSGID: "yes" })) {
      expect(only(unit, k), k).toBe(v);
    }
    for (const re of TOKEN_LIKE) expect(unit).not.toMatch(re);
  });
});

describe("renderJournaldConf", () => {
  it("caps the journal's size and age in a [Journal] drop-in", () => {
    const conf = renderJournaldConf();
    expect(conf.split("\n")).toContain("[Journal]");
    expect(values(conf, "SystemMaxUse")).toEqual(["1G"]);
    expect(values(conf, "MaxRetentionSec")).toEqual(["30day"]);
    expect(values(conf, "Storage")).toEqual(["persistent"]);
  });
});

describe("parseSecurityScore / parseSecurityReport", () => {
  // The shape systemd-analyze 252 prints (colors off).
  const sample = [
    "  NAME                                                        DESCRIPTION                                                             EXPOSURE",
    "✗ RemoveIPC=                                                  Service user may leave SysV IPC objects around                               0.1",
    "✓ User=/DynamicUser=                                          Service runs under a static non-root user identity                      ",
    "✗ RestrictAddressFamilies=~AF_(INET|INET6)                    Service may allocate Internet sockets                                        0.3",
    "",
    "→ Overall exposure level for openclaw.service: 8.5 EXPOSED 🙁",
  ].join("\n");

  it("reads the overall score and verdict", () => {
    expect(parseSecurityScore(sample)).toBe(8.5);
    const report = parseSecurityReport(sample);
    expect(report.exposure).toBe("EXPOSED");
    expect(report.lines).toEqual([
      { ok: false, name: "RemoveIPC=", description: "Service user may leave SysV IPC objects around", exposure: 0.1 },
      { ok: true, name: "User=/DynamicUser=", description: "Service runs under a static non-root user identity" },
      { ok: false, name: "RestrictAddressFamilies=~AF_(INET|INET6)", description: "Service may allocate Internet sockets", exposure: 0.3 },
    ]);
  });

  it("reads whole and fractional scores", () => {
    expect(parseSecurityScore("→ Overall exposure level for a.service: 10 UNSAFE 😨")).toBe(10);
    expect(parseSecurityScore("→ Overall exposure level for /tmp/x/gw.service: 1.3 OK 🙂")).toBe(1.3);
  });

  it("throws when the output has no overall score", () => {
    expect(() => parseSecurityScore("Failed to load unit file: No such file or directory")).toThrow(/no "Overall exposure level"/);
  });
});
