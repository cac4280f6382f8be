// The sandbox's renderers: squid's config judged by squid itself (`squid -k parse`), the log format
// the alarms read, and the bridge units' namespace wiring. test/netns-sandbox.test.ts runs them all.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { matchesFilterPattern } from "../audit/filterPattern";
import { GATEWAY_UNIT } from "../base/layout";
import { loadStackFile } from "../../stacks/load";
import { needTools } from "../../test/support/tools";
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
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
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

  describe.skipIf(!needTools("squid"))("squid -k parse", () => {
    const parse = (text: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-squid-"));
      dirs.push(dir);
      fs.writeFileSync(path.join(dir, "squid.conf"), text);
      const res = spawnSync("squid", ["-k", "parse", "-f", path.join(dir, "squid.conf")], { encoding: "utf8" });
      return { status: res.status, output: `${res.stdout}${res.stderr}` };
    };

    it.each(LEVELS)("%s: squid 5 accepts the config without a warning", (stack) => {
      const r = parse(renderSquidConf(loadStackFile(stack)));
      expect(r.output).not.toMatch(/WARNING|ERROR|FATAL|unrecognized/);
      expect(r.status).toBe(0);
    });

    it("fails on a directive squid does not know, so the check above can fail", () => {
      const r = parse(`${renderSquidConf(loadStackFile("level0"))}http_acess allow all\n`);
      expect(r.output).toMatch(/unrecognized: 'http_acess'/);
      expect(r.status).not.toBe(0);
    });

    it("warns on overlapping ranges, which is what the ranges list avoids", () => {
      const r = parse(renderSquidConf(loadStackFile("level0")).replace("acl clawkeep_non_public dst ", "acl clawkeep_non_public dst ::/96 "));
      expect(r.output).toMatch(/WARNING: .* is a subnetwork of/);
    });
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
