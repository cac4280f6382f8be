// The sandbox's renderers: squid's config, the log format the alarms read, and the bridge units'
// namespace wiring. squid itself judges the config in netsandbox.integration.test.ts;
// test/netns-sandbox.integration.test.ts runs them all.
import { describe, expect, it } from "vitest";
import { matchesFilterPattern } from "../audit/filterPattern";
import { GATEWAY_UNIT } from "../base/layout";
import { loadStackFile } from "../../stacks/load";
import {
  EGRESS_DENIED_FILTER,
  EGRESS_SOCKET,
  INGRESS_SOCKET,
  NETSANDBOX_PACKAGES,
  NETSANDBOX_SOCKETS,
  NON_PUBLIC_RANGES,
  SQUID_CONF_PATH,
  netsandboxHostFiles,
  parseEgressLogLine,
  renderEgressSocket,
  renderIngressService,
  renderSquidConf,
  renderSquidDropIn,
  squidDomains,
} from ".";

const LEVELS = ["level0", "level1", "level2", "level3"] as const;
const lines = (text: string, key: string) => text.split("\n").filter((l) => l.startsWith(`${key}=`) || l.startsWith(`${key} `));

describe("squidDomains", () => {
  it("turns *.x into squid's .x, drops names a wildcard covers, lower-cases and sorts", () => {
    expect(squidDomains(["api.github.com", "*.github.com", "github.com", "API.anthropic.com", "api.anthropic.com"])).toEqual([".github.com", "api.anthropic.com"]);
    expect(squidDomains(["a.example.org", "b.example.org"])).toEqual(["a.example.org", "b.example.org"]);
  });
});

describe("renderSquidConf", () => {
  for (const stack of LEVELS) {
    const model = loadStackFile(stack);
    const conf = renderSquidConf(model);

    it(`${stack}: allows CONNECT to 443 of exactly the level's names, and denies everything else first`, () => {
      expect(lines(conf, "acl clawkeep_allowed")).toEqual([`acl clawkeep_allowed dstdomain -n ${squidDomains(model.egressDomains).join(" ")}`]);
      expect(lines(conf, "http_access")).toEqual([
        "http_access deny !CONNECT",
        "http_access deny !clawkeep_tls_port",
        "http_access deny !clawkeep_allowed",
        "http_access deny clawkeep_non_public",
        "http_access allow clawkeep_allowed",
        "http_access deny all",
      ]);
      expect(lines(conf, "http_port")).toEqual(["http_port 127.0.0.1:3129"]);
      expect(conf).toContain(`acl clawkeep_non_public dst ${NON_PUBLIC_RANGES.join(" ")}`);
    });
  }

  it("refuses an empty allowlist", () => {
    expect(() => renderSquidConf({ ...loadStackFile("level0"), egressDomains: [] })).toThrow(/allowlist is empty/);
  });

  it("never lists an IPv6 range that squid would read as every IPv4 address", () => {
    for (const r of NON_PUBLIC_RANGES) expect(["::/96", "::ffff:0:0/96", "::/0", "0.0.0.0/0"]).not.toContain(r);
  });
});

describe("the access log", () => {
  const denied = "1795315607.678 0 127.0.0.1 TCP_DENIED/403 3462 CONNECT exfil.example.net:443 HIER_NONE/- exfil.example.net";
  const tunnel = "1795315608.102 412 127.0.0.1 TCP_TUNNEL/200 5120 CONNECT api.anthropic.com:443 HIER_DIRECT/192.0.2.10 api.anthropic.com";

  it("splits a line into its named fields, the domain last", () => {
    expect(parseEgressLogLine(denied)).toMatchObject({ status: "TCP_DENIED/403", method: "CONNECT", url: "exfil.example.net:443", domain: "exfil.example.net" });
    expect(parseEgressLogLine("not a squid line")).toBeUndefined();
  });

  it("is counted by a space-delimited CloudWatch filter on the status field", () => {
    expect(EGRESS_DENIED_FILTER).toBe('[time, elapsedMs, client, status="TCP_DENIED*", bytes, method, url, hierarchy, domain]');
    expect(matchesFilterPattern('"TCP_DENIED"', denied)).toBe(true);
    expect(matchesFilterPattern('"TCP_DENIED"', tunnel)).toBe(false);
  });
});

describe("squid's drop-in", () => {
  it("runs the kit's config and lets squid reach only loopback and the VPC resolver inside the VPC", () => {
    const model = loadStackFile("level1");
    const text = renderSquidDropIn(model);
    expect(lines(text, "ExecStart")).toEqual(["ExecStart=", `ExecStart=/usr/sbin/squid --foreground -f ${SQUID_CONF_PATH} -sYC`]);
    expect(lines(text, "IPAddressAllow")).toEqual(["IPAddressAllow=localhost 10.42.0.2"]);
    expect(lines(text, "IPAddressDeny")[0]).toContain("link-local");
  });
});

describe("bridge units", () => {
  const model = loadStackFile("level0");

  it("binds the egress listener inside the gateway's namespace, carrying the gateway's /tmp and IPC namespace", () => {
    const socket = renderEgressSocket(model);
    expect(lines(socket, "JoinsNamespaceOf")).toEqual([`JoinsNamespaceOf=${GATEWAY_UNIT}`]);
    for (const k of ["PrivateNetwork", "PrivateTmp", "PrivateIPC"]) expect(lines(socket, k), k).toEqual([`${k}=yes`]);
    expect(lines(socket, "ListenStream")).toEqual(["ListenStream=127.0.0.1:3128"]);
  });

  it("runs the ingress bridge in the gateway's namespace, whichever unit made it, as the gateway's user without its files", () => {
    const service = renderIngressService(model);
    expect(lines(service, "JoinsNamespaceOf")).toEqual([`JoinsNamespaceOf=${GATEWAY_UNIT} ${EGRESS_SOCKET}`]);
    expect(lines(service, "PrivateNetwork")).toEqual(["PrivateNetwork=yes"]);
    expect(lines(service, "PrivateTmp")).toEqual([]);
    expect(lines(service, "DynamicUser")).toEqual([]);
    expect(lines(service, "InaccessiblePaths")[0]).toContain("-/var/lib/openclaw");
    expect(lines(service, "ExecStart")).toEqual([`ExecStart=/usr/lib/systemd/systemd-socket-proxyd --exit-idle-time=5min 127.0.0.1:${model.gateway.port}`]);
  });

  it("lists every host file, the sockets to enable and the one package to install", () => {
    expect(netsandboxHostFiles(model).map((f) => f.path)).toEqual([
      SQUID_CONF_PATH,
      "/etc/systemd/system/squid.service.d/clawkeep.conf",
      "/etc/systemd/system/clawkeep-egress.socket",
      "/etc/systemd/system/clawkeep-egress.service",
      "/etc/systemd/system/clawkeep-ingress.socket",
      "/etc/systemd/system/clawkeep-ingress.service",
    ]);
    expect(NETSANDBOX_SOCKETS).toEqual([EGRESS_SOCKET, INGRESS_SOCKET]);
    expect(NETSANDBOX_PACKAGES).toEqual(["squid"]);
  });
});
