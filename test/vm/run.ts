// npm run test:vm (`npx tsx test/vm/run.ts [--stack level0]`): build (or reuse) the Debian 12 disk,
// boot it under qemu with the kit's rendered user data for one level stack, check the host as an
// auditor would, reboot, check again, and print the table. Exit 0 only when every check passed.
import { SecretsManagerClient, CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GATEWAY_UNIT } from "../../components/base/layout";
import { hostFacts, renderHost } from "../../components/host/hostFiles";
import { SSM_AGENT, ssmAgentDebUrl } from "../../components/host/ssmAgent";
import { CWAGENT_VERSION, cloudWatchAgentDebUrl } from "../../components/host/cloudwatchAgent";
import { analyzeUnit } from "../../components/host/systemdUnits";
import { EGRESS_SOCKET, GATEWAY_PROXY_URL, INGRESS_SOCKET } from "../../components/netsandbox/addresses";
import { squidDomains } from "../../components/netsandbox/egressProxy";
import { loadStackFile } from "../../stacks/load";
import { MOTO_ACCOUNT, startMoto } from "../support/moto";
import { REPO_ROOT } from "../support/openclaw";
import { hasCommand } from "../support/tools";
import { startStaticRepo, tailscaleExpectation } from "./tailscaleStandIn";
import { tailscaleJoinSecretName } from "../../components/base/names";
import { AWS_ADDR, DEBIAN_MIRROR_PORT, DEBIAN_MIRROR_URL, DNS_ADDR, IMDS_ADDR, MIRROR_ADDR, NPM_MIRROR_PORT, NPM_MIRROR_URL, TAILSCALE_REPO_PORT, TAILSCALE_REPO_URL } from "./addresses";
import { AgentClient } from "./agent";
import { putS3Object, s3Location, startAwsFront, startDns, type AwsRequest, type Listener } from "./awsStandIn";
import { CHECKS, parseFields, waitHealthyScript, type Check, type CheckContext, type Verdict } from "./checks";
import { agentChecks, agentExpectation } from "./agentChecks";
import { debianPath, ensureDisk, DEBIAN_UPSTREAM } from "./disk";
import { startMirror, type Mirror } from "./mirror";
import { ensureNpmSnapshot, npmSnapshotStore, NPM_UPSTREAM } from "./npmMirror";
import { startVm, type Vm } from "./qemu";

export const CACHE_ROOT = path.join(REPO_ROOT, ".cache", "vm");
const FIRST_BOOT_LIMIT_S = Number(process.env.CLAWKEEP_VM_FIRST_BOOT_LIMIT ?? 2400);
const REBOOT_LIMIT_S = Number(process.env.CLAWKEEP_VM_REBOOT_LIMIT ?? 900);

const started = Date.now();
const stamp = (): string => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
const log = (msg: string): void => console.log(`${stamp()} ${msg}`);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t = Date.now();
  log(`${label} ...`);
  const value = await fn();
  const seconds = (Date.now() - t) / 1000;
  log(`${label}: done in ${seconds.toFixed(1)} s`);
  return { value, seconds };
}

// Serial-console lines worth echoing while the VM works: boot stages and the kit's own scripts.
const PROGRESS = /Cloud-init v\. .* (running|finished)|harden-host:|install-ssm-agent:|install-runtime:|fetch-token:|install-tailscale:|tailscale-join:|Gateway failed|unpack-bundle: .*(SHA|refus)|npm error|FAILED|Failed to start|Reached target .*(Reboot|Power)|login:/;

/** Echo new serial-console lines that match PROGRESS; returns a stop function. */
function followSerial(file: string): () => void {
  let offset = 0;
  let partial = "";
  const timer = setInterval(() => {
    if (!fs.existsSync(file)) return;
    const size = fs.statSync(file).size;
    if (size <= offset) return;
    const fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(size - offset);
    fs.readSync(fd, buf, 0, buf.length, offset);
    fs.closeSync(fd);
    offset = size;
    const lines = (partial + buf.toString("utf8")).split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const raw of lines) {
      // eslint-disable-next-line no-control-regex
      const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trim();
      if (PROGRESS.test(line)) log(`  vm| ${line.slice(0, 200)}`);
    }
  }, 1000);
  return () => clearInterval(timer);
}

const STATUS_SCRIPT = `echo "uptime=$(cut -d' ' -f1 /proc/uptime) load=$(cut -d' ' -f1-3 /proc/loadavg) cloud-final=$(systemctl is-active cloud-final.service) gateway=$(systemctl is-active ${GATEWAY_UNIT}) restarts=$(systemctl show -p NRestarts --value ${GATEWAY_UNIT})"
pid=$(systemctl show -p MainPID --value ${GATEWAY_UNIT})
if [[ $pid != 0 ]]; then echo "  gateway pid $pid up $(ps -o etime= -p $pid) healthz in its namespace: $(nsenter -t $pid -n curl -s -o /dev/null -w '%{http_code} %{time_total}s' -m 50 http://127.0.0.1:\${PORT}/healthz)"; fi
tail -n 2 /var/log/cloud-init-output.log | cut -c1-160 | sed 's/^/  cloud-init-output| /'
journalctl -u ${GATEWAY_UNIT} --since=-65s -o short-monotonic --no-pager | tail -n 12 | cut -c1-200 | sed 's/^/  gateway| /'`;

/** While a long wait runs in the guest, print its state every `seconds` (the agent runs scripts concurrently). */
function watchGuest(agent: AgentClient, port: number, seconds: number): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    agent
      .run(`PORT=${port}\n${STATUS_SCRIPT}`, 60_000)
      .then((r) => log(`  guest: ${r.output.trim()}`))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, seconds * 1000);
  return () => clearInterval(timer);
}

interface Row {
  title: string;
  boots: Verdict[];
}

// Checks wait mostly on the guest (nsenter, curl, systemd-analyze), so a few run at once; each reads
// only, and none puts the token where another looks for it (curl takes it from a file, not argv).
const CHECK_CONCURRENCY = 4;

async function runChecks(agent: AgentClient, checks: Check[], ctx: CheckContext, rows: Row[], boot: number): Promise<void> {
  const queue = [...checks.entries()];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [i, check] = next;
      let verdict: Verdict;
      try {
        const res = await agent.run(check.script(ctx), 300_000);
        const fields = parseFields(res.output);
        verdict = check.judge
          ? check.judge(fields, res.rc, ctx)
          : { pass: res.rc === 0, detail: Object.entries(fields).map(([k, v]) => `${k}=${v}`).join("; ") || res.output.trim().slice(0, 300) };
      } catch (err) {
        verdict = { pass: false, detail: String(err).slice(0, 300) };
      }
      rows[i] ??= { title: check.title, boots: [] };
      rows[i].boots[boot] = verdict;
      log(`  boot ${boot + 1}: ${verdict.pass === null ? "n/a " : verdict.pass ? "PASS" : "FAIL"} ${check.title}`);
    }
  };
  await Promise.all(Array.from({ length: CHECK_CONCURRENCY }, worker));
}

function printTable(rows: Row[], timings: Array<[string, string]>): { passed: number; failed: number; skipped: number } {
  const mark = (v?: Verdict): string => (v === undefined ? "-" : v.pass === null ? "n/a" : v.pass ? "pass" : "FAIL");
  const width = Math.max(...rows.map((r) => r.title.length));
  console.log(`\n${"check".padEnd(width)} | boot 1 | after reboot`);
  console.log(`${"-".repeat(width)}-+--------+-------------`);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const r of rows) {
    console.log(`${r.title.padEnd(width)} | ${mark(r.boots[0]).padEnd(6)} | ${mark(r.boots[1])}`);
    const verdicts = [r.boots[0], r.boots[1]];
    if (verdicts.some((v) => v === undefined || v.pass === false)) failed += 1;
    else if (verdicts.every((v) => v?.pass === null)) skipped += 1;
    else passed += 1;
  }
  console.log("\ndetails:");
  for (const r of rows) {
    const [a, b] = r.boots;
    console.log(`- ${r.title}\n    boot 1: ${a?.detail ?? "(not run)"}${b && b.detail !== a?.detail ? `\n    reboot: ${b.detail}` : ""}`);
  }
  console.log("\ntimings:");
  for (const [k, v] of timings) console.log(`  ${k.padEnd(44)} ${v}`);
  return { passed, failed, skipped };
}

/** The real tools the run drives; .ci/run installs them. */
const TOOLS = ["qemu-system-x86_64", "qemu-img", "mmdebstrap", "unshare", "mkfs.ext4", "moto_server", "openssl", "gpg", "gpgconf", "dpkg-deb", "tar", "systemd-analyze"];

async function main(): Promise<number> {
  const missing = TOOLS.filter((t) => !hasCommand(t));
  if (missing.length > 0) {
    console.error(`test:vm needs ${missing.join(", ")} on PATH (.ci/run installs them: apt qemu-system-x86 qemu-utils mmdebstrap)`);
    return 2;
  }
  const stackArg = process.argv.indexOf("--stack");
  const stack = stackArg > 0 ? process.argv[stackArg + 1] : "level0";
  const timings: Array<[string, string]> = [];
  const rows: Row[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  const runDir = path.join(CACHE_ROOT, "runs", `${new Date().toISOString().replace(/[:.]/g, "-")}-${stack}`);
  let ok = false;
  try {
    // The model exactly as an operator's stack would give it, with the package mirror pointed at the test's.
    const model = loadStackFile(stack, [
      `packageMirror={npmRegistry: "${NPM_MIRROR_URL}", debianMirror: "${DEBIAN_MIRROR_URL}", debianSecurityMirror: "${DEBIAN_MIRROR_URL}", tailscaleRepo: "${TAILSCALE_REPO_URL}"}`,
    ]);
    const region = model.region;
    // The two cold-cache builds overlap: mmdebstrap fetches Debian while npm records the runtime's
    // packages; the disk waits for the snapshot only where it bakes the runtime in.
    const pins = { nodeVersion: model.host.nodeVersion, nodeIntegrity: model.host.nodeIntegrity, openclawVersion: model.host.openclawVersion, openclawIntegrity: model.host.openclawIntegrity };
    const npmPending = timed("1. npm snapshot (node, npm, openclaw tree)", () => ensureNpmSnapshot(CACHE_ROOT, pins, log));
    const npmRecorded = npmPending.then(() => undefined);
    npmRecorded.catch(() => undefined); // reported once, through allSettled below
    const diskPending = timed("2. disk (Debian 12 via mmdebstrap, runtime baked in; cached by input hash)", () =>
      ensureDisk(CACHE_ROOT, region, { model, stack, npmStore: npmSnapshotStore(CACHE_ROOT, pins), npmRecorded }, log),
    );
    // allSettled, so a failed snapshot does not leave mmdebstrap running while the cleanups run.
    const [npmSettled, diskSettled] = await Promise.allSettled([npmPending, diskPending]);
    if (npmSettled.status === "rejected") throw npmSettled.reason;
    if (diskSettled.status === "rejected") throw diskSettled.reason;
    const npm = npmSettled.value;
    const disk = diskSettled.value;
    timings.push(["npm snapshot", `${npm.value.built ? `recorded now in ${npm.value.seconds} s` : `cached (recorded in ${npm.value.seconds} s)`}: ${npm.value.files} files, ${(npm.value.bytes / 1e6).toFixed(0)} MB`]);
    timings.push([`disk ${disk.value.hash}`, disk.value.built ? `built now in ${disk.value.buildSeconds} s (cold)` : `cached (its cold build took ${disk.value.buildSeconds} s)`]);

    const facts = hostFacts(model, stack, region);
    const rendered = renderHost(model, facts, { accountId: MOTO_ACCOUNT, stack });
    const has = (unit: string): boolean => rendered.files.some((f) => f.path.endsWith(`/${unit}`));
    log(`user data for ${stack}: ${rendered.userData.length} bytes (${rendered.userDataBytes} gzipped), bundle ${rendered.files.length} files, ${rendered.bundle.gz.length} bytes`);

    // AWS: moto, with the secrets and S3 objects the Pulumi program would have created.
    const moto = await timed("3. AWS stand-in (moto, DNS over TCP, TLS front)", async () => {
      const m = await startMoto();
      cleanups.push(() => m.stop());
      const motoPort = Number(new URL(m.endpoint).port);
      const sm = new SecretsManagerClient(m.clientConfig);
      await sm.send(new CreateSecretCommand({ Name: facts.gatewayTokenSecretId, SecretString: randomBytes(36).toString("base64url") }));
      for (const [provider, id] of Object.entries(facts.providerKeySecretIds)) {
        await sm.send(new CreateSecretCommand({ Name: id, SecretString: `test-${provider}-key-${randomBytes(16).toString("hex")}` }));
      }
      if (model.tailscale.enabled) {
        // The shape the kit's TailscaleAccess writes: a one-shot auth key (a made-up one; the stand-in never sees it).
        const authKey = `tskey-auth-k${randomBytes(6).toString("hex")}CNTRL-${randomBytes(16).toString("hex")}`;
        await sm.send(new CreateSecretCommand({ Name: tailscaleJoinSecretName(stack, model.cellName), SecretString: JSON.stringify({ authKey }) }));
      }
      await putS3Object(motoPort, region, rendered.bundle.bucket, rendered.bundle.key, rendered.bundle.gz);
      // The agents' downloads, where the kit's URLs point: the stand-in packages and their signatures.
      const downloads: Array<[string, string]> = [
        [ssmAgentDebUrl(region, SSM_AGENT.version), disk.value.fixtures.debs.ssm],
        [cloudWatchAgentDebUrl(region, CWAGENT_VERSION), disk.value.fixtures.debs.cwagent],
      ];
      for (const [url, deb] of downloads) {
        const { bucket, key } = s3Location(url);
        await putS3Object(motoPort, region, bucket, key, fs.readFileSync(deb), "public-read");
        await putS3Object(motoPort, region, bucket, `${key}.sig`, fs.readFileSync(`${deb}.sig`), "public-read");
      }
      return { motoPort };
    });
    const dnsAsked: string[] = [];
    const awsSeen: AwsRequest[] = [];
    const dns = await startDns("amazonaws.com", AWS_ADDR, dnsAsked);
    const awsFront = await startAwsFront(disk.value.fixtures.awsCert, disk.value.fixtures.awsKey, moto.value.motoPort, awsSeen);
    const debian = await startMirror({ storeDir: disk.value.debianStore, upstream: DEBIAN_UPSTREAM, mode: "replay", rewrite: debianPath });
    const npmMirror = await startMirror({ storeDir: npm.value.store, upstream: NPM_UPSTREAM, mode: "replay" });
    const tailscaleRepo = await startStaticRepo(disk.value.fixtures.tailscaleRepo);
    cleanups.push(() => tailscaleRepo.close());
    const listeners: Array<Listener | Mirror> = [dns, awsFront, debian, npmMirror];
    for (const l of listeners) cleanups.push(() => l.close());

    const hostScore = (() => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-vm-unit-"));
      try {
        const unitFile = path.join(tmp, GATEWAY_UNIT);
        fs.writeFileSync(unitFile, rendered.files.find((f) => f.path.endsWith(`/${GATEWAY_UNIT}`))?.content ?? "");
        return analyzeUnit(unitFile).score;
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    })();
    const ctx: CheckContext = {
      port: model.gateway.port,
      hostOfflineScore: hostScore,
      ingress: has(INGRESS_SOCKET),
      tailscale: tailscaleExpectation(model),
      egressProxy: has(EGRESS_SOCKET) ? { proxyUrl: GATEWAY_PROXY_URL, deniedName: "exfil.example.net", allowedNames: squidDomains(model.egressDomains).map((d) => d.replace(/^\./, "")) } : null,
    };

    // 4. Boot.
    const vm: Vm = startVm({
      runDir,
      baseImage: disk.value.image,
      kernel: disk.value.kernel,
      initrd: disk.value.initrd,
      userData: rendered.userData,
      metaData: `instance-id: i-clawkeep-vm-${randomBytes(4).toString("hex")}\nlocal-hostname: clawkeep-${stack}\n`,
      forwards: [
        { guestAddr: MIRROR_ADDR, guestPort: DEBIAN_MIRROR_PORT, hostPort: debian.port },
        { guestAddr: MIRROR_ADDR, guestPort: NPM_MIRROR_PORT, hostPort: npmMirror.port },
        { guestAddr: MIRROR_ADDR, guestPort: TAILSCALE_REPO_PORT, hostPort: tailscaleRepo.port },
        { guestAddr: AWS_ADDR, guestPort: 443, hostPort: awsFront.port },
        { guestAddr: DNS_ADDR, guestPort: 53, hostPort: dns.port },
        { guestAddr: IMDS_ADDR, guestPort: 80, hostPort: moto.value.motoPort },
      ],
      memoryMb: 4096,
      cpus: 2,
    });
    cleanups.unshift(() => vm.kill());
    log(`4. qemu (TCG) started; serial console: ${vm.serialLog}`);
    const stopFollowing = followSerial(vm.serialLog);
    cleanups.push(stopFollowing);
    const bootStarted = Date.now();
    const agent = await AgentClient.connect(vm.agentSocket);
    cleanups.push(() => agent.close());
    const ready1 = await agent.waitReady(1, 600_000);
    log(`boot 1: test agent up at guest uptime ${ready1.toFixed(0)} s`);
    const stopWatch1 = watchGuest(agent, model.gateway.port, 60);
    const healthy1 = await agent.run(waitHealthyScript(model.gateway.port, FIRST_BOOT_LIMIT_S), (FIRST_BOOT_LIMIT_S + 120) * 1000).finally(stopWatch1);
    const wall1 = (Date.now() - bootStarted) / 1000;
    const up1 = parseFields(healthy1.output).uptime;
    timings.push(["boot 1 (first boot): agent up, guest uptime", `${ready1.toFixed(0)} s`]);
    if (healthy1.rc !== 0) {
      log(`boot 1: the gateway never answered /healthz:\n${healthy1.output}`);
      const diag = await agent.run(`systemctl --no-pager status ${GATEWAY_UNIT} | tail -20; tail -40 /var/log/cloud-init-output.log`, 120_000);
      log(diag.output);
      timings.push(["boot 1: boot to healthy", `never (${healthy1.output.trim().split("\n")[0]})`]);
    } else {
      log(`boot 1: /healthz 200 at guest uptime ${up1} s (${wall1.toFixed(0)} s after qemu started)`);
      timings.push(["boot 1: boot to healthy (guest uptime / wall)", `${Number(up1).toFixed(0)} s / ${wall1.toFixed(0)} s`]);
    }
    const checks1 = await timed("5. checks, boot 1", () => runChecks(agent, [...CHECKS, ...agentChecks(agentExpectation(model))], ctx, rows, 0));
    timings.push(["checks, boot 1", `${checks1.seconds.toFixed(0)} s`]);

    // 6. Reboot and check again.
    const rebootStarted = Date.now();
    log("6. rebooting the VM");
    agent.run("systemctl reboot", 30_000).catch(() => undefined);
    const ready2 = await agent.waitReady(2, REBOOT_LIMIT_S * 1000);
    log(`boot 2: test agent up at guest uptime ${ready2.toFixed(0)} s`);
    const stopWatch2 = watchGuest(agent, model.gateway.port, 60);
    const healthy2 = await agent.run(waitHealthyScript(model.gateway.port, REBOOT_LIMIT_S), (REBOOT_LIMIT_S + 120) * 1000).finally(stopWatch2);
    const wall2 = (Date.now() - rebootStarted) / 1000;
    const up2 = parseFields(healthy2.output).uptime;
    timings.push([
      "boot 2 (reboot): boot to healthy (uptime / wall)",
      healthy2.rc === 0 ? `${Number(up2).toFixed(0)} s / ${wall2.toFixed(0)} s` : `never (${healthy2.output.trim().split("\n")[0]})`,
    ]);
    const checks2 = await timed("7. checks, after reboot", () => runChecks(agent, [...CHECKS, ...agentChecks(agentExpectation(model))], ctx, rows, 1));
    timings.push(["checks, after reboot", `${checks2.seconds.toFixed(0)} s`]);
    await agent.run("systemctl poweroff", 10_000).catch(() => undefined);
    await Promise.race([vm.exited, new Promise((r) => setTimeout(r, 30_000))]);

    const misses = [...debian.stats.misses.map((m) => `debian ${m}`), ...npmMirror.stats.misses.map((m) => `npm ${m}`)];
    timings.push(["mirror: Debian / npm requests served", `${debian.stats.served} (${(debian.stats.bytesServed / 1e6).toFixed(0)} MB) / ${npmMirror.stats.served} (${(npmMirror.stats.bytesServed / 1e6).toFixed(0)} MB)`]);
    timings.push(["mirror: misses (asked for, not in the snapshot)", misses.length === 0 ? "none" : `${misses.length}: ${misses.slice(0, 5).join(", ")}`]);
    timings.push(["tailscale repo: served / misses", `${tailscaleRepo.served.length} / ${tailscaleRepo.misses.join(", ") || "none"}`]);
    const names = [...new Set(dnsAsked)].sort();
    timings.push(["VM's DNS questions", names.join(", ") || "none"]);
    timings.push(["AWS requests (via moto)", summarize(awsSeen)]);
    timings.push(["total", `${((Date.now() - started) / 1000).toFixed(0)} s`]);
    ok = true;
  } catch (err) {
    log(`aborted: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  } finally {
    for (const c of cleanups) await c();
    // The overlay is gigabytes; the logs stay for review (CLAWKEEP_VM_KEEP=1 keeps the overlay for a look inside).
    if (process.env.CLAWKEEP_VM_KEEP !== "1") fs.rmSync(path.join(runDir, "root.qcow2"), { force: true });
  }
  const counts = printTable(rows, timings);
  console.log(`\nrun dir (serial console, qemu command line): ${runDir}`);
  console.log(`vm: ${counts.passed} passed, ${counts.failed + (ok ? 0 : 1)} failed, ${counts.skipped} skipped`);
  return ok && counts.failed === 0 && rows.length === CHECKS.length + agentChecks(agentExpectation(loadStackFile(stack))).length ? 0 : 1;
}

function summarize(seen: AwsRequest[]): string {
  const byKey = new Map<string, number>();
  for (const r of seen) {
    const key = `${r.method} ${r.host}${r.host.startsWith("s3.") ? r.path.split("/").slice(0, 2).join("/") : ""} -> ${r.status}`;
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  return [...byKey].map(([k, n]) => `${k} x${n}`).join("; ") || "none";
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
