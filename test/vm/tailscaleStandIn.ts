// A stand-in for Tailscale in the VM test, which cannot reach pkgs.tailscale.com or a tailnet: a
// `tailscale` package at the pinned version in an apt repository laid out like Tailscale's and
// signed by the fixtures' throw-away key, a loopback file server for it, and the auditor's check.
// The stand-in CLI hands every call to the stand-in tailscaled over a FIFO in /run/tailscale: the
// kit's join unit runs with ProtectSystem=strict (only /run writable), and the record must outlive a
// reboot, as the real daemon's state does. An auth key is recorded only as "was its file readable".
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { DEFAULT_TAILSCALE_VERSION } from "../../stacks/pins";
import { TAILSCALE_JOIN_UNIT, TAILSCALE_KEY_FILE, TAILSCALE_KEYRING, TAILSCALE_SOURCES } from "../../components/tailscale/hostScripts";
import type { StackModel } from "../../stacks/schema";
import type { Check, CheckContext, Verdict } from "./checks";
import type { StandIn } from "./fixtures";

/** The apt suite install-tailscale writes into its sources line. */
export const TAILSCALE_SUITE = "bookworm";
export const TAILSCALE_LOG = "/var/lib/clawkeep-vm-test/tailscale.log";
const FIFO = "/run/tailscale/clawkeep-vm-test.fifo";
const STATE = "/var/lib/tailscale/clawkeep-vm-test.state";
/** How the stand-in CLI records an --auth-key file that was readable and non-empty. */
export const KEY_FILE_READABLE = "[readable]";

// TAILSCALE_STAND_IN_ROOT lets the native test run both scripts under a temp dir; the VM leaves it unset.
const CLI = `#!/bin/bash
# clawkeep VM test stand-in for the tailscale CLI (not Tailscale): hands each call to the stand-in
# tailscaled, an auth key reduced to whether its file was readable, and answers what tailscale-join reads.
set -eu
root=\${TAILSCALE_STAND_IN_ROOT:-}
fifo=$root${FIFO}
state=$root${STATE}
[[ -p $fifo ]] || { echo "failed to connect to local tailscaled; it doesn't appear to be running (stand-in)" >&2; exit 1; }
# Never the key itself: a file is recorded by path, whether it could be read and a short fingerprint
# (which key of the test's it was: each host must join with its own), an inline key not at all.
key() {
  if [[ $1 != file:* ]]; then echo "[inline-key-withheld]"
  elif [[ -r \${1#file:} && -s \${1#file:} ]]; then echo "$1${KEY_FILE_READABLE}[sha256:$(sha256sum "\${1#file:}" | cut -c1-12)]"
  else echo "$1[unreadable-or-empty]"; fi
}
args=()
while (($# > 0)); do
  case $1 in
    --auth-key=*) args+=("--auth-key=$(key "\${1#--auth-key=}")") ;;
    --auth-key) args+=("--auth-key=$(key "\${2:-}")"); shift ;;
    *) args+=("$1") ;;
  esac
  shift
done
printf '%s %s\\n' "$(date -u +%FT%TZ)" "\${args[*]}" | timeout 10 tee "$fifo" >/dev/null
case "\${args[0]:-} \${args[1]:-}" in
  "status --json") printf '{"BackendState":"%s"}\\n' "$(cat "$state" 2>/dev/null || echo NeedsLogin)" ;;
  "serve status") echo '{"TCP":{"443":{"HTTPS":true}}}' ;;
  "up "* | "serve "* | "funnel "* | "version "* | "logout "*) ;;
  *) echo "stand-in tailscale: unsupported call: \${args[*]}" >&2; exit 64 ;;
esac
# Like the real CLI, logout returns once tailscaled has logged the node out (up to 20 s), not when the request is sent.
if [[ \${args[0]:-} == logout ]]; then
  for _ in $(seq 80); do
    if [[ $(cat "$state" 2>/dev/null) == NeedsLogin ]]; then exit 0; fi
    sleep 0.25
  done
  echo "stand-in tailscale: tailscaled did not confirm the logout" >&2
  exit 1
fi
`;

const DAEMON = `#!/bin/bash
# clawkeep VM test stand-in for tailscaled (not Tailscale): appends what the CLI sends to a log that
# survives reboots, and remembers a login (an up with a credential) the way the real state file does.
set -eu
root=\${TAILSCALE_STAND_IN_ROOT:-}
fifo=$root${FIFO}
log=$root${TAILSCALE_LOG}
state=$root${STATE}
mkdir -p "\${fifo%/*}" "\${log%/*}" "\${state%/*}"
[[ -p $fifo ]] || mkfifo -m 0600 "$fifo"
# Opened read-write, so the reader never sees end-of-file between writers.
exec 3<>"$fifo"
logged_in='^[^ ]+ up .*(\\[readable\\]|--client-id=)'
logged_out='^[^ ]+ logout'
while IFS= read -r line <&3; do
  printf '%s\\n' "$line" >>"$log"
  if [[ $line =~ $logged_in ]]; then echo Running >"$state"; fi
  # A logout leaves the tailnet: the node must log in again; the serial console shows it (the VM is gone after).
  if [[ $line =~ $logged_out ]]; then
    # The console line first: the CLI returns once the state says so, and shutdown may stop this daemon right after.
    if [[ -z $root ]]; then echo "clawkeep-vm-test tailscaled stand-in: node logged out of the tailnet" >/dev/kmsg || true; fi
    echo NeedsLogin >"$state"
  fi
done
`;

const DAEMON_UNIT = `[Unit]
Description=clawkeep VM test stand-in for tailscaled (not Tailscale)

[Service]
RuntimeDirectory=tailscale
StateDirectory=tailscale
# The FIFO exists before the unit counts as started, so the join unit never races it.
ExecStartPre=/usr/bin/mkfifo -m 0600 ${FIFO}
ExecStart=/usr/sbin/tailscaled

[Install]
WantedBy=multi-user.target
`;

/** The stand-in package; version exactly the kit's pin (install-tailscale asks apt for tailscale=<version>). */
export function tailscaleStandIn(version: string = DEFAULT_TAILSCALE_VERSION): StandIn {
  return {
    pkg: "tailscale",
    version,
    files: {
      "usr/bin/tailscale": [0o755, CLI],
      "usr/sbin/tailscaled": [0o755, DAEMON],
      "lib/systemd/system/tailscaled.service": [0o644, DAEMON_UNIT],
    },
  };
}

/** Goes into the fixtures' recipe: a change of the stand-in or the repository layout rebuilds them. */
export const TAILSCALE_STAND_IN_RECIPE = `tailscale ${DEFAULT_TAILSCALE_VERSION} stand-in ${createHash("sha256").update(JSON.stringify(tailscaleStandIn())).digest("hex").slice(0, 12)}; apt repo ${TAILSCALE_SUITE}/main amd64, Packages and Release written here, InRelease clearsigned`;

const digest = (algo: string, data: Buffer): string => createHash(algo).update(data).digest("hex");

function debFields(deb: string): string {
  const res = spawnSync("dpkg-deb", ["--field", deb], { encoding: "utf8" });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`dpkg-deb --field ${deb}: ${res.stderr}`);
  return res.stdout.trimEnd();
}

const field = (stanza: string, name: string): string => {
  const value = new RegExp(`^${name}: (.+)$`, "m").exec(stanza)?.[1];
  if (!value) throw new Error(`no ${name} in the package's control fields`);
  return value;
};

/**
 * Lays out an apt repository holding one .deb, as install-tailscale and apt read it:
 * <dir>/bookworm.noarmor.gpg (binary public key), dists/bookworm/{Release,InRelease},
 * dists/bookworm/main/binary-amd64/Packages and the pool file. `clearsign` writes InRelease from Release.
 */
export function writeAptRepo(dir: string, deb: string, publicKey: Buffer, clearsign: (release: string, inRelease: string) => void): void {
  const control = debFields(deb);
  const [pkg, version, arch] = ["Package", "Version", "Architecture"].map((n) => field(control, n));
  const poolFile = `pool/main/${pkg[0]}/${pkg}/${pkg}_${version}_${arch}.deb`;
  const body = fs.readFileSync(deb);
  fs.mkdirSync(path.join(dir, path.dirname(poolFile)), { recursive: true });
  fs.writeFileSync(path.join(dir, poolFile), body);
  fs.writeFileSync(path.join(dir, TAILSCALE_KEY_FILE), publicKey);

  const dist = path.join(dir, "dists", TAILSCALE_SUITE);
  const indexName = `main/binary-${arch}/Packages`;
  const packages = Buffer.from(`${control}\nFilename: ${poolFile}\nSize: ${body.length}\nMD5sum: ${digest("md5", body)}\nSHA256: ${digest("sha256", body)}\n\n`);
  fs.mkdirSync(path.join(dist, path.dirname(indexName)), { recursive: true });
  fs.writeFileSync(path.join(dist, indexName), packages);
  const release = [
    "Origin: clawkeep VM test",
    "Label: clawkeep VM test stand-in for Tailscale",
    `Suite: ${TAILSCALE_SUITE}`,
    `Codename: ${TAILSCALE_SUITE}`,
    `Date: ${new Date().toUTCString().replace(/GMT$/, "UTC")}`,
    `Architectures: ${arch}`,
    "Components: main",
    "MD5Sum:",
    ` ${digest("md5", packages)} ${packages.length} ${indexName}`,
    "SHA256:",
    ` ${digest("sha256", packages)} ${packages.length} ${indexName}`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dist, "Release"), release);
  clearsign(path.join(dist, "Release"), path.join(dist, "InRelease"));
}

export interface StaticRepo {
  port: number;
  url: string;
  /** Request paths answered with a file, and those that were not there. */
  served: string[];
  misses: string[];
  close(): Promise<void>;
}

/** Serves the files under `dir` read-only on 127.0.0.1 (GET and HEAD). */
export async function startStaticRepo(dir: string): Promise<StaticRepo> {
  const root = path.resolve(dir);
  const served: string[] = [];
  const misses: string[] = [];
  const server = http.createServer((req, res) => {
    const requestPath = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();
    let file: string;
    try {
      file = path.join(root, decodeURIComponent(requestPath));
    } catch {
      return void res.writeHead(400).end();
    }
    if (!file.startsWith(`${root}${path.sep}`) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      misses.push(requestPath);
      return void res.writeHead(404).end();
    }
    served.push(requestPath);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": fs.statSync(file).size });
    if (req.method === "HEAD") return void res.end();
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    served,
    misses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the host must show when the stack joins a tailnet: the pins and the repository the VM sees. */
export interface TailscaleExpectation {
  version: string;
  tags: string[];
  /** The repository URL as the guest reaches it (packageMirror.tailscaleRepo). */
  repo: string;
}

export function tailscaleExpectation(model: StackModel): TailscaleExpectation | null {
  return model.tailscale.enabled ? { version: model.tailscale.version, tags: model.tailscale.tags, repo: model.packageMirror.tailscaleRepo } : null;
}

/** `apt-cache madison` lines (newline- or ;-separated, columns padded) as package, version and source. */
export function madisonCandidates(output: string): Array<{ pkg: string; version: string; source: string }> {
  return output
    .split(/[;\n]/)
    .map((line) => line.split("|").map((col) => col.trim()))
    .filter((cols) => cols.length === 3)
    .map(([pkg, version, source]) => ({ pkg, version, source }));
}

/** The host's verdict on the fields the check script printed. Pure, so the native test can judge real output. */
export function judgeTailscale(f: Record<string, string>, port: number, expected: TailscaleExpectation): Verdict {
  const upArgs = (f.up_with_key ?? "").split(" ");
  const problems = [
    f.version !== expected.version && `installed version ${f.version ?? "?"}, pinned ${expected.version}`,
    !(Number(f.keyring_bytes) > 0) && `keyring ${TAILSCALE_KEYRING}: ${f.keyring_bytes ?? "?"}`,
    f.sources !== `deb [signed-by=${TAILSCALE_KEYRING}] ${expected.repo} ${TAILSCALE_SUITE} main` && `${TAILSCALE_SOURCES}: ${f.sources ?? "?"}`,
    !madisonCandidates(f.apt_candidates ?? "").some((c) => c.pkg === "tailscale" && c.version === expected.version && c.source === `${expected.repo} ${TAILSCALE_SUITE}/main amd64 Packages`) &&
      `apt does not list ${expected.version} from ${expected.repo}`,
    f.tailscaled !== "active" && `tailscaled ${f.tailscaled ?? "?"}`,
    f.join !== "active success 0" && `${TAILSCALE_JOIN_UNIT}: ${f.join ?? "?"}`,
    !upArgs.includes(`--advertise-tags=${expected.tags.join(",")}`) && "no up with the kit's tags",
    !upArgs.some((a) => a.startsWith("--auth-key=file:") && a.includes(KEY_FILE_READABLE)) && "no up with the auth key as a readable file",
    !(f.serve ?? "").endsWith(` serve --bg --yes --https=443 http://127.0.0.1:${port}`) && `no serve of 127.0.0.1:${port}`,
    f.funnel_calls !== "0" && `funnel called ${f.funnel_calls ?? "?"} times`,
    f.key_material !== "0" && `auth key material in the log or the join unit's journal: ${f.key_material ?? "?"}`,
  ].filter((p): p is string => typeof p === "string");
  const facts = ["version", "join", "up_with_key", "serve"].filter((k) => k in f).map((k) => `${k}=${f[k]}`);
  return { pass: problems.length === 0, detail: [...problems, ...facts].join("; ").slice(0, 600) };
}

export const TAILSCALE_CHECK: Check = {
  title: "Tailscale (test stand-in): pinned package from the signed mirror, joined with a key file, served to the tailnet, no Funnel",
  script: (ctx: CheckContext) =>
    ctx.tailscale
      ? `set -u
export SYSTEMD_COLORS=0 SYSTEMD_PAGER='' LC_ALL=C.UTF-8
log=${TAILSCALE_LOG}
echo "version=$(dpkg-query -W -f='\${Version}' tailscale 2>&1)"
echo "keyring_bytes=$(stat -c %s ${TAILSCALE_KEYRING} 2>&1)"
echo "sources=$(cat ${TAILSCALE_SOURCES} 2>&1)"
echo "apt_candidates=$(apt-cache madison tailscale 2>&1 | tr '\\n' ';')"
echo "tailscaled=$(systemctl is-active tailscaled.service)"
echo "join=$(systemctl show -p ActiveState --value ${TAILSCALE_JOIN_UNIT}) $(systemctl show -p Result --value ${TAILSCALE_JOIN_UNIT}) $(systemctl show -p ExecMainStatus --value ${TAILSCALE_JOIN_UNIT})"
echo "up_with_key=$(grep -E '^[^ ]+ up .*--auth-key' "$log" | tail -n 1)"
echo "serve=$(grep -E '^[^ ]+ serve --bg' "$log" | tail -n 1)"
echo "funnel_calls=$(grep -cw funnel "$log")"
echo "key_material=$(cat "$log" <(journalctl -u ${TAILSCALE_JOIN_UNIT} -o cat --no-pager) | grep -cE 'tskey-|inline-key-withheld')"`
      : `echo "na=${ctx.tailscale === null ? "Tailscale is off for this stack" : "no Tailscale expectation in the check context"}"`,
  judge: (f, _rc, ctx) => {
    if (ctx.tailscale === undefined) return { pass: false, detail: "run.ts gave no ctx.tailscale (tailscaleExpectation(model))" };
    if (ctx.tailscale === null) return { pass: null, detail: f.na ?? "Tailscale is off for this stack" };
    return judgeTailscale(f, ctx.port, ctx.tailscale);
  },
};
