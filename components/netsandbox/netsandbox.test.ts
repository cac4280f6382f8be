// The sandbox's renderers: squid's config, the log format the alarms read, and the bridge units'
// namespace wiring. squid itself judges the config in netsandbox.integration.test.ts;
// test/netns-sandbox.integration.test.ts runs them all.
import { describe, expect, it } from "vitest";
import { matchesFilterPattern } from "../audit/filterPattern";
import { GATEWAY_UNIT } from "../base/layout";
import { loadStackFile } from "../../stacks/load";
import { KERNEL_PROTECTIONS } from "../base/sandboxDirectives";
import {
  EGRESS_DENIED_PATTERN,
  EGRESS_SELFCHECK,
  EGRESS_SNI_REFUSED_PATTERN,
  EGRESS_TLS_CERT,
  EGRESS_TLS_KEY,
  EGRESS_TLS_SCRIPT,
  EGRESS_TLS_UNIT,
  EGRESS_UNCHECKED_PATTERN,
  EGRESS_SOCKET,
  SELFCHECK_SOURCE,
  SNI_HELPER,
  SQUID_TMPFILES_PATH,
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
  renderSquidTmpfiles,
  selfcheckName,
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
      expect(conf).toContain(`acl clawkeep_non_public dst ${NON_PUBLIC_RANGES.join(" ")}`);
    });

    it(`${stack}: peeks at every ClientHello and splices only a server name that is the CONNECT name of the same entry`, () => {
      const domains = squidDomains(model.egressDomains);
      // A static leaf certificate that squid never mints from: no certificate helper, no ssl_db.
      expect(lines(conf, "http_port")).toEqual([`http_port 127.0.0.1:3129 ssl-bump tls-cert=${EGRESS_TLS_CERT} tls-key=${EGRESS_TLS_KEY} generate-host-certificates=off`]);
      expect(conf).not.toMatch(/sslcrtd_program|ssl_db|ssl_bump (bump|stare|client-first|server-first)/);
      expect(lines(conf, "external_acl_type")).toEqual([
        `external_acl_type clawkeep_sni_is_connect ttl=0 negative_ttl=0 children-max=5 children-startup=1 children-idle=1 %ssl::>sni %>rd ${SNI_HELPER}`,
      ]);
      expect(lines(conf, "ssl_bump")).toEqual([
        "ssl_bump peek clawkeep_step1",
        ...domains.map((_, i) => `ssl_bump splice clawkeep_step2 clawkeep_sni_is_connect clawkeep_connect_${i + 1} clawkeep_sni_${i + 1}`),
        "ssl_bump terminate all",
      ]);
      domains.forEach((d, i) => {
        expect(lines(conf, `acl clawkeep_connect_${i + 1}`)).toEqual([`acl clawkeep_connect_${i + 1} dstdomain -n ${d}`]);
        expect(lines(conf, `acl clawkeep_sni_${i + 1}`)).toEqual([`acl clawkeep_sni_${i + 1} ssl::server_name --client-requested ${d}`]);
      });
      // The server name is URL-quoted in the log, so a crafted SNI can never add a field.
      expect(lines(conf, "logformat")).toEqual(["logformat clawkeep %ts.%03tu %tr %>a %Ss/%03>Hs %<st %rm %ru %Sh/%<a %>rd sni=%#ssl::>sni bump=%ssl::bump_mode"]);
      expect(lines(conf, "pid_filename")).toEqual(["pid_filename /run/squid/squid.pid"]);
    });
  }

  it("pairs a wildcard entry with the same wildcard; the helper holds the server name to the exact CONNECT name", () => {
    const conf = renderSquidConf({ ...loadStackFile("level2"), egressDomains: ["api.anthropic.com", "*.github.com"] });
    expect(lines(conf, "acl clawkeep_connect_1")).toEqual(["acl clawkeep_connect_1 dstdomain -n .github.com"]);
    expect(lines(conf, "acl clawkeep_sni_1")).toEqual(["acl clawkeep_sni_1 ssl::server_name --client-requested .github.com"]);
    expect(selfcheckName(["*.github.com"])).toBe("github.com");
    expect(selfcheckName(["api.anthropic.com", "*.github.com"])).toBe("github.com");
    expect(() => selfcheckName([])).toThrow(/allowlist is empty/);
  });

  it("refuses an empty allowlist", () => {
    expect(() => renderSquidConf({ ...loadStackFile("level0"), egressDomains: [] })).toThrow(/allowlist is empty/);
  });

  it("never lists an IPv6 range that squid would read as every IPv4 address", () => {
    for (const r of NON_PUBLIC_RANGES) expect(["::/96", "::ffff:0:0/96", "::/0", "0.0.0.0/0"]).not.toContain(r);
  });
});

describe("the access log", () => {
  // Lines squid-openssl 5.7 wrote under the kit's logformat (the netns test checks the live ones).
  const denied = "1796607744.969 1 127.0.0.1 TCP_DENIED/200 0 CONNECT exfil.example.net:443 HIER_NONE/- exfil.example.net sni=exfil.example.net bump=bump";
  const deniedGet = "1796607745.664 0 127.0.0.1 TCP_DENIED/403 3458 GET http://169.254.169.254/ HIER_NONE/- 169.254.169.254 sni=- bump=-";
  const tunnelStart = "1796607744.775 5 127.0.0.1 NONE_NONE/200 0 CONNECT api.anthropic.com:443 HIER_NONE/- api.anthropic.com sni=api.anthropic.com bump=splice";
  const tunnel = "1796607744.788 13 127.0.0.1 TCP_TUNNEL/200 797 CONNECT api.anthropic.com:443 HIER_DIRECT/192.0.2.10 api.anthropic.com sni=api.anthropic.com bump=splice";
  const mismatch = "1796607744.845 0 127.0.0.1 NONE_NONE/200 0 CONNECT api.anthropic.com:443 HIER_NONE/- api.anthropic.com sni=exfil.example.net bump=terminate";
  const noSni = "1796607744.942 0 127.0.0.1 NONE_NONE/200 0 CONNECT api.anthropic.com:443 HIER_NONE/- api.anthropic.com sni=- bump=terminate";
  const notTls = "1796607752.694 2993 127.0.0.1 NONE_NONE_ABORTED/200 0 CONNECT api.anthropic.com:443 HIER_NONE/- api.anthropic.com sni=- bump=peek";
  const selfcheck = `1796607745.415 6 ${SELFCHECK_SOURCE} NONE_NONE/200 0 CONNECT api.anthropic.com:443 HIER_NONE/- api.anthropic.com sni=clawkeep-selfcheck.invalid bump=terminate`;
  const unchecked = "1796607770.447 14 127.0.0.1 TCP_TUNNEL/200 6573 CONNECT api.anthropic.com:443 HIER_DIRECT/192.0.2.10 api.anthropic.com sni=- bump=-";
  const injected = "1796607872.909 14 127.0.0.1 NONE_NONE/200 0 CONNECT api.anthropic.com:443 HIER_NONE/- api.anthropic.com sni=a%20bump=splice bump=terminate";

  it("splits a line into its named fields: the CONNECT name, the server name sent and what squid did", () => {
    expect(parseEgressLogLine(mismatch)).toMatchObject({ status: "NONE_NONE/200", method: "CONNECT", url: "api.anthropic.com:443", domain: "api.anthropic.com", sni: "exfil.example.net", bump: "terminate" });
    expect(parseEgressLogLine(noSni)).toMatchObject({ sni: "-", bump: "terminate" });
    expect(parseEgressLogLine(injected)).toMatchObject({ sni: "a%20bump=splice", bump: "terminate" });
    expect(parseEgressLogLine("not a squid line")).toBeUndefined();
    // The pre-issue-17 format (no server name) is not this log's.
    expect(parseEgressLogLine("1795315607.678 0 127.0.0.1 TCP_DENIED/403 3462 CONNECT exfil.example.net:443 HIER_NONE/- exfil.example.net")).toBeUndefined();
  });

  it("counts a refused CONNECT or request, and a tunnel cut for its server name, as refused; never a tunnel or the self-check", () => {
    const refused = (l: string) => matchesFilterPattern(EGRESS_DENIED_PATTERN, l) || matchesFilterPattern(EGRESS_SNI_REFUSED_PATTERN, l);
    for (const l of [denied, deniedGet, mismatch, noSni, notTls, injected]) expect(refused(l), l).toBe(true);
    for (const l of [tunnelStart, tunnel, selfcheck]) expect(refused(l), l).toBe(false);
    // Each line counts once: the two filters add to one metric.
    for (const l of [denied, deniedGet, mismatch, noSni, notTls]) expect(matchesFilterPattern(EGRESS_DENIED_PATTERN, l) && matchesFilterPattern(EGRESS_SNI_REFUSED_PATTERN, l), l).toBe(false);
  });

  it("flags a CONNECT squid never looked into, and nothing squid checked", () => {
    expect(EGRESS_UNCHECKED_PATTERN).toBe('[time, elapsedMs, client, status, bytes, method = "CONNECT", url, hierarchy, domain, sni, bump = "bump=-"]');
    expect(matchesFilterPattern(EGRESS_UNCHECKED_PATTERN, unchecked)).toBe(true);
    expect(matchesFilterPattern(EGRESS_UNCHECKED_PATTERN, unchecked.replace("127.0.0.1", SELFCHECK_SOURCE))).toBe(true);
    for (const l of [denied, deniedGet, tunnelStart, tunnel, mismatch, noSni, notTls, selfcheck]) expect(matchesFilterPattern(EGRESS_UNCHECKED_PATTERN, l), l).toBe(false);
  });
});

describe("squid's drop-in", () => {
  const model = loadStackFile("level1");
  const text = renderSquidDropIn(model);

  it("runs the kit's config as squid's own user, one process, with no capability at all", () => {
    expect(lines(text, "ExecStart")).toEqual(["ExecStart=", `ExecStart=/usr/sbin/squid -N -sYC -f ${SQUID_CONF_PATH}`]);
    expect(lines(text, "ExecStartPre")).toEqual(["ExecStartPre="]);
    expect(lines(text, "User")).toEqual(["User=proxy"]);
    expect(lines(text, "CapabilityBoundingSet")).toEqual(["CapabilityBoundingSet="]);
    expect(lines(text, "NotifyAccess")).toEqual(["NotifyAccess=main"]);
    expect(lines(text, "PIDFile")).toEqual(["PIDFile=/run/squid/squid.pid"]);
  });

  it("starts only after the TLS oneshot, and only once the self-check has passed", () => {
    expect(lines(text, "Requires")).toEqual([`Requires=${EGRESS_TLS_UNIT}`]);
    expect(lines(text, "After")).toEqual([`After=${EGRESS_TLS_UNIT}`]);
    expect(lines(text, "ExecStartPost")).toEqual([`ExecStartPost=${EGRESS_SELFCHECK} api.anthropic.com`]);
  });

  it("shares the kernel protections of the kit's helpers instead of repeating them", () => {
    for (const d of KERNEL_PROTECTIONS) expect(text.split("\n").filter((l) => l === d), d).toHaveLength(1);
  });

  it("lets squid reach only loopback and the VPC resolver inside the VPC", () => {
    expect(lines(text, "IPAddressAllow")).toEqual(["IPAddressAllow=localhost 10.42.0.2"]);
    expect(lines(text, "IPAddressDeny")[0]).toContain("link-local");
  });

  it("points Debian's logrotate at squid's pid in its own runtime directory", () => {
    expect(renderSquidTmpfiles()).toContain("L+ /run/squid.pid - - - - /run/squid/squid.pid\n");
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

  it("lists every host file, the sockets to enable and the packages to install", () => {
    expect(netsandboxHostFiles(model).map((f) => [f.path, f.mode])).toEqual([
      [SQUID_CONF_PATH, "0644"],
      ["/etc/systemd/system/squid.service.d/clawkeep.conf", "0644"],
      [SQUID_TMPFILES_PATH, "0644"],
      [EGRESS_TLS_SCRIPT, "0750"],
      [SNI_HELPER, "0755"],
      [EGRESS_SELFCHECK, "0755"],
      [`/etc/systemd/system/${EGRESS_TLS_UNIT}`, "0644"],
      ["/etc/systemd/system/clawkeep-egress.socket", "0644"],
      ["/etc/systemd/system/clawkeep-egress.service", "0644"],
      ["/etc/systemd/system/clawkeep-ingress.socket", "0644"],
      ["/etc/systemd/system/clawkeep-ingress.service", "0644"],
    ]);
    expect(NETSANDBOX_SOCKETS).toEqual([EGRESS_SOCKET, INGRESS_SOCKET]);
    expect(NETSANDBOX_PACKAGES).toEqual(["squid-openssl", "openssl", "curl"]);
  });
});
