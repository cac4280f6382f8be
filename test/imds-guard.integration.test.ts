// Issue 16: the metadata service answers root only. Proven with the real `nft` and the kit's OWN rendered
// ruleset, unit and drop-ins: a stand-in EC2 host namespace, linked by a veth to a namespace where moto
// answers as the metadata service on 169.254.169.254 and fd00:ec2::254, and a private systemd 252 in the
// host namespace that boots the guard as a host would. The VM check script (test/vm/checks.ts) runs there
// unchanged, as do the VM's agent stand-ins. Nothing is routed from this machine's own namespace.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PATHS, SERVICE_USER } from "../components/base/layout";
import { SESSION_USER } from "../components/access/sessionPreferences";
import {
  IMDS_GUARDED_UNITS,
  IMDS_GUARD_UNIT,
  IMDS_IPV4,
  IMDS_IPV6,
  IMDS_RULESET_PATH,
  IMDS_TABLE,
  imdsGuardDropIns,
  imdsGuardEarlyFiles,
  renderImdsGuardUnit,
  renderImdsRuleset,
} from "../components/host/imdsGuard";
import { verifyUnits } from "../components/host/systemdUnits";
import { AGENTS_GOT_CREDENTIALS_CHECK, IMDS_ROOT_ONLY_CHECK, parseFields, type CheckContext } from "./vm/checks";
import { SSM_STAND_IN_BIN, STAND_IN_IMDS_RECORD, imdsProbe } from "./vm/fixtures";
import { dropIn, nestedManagerUsable, removeTmpDirs, runManager, tmpDir, type ManagerRun } from "./support/nestedSystemd";
import { needTools } from "./support/tools";

const CAN_RUN = nestedManagerUsable("nft", "setpriv", "curl", "moto_server", "shellcheck");
const UNIT_DIR = "/etc/systemd/system/";
const NO_CTX = {} as CheckContext;

function sh(cmd: string, args: string[], input?: string): { status: number | null; out: string } {
  const res = spawnSync(cmd, args, { encoding: "utf8", input });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}
function must(cmd: string, args: string[]): string {
  const r = sh(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${String(r.status)}: ${r.out}`);
  return r.out;
}

/** The kit's guard files by path, unit files relative to /etc/systemd/system. */
function guardFiles(): { units: Record<string, string>; ruleset: string } {
  const units: Record<string, string> = {};
  let ruleset = "";
  for (const f of [...imdsGuardEarlyFiles(), ...imdsGuardDropIns()]) {
    if (f.path.startsWith(UNIT_DIR)) units[f.path.slice(UNIT_DIR.length)] = f.content;
    else if (f.path === IMDS_RULESET_PATH) ruleset = f.content;
  }
  return { units, ruleset };
}

describe.skipIf(!needTools("nft", "unshare"))("the ruleset under nft", () => {
  it("parses (nft -c, in a throw-away network namespace)", () => {
    const r = sh("unshare", ["--net", "nft", "-c", "-f", "-"], renderImdsRuleset());
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  });

  it("and nft rejects a broken one, so the check above means something", () => {
    const r = sh("unshare", ["--net", "nft", "-c", "-f", "-"], renderImdsRuleset().replace("meta skuid != 0", "meta skuid !=="));
    expect(r.status).not.toBe(0);
  });
});

describe.skipIf(!needTools("systemd-analyze"))("the guard unit under systemd-analyze", () => {
  it("verifies with its drop-ins on the units it guards, without a warning", () => {
    const root = tmpDir("clawkeep-imds-units-");
    fs.cpSync("/usr/lib/systemd/system", path.join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
    const { units, ruleset } = guardFiles();
    // Stand-ins for the guarded units (the SSM agent, squid and the gateway are not installed here).
    for (const u of IMDS_GUARDED_UNITS) units[u] = "[Unit]\nDescription=stand-in\n\n[Service]\nExecStart=/bin/true\n";
    for (const [name, text] of Object.entries(units)) {
      fs.mkdirSync(path.dirname(path.join(root, UNIT_DIR, name)), { recursive: true });
      fs.writeFileSync(path.join(root, UNIT_DIR, name), text);
    }
    fs.mkdirSync(path.join(root, path.dirname(IMDS_RULESET_PATH)), { recursive: true });
    fs.writeFileSync(path.join(root, IMDS_RULESET_PATH), ruleset);
    // verify --root looks for every ExecStart= binary inside the root.
    for (const bin of ["/usr/sbin/nft", "/bin/true"]) {
      fs.mkdirSync(path.join(root, path.dirname(bin)), { recursive: true });
      fs.copyFileSync(bin, path.join(root, bin));
      fs.chmodSync(path.join(root, bin), 0o755);
    }
    const res = verifyUnits(root, [IMDS_GUARD_UNIT, ...IMDS_GUARDED_UNITS]);
    expect(res.output).toBe("");
    expect(res.ok).toBe(true);
    removeTmpDirs();
  });
});

describe.skipIf(!CAN_RUN)("only root reaches the metadata service, in real namespaces", () => {
  const id = randomBytes(2).toString("hex");
  const host = `ck${id}-imdshost`;
  const service = `ck${id}-imds`;
  let moto: ChildProcess | undefined;
  const created: string[] = [];

  beforeAll(async () => {
    for (const ns of [host, service]) {
      must("ip", ["netns", "add", ns]);
      created.push(ns);
      must("ip", ["-n", ns, "link", "set", "lo", "up"]);
    }
    // The metadata service one hop away, as on EC2; the veth is made straight inside the two namespaces.
    must("ip", ["link", "add", `ck${id}h`, "netns", host, "type", "veth", "peer", "name", `ck${id}m`, "netns", service]);
    must("ip", ["-n", host, "addr", "add", "169.254.0.10/16", "dev", `ck${id}h`]);
    must("ip", ["-n", host, "addr", "add", "fd00:ec2::10/64", "dev", `ck${id}h`, "nodad"]);
    must("ip", ["-n", service, "addr", "add", `${IMDS_IPV4}/16`, "dev", `ck${id}m`]);
    must("ip", ["-n", service, "addr", "add", `${IMDS_IPV6}/64`, "dev", `ck${id}m`, "nodad"]);
    must("ip", ["-n", host, "link", "set", `ck${id}h`, "up"]);
    must("ip", ["-n", service, "link", "set", `ck${id}m`, "up"]);
    // moto answers as the metadata service (IMDSv2 token, the role's credentials), as in the VM test.
    moto = spawn("nsenter", [`--net=/run/netns/${service}`, "moto_server", "-H", "::", "-p", "80"], { stdio: "ignore" });
    const deadline = Date.now() + 30_000;
    while (sh("ip", ["netns", "exec", host, "curl", "-sf", "-m", "2", "-X", "PUT", `http://${IMDS_IPV4}/latest/api/token`]).status !== 0) {
      if (Date.now() > deadline) throw new Error("moto did not answer as the metadata service within 30 s");
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 60_000);

  afterAll(() => {
    moto?.kill("SIGKILL");
    for (const ns of created.reverse()) spawnSync("ip", ["netns", "del", ns]);
    removeTmpDirs();
  });

  it("is open to every user before the guard (the test can fail)", () => {
    const r = sh("ip", ["netns", "exec", host, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-sf", "-m", "3", "-X", "PUT", `http://${IMDS_IPV4}/latest/api/token`]);
    expect(r.status).toBe(0);
  });

  /**
   * Boot the private manager in the host namespace with the kit's guard, its drop-ins on stand-ins of the
   * guarded units, Debian's own nftables.service, and `main` as the only job. `ruleset` replaces the kit's.
   */
  function boot(main: string, mainUnit: string, script: string, ruleset?: string, extra: { units?: Record<string, string>; scripts?: Record<string, string> } = {}): ManagerRun {
    // Each boot starts from an empty ruleset: the namespace outlives the managers.
    must("ip", ["netns", "exec", host, "nft", "flush", "ruleset"]);
    const { units, ruleset: kitRuleset } = guardFiles();
    const quiet = dropIn(["DefaultDependencies=no"], []);
    for (const u of IMDS_GUARDED_UNITS) units[u] = "[Unit]\nDescription=stand-in for a unit the guard protects\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n";
    for (const u of IMDS_GUARDED_UNITS) units[`${u}.d/harness.conf`] = quiet;
    units[main] = mainUnit;
    Object.assign(units, extra.units ?? {});
    return runManager({
      netns: host,
      units,
      scripts: { "probe.sh": script, ...(extra.scripts ?? {}) },
      config: "{}\n",
      fetchToken: "#!/bin/sh\nexit 0\n",
      main,
      timeoutMs: 120_000,
      files: { [IMDS_RULESET_PATH]: { content: ruleset ?? kitRuleset, mode: 0o644 } },
      // The session user as first boot creates it; `systemctl enable` of the guard, as a symlink.
      setup: [
        `useradd --shell /bin/bash ${SESSION_USER}`,
        "install -d /etc/systemd/system/sysinit.target.wants",
        `ln -s /etc/systemd/system/${IMDS_GUARD_UNIT} /etc/systemd/system/sysinit.target.wants/${IMDS_GUARD_UNIT}`,
      ].join("\n"),
    });
  }

  const probeUnit = (after: string[], requires: boolean) =>
    dropIn(
      ["DefaultDependencies=no", "SuccessAction=exit", "FailureAction=exit", `${requires ? "Requires" : "Wants"}=${after.join(" ")}`, `After=${after.join(" ")}`],
      ["Type=oneshot", `ExecStart=/bin/bash ${PATHS.openclawDir}/probe.sh`, "StandardOutput=truncate:/run/harness/probe.out", "StandardError=truncate:/run/harness/probe.err"],
    );

  it("after boot, and after Debian's nftables.service restarts and stops (each a `flush ruleset`): root only, IPv4 and IPv6", () => {
    const check = IMDS_ROOT_ONLY_CHECK.script(NO_CTX);
    const v6 = (who: string, prefix: string) =>
      `echo "${who}_v6=$(${prefix} curl -s -m 5 -o /dev/null -w '%{http_code}' -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' 'http://[${IMDS_IPV6}]/latest/api/token' 2>/dev/null; echo " curl_exit=$?")"`;
    const asUser = (u: string) => `setpriv --reuid=${u} --regid=$(id -g ${u}) --init-groups --`;
    const phase = (name: string) => `{ echo "== ${name}"; bash ${PATHS.openclawDir}/check.sh; echo "check_exit=$?"; ${v6("root", "")}; ${v6("session_user", asUser(SESSION_USER))}; ${v6("gateway_user", asUser(SERVICE_USER))}; }`;
    const script = [
      "set -u",
      `cat >${PATHS.openclawDir}/check.sh <<'CHECK'\n${check}\nCHECK`,
      phase("boot"),
      "systemctl restart nftables.service",
      phase("nftables restarted"),
      "systemctl stop nftables.service",
      phase("nftables stopped"),
      `nft delete table inet ${IMDS_TABLE}`,
      phase("table deleted by hand"),
      `echo "== counters"; nft list chain inet ${IMDS_TABLE} output | grep -o 'counter packets [0-9]*' | tr '\\n' ' '; echo`,
    ].join("\n");
    const run = boot("clawkeep-imds-probe.service", probeUnit([IMDS_GUARD_UNIT, ...IMDS_GUARDED_UNITS], true), script);
    const out = run.read("probe.out");
    console.log(`imds guard in namespaces (${run.ms} ms):\n${out.trim()}`);
    if (!out.includes("== table deleted by hand")) throw new Error(`the probe did not finish (manager exit ${String(run.status)}): ${run.read("probe.err")}`);
    const phases = out.split(/^== /m).slice(1);
    // The same check, the table gone: it must fail, and the session user must get a token (a check that cannot fail is none).
    const open = parseFields(phases.find((p) => p.startsWith("table deleted")) ?? "");
    expect(open.check_exit).not.toBe("0");
    expect(open.session_user).toBe("http=200 curl_exit=0");
    for (const p of phases.filter((x) => !x.startsWith("counters") && !x.startsWith("table deleted"))) {
      const f = parseFields(p);
      const name = p.split("\n")[0];
      expect(f.check_exit, `${name}: the VM check passes (${p})`).toBe("0");
      expect(f.root, name).toBe("http=200 curl_exit=0");
      expect(f.root_role_credentials, name).toBe("present");
      // curl exit 7: the connection is reset at once (reject with tcp reset), no waiting for a timeout.
      expect(f.session_user, name).toBe("http=000 curl_exit=7");
      expect(f.gateway_user, name).toBe("http=000 curl_exit=7");
      expect(f.root_v6, name).toBe("200 curl_exit=0");
      expect(f.session_user_v6, name).toBe("000 curl_exit=7");
      expect(f.gateway_user_v6, name).toBe("000 curl_exit=7");
      expect(f.guarded_units_missing_requires, name).toBe("none");
      expect(f.guard, name).toBe("active/enabled");
    }
  });

  it("fails closed: with a ruleset that does not load, no guarded unit starts", () => {
    const script = [
      "set -u",
      `echo "guard=$(systemctl is-active ${IMDS_GUARD_UNIT})"`,
      ...IMDS_GUARDED_UNITS.map((u) => `echo "${u.replace(/[^a-z]/g, "_")}=$(systemctl is-active ${u})"`),
      `echo "table=$(nft list table inet ${IMDS_TABLE} >/dev/null 2>&1 && echo present || echo absent)"`,
    ].join("\n");
    const run = boot("clawkeep-imds-observer.service", probeUnit([IMDS_GUARD_UNIT, ...IMDS_GUARDED_UNITS], false), script, "table inet clawkeep_imds { chain output { this is not nft } }\n");
    const f = parseFields(run.read("probe.out"));
    console.log(`broken ruleset: ${JSON.stringify(f)}`);
    expect(f.guard).toBe("failed");
    expect(f.table).toBe("absent");
    for (const u of IMDS_GUARDED_UNITS) expect(f[u.replace(/[^a-z]/g, "_")], u).toBe("inactive");
  });

  it("the VM's agent stand-ins: root records the role's credentials, a non-root user records none", () => {
    const script = ["set -u", "chmod 0777 /run/harness"];
    for (const [who, prefix] of [["root", ""], ["session_user", `setpriv --reuid=${SESSION_USER} --regid=$(id -g ${SESSION_USER}) --init-groups --`]]) {
      const probe = `#!/bin/sh\n${imdsProbe(`/run/harness/record-${who}`, 1)}\n`;
      expect(sh("shellcheck", ["--shell=sh", "--severity=style", "-"], probe).out).toBe("");
      script.push(`cat >${PATHS.openclawDir}/${who}.sh <<'PROBE'\n${probe}PROBE`, `${prefix} sh ${PATHS.openclawDir}/${who}.sh; echo "${who}=$(cat /run/harness/record-${who})"`);
    }
    const run = boot("clawkeep-imds-standin.service", probeUnit([IMDS_GUARD_UNIT], true), script.join("\n"));
    const f = parseFields(run.read("probe.out"));
    expect(f.root, run.read("probe.err")).toMatch(/^boot=[0-9a-f-]+ uid=0 guard=active credentials=present$/);
    // A non-root user cannot ask PID 1 (no D-Bus here), so its record has no guard state.
    expect(f.session_user).toMatch(/ uid=\d+ guard=\S* credentials=absent$/);
    expect(f.session_user).not.toMatch(/ uid=0 /);
  });

  it("the VM's agents check passes on the SSM agent stand-in (a service that needs the guard) and the CloudWatch stand-in's probe", () => {
    const ssmUnit = `[Unit]\nDescription=SSM agent stand-in (test/vm/fixtures.ts)\nDefaultDependencies=no\n\n[Service]\nExecStart=/bin/sh ${PATHS.openclawDir}/amazon-ssm-agent\n`;
    const script = [
      "set -u",
      // The CloudWatch agent's stand-in probes once, as root, like its ctl in the first boot's runcmd.
      `cat >${PATHS.openclawDir}/cwagent.sh <<'PROBE'\n#!/bin/sh\n${imdsProbe(STAND_IN_IMDS_RECORD.cwagent, 3)}\nPROBE`,
      `sh ${PATHS.openclawDir}/cwagent.sh`,
      // The SSM stand-in records as it starts; wait for it.
      `for _ in $(seq 50); do [ -s ${STAND_IN_IMDS_RECORD.ssm} ] && break; sleep 0.2; done`,
      `cat >${PATHS.openclawDir}/check.sh <<'CHECK'\n${AGENTS_GOT_CREDENTIALS_CHECK.script(NO_CTX)}\nCHECK`,
      `bash ${PATHS.openclawDir}/check.sh; echo "check_exit=$?"`,
    ].join("\n");
    const run = boot("clawkeep-imds-agents.service", probeUnit([IMDS_GUARD_UNIT, "amazon-ssm-agent.service"], true), script, undefined, {
      units: { "amazon-ssm-agent.service": ssmUnit },
      scripts: { "amazon-ssm-agent": SSM_STAND_IN_BIN },
    });
    const out = run.read("probe.out");
    console.log(`agents check on stand-ins: ${out.trim().split("\n").join(" | ")}`);
    const f = parseFields(out);
    expect(f.ssm_agent_uid, run.read("probe.err")).toBe("0");
    expect(f.ssm).toMatch(/ uid=0 guard=active credentials=present$/);
    expect(f.cwagent).toMatch(/ uid=0 guard=active credentials=present$/);
    expect(f.check_exit).toBe("0");
  });
});

describe("the guard's text", () => {
  it("refuses non-root sockets on both metadata addresses, in a table of its own, and the unit has no stop action", () => {
    const rules = renderImdsRuleset();
    expect(rules).toContain(`ip daddr ${IMDS_IPV4} meta skuid != 0 meta l4proto tcp counter reject with tcp reset`);
    expect(rules).toContain(`ip6 daddr ${IMDS_IPV6} meta skuid != 0 meta l4proto tcp counter reject with tcp reset`);
    expect(rules).not.toMatch(/flush ruleset/);
    const unit = renderImdsGuardUnit();
    expect(unit).toMatch(/^Before=network-pre\.target sysinit\.target/m);
    expect(unit).toMatch(/^WantedBy=sysinit\.target$/m);
    expect(unit).not.toMatch(/^ExecStop/m);
  });
});
