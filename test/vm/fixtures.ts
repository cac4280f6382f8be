// Test-only stand-ins the VM needs because it cannot reach AWS: a TLS certificate for AWS's names
// (signed by a throw-away CA that only the test image trusts; moto answers behind it), and stand-in
// amazon-ssm-agent and amazon-cloudwatch-agent .debs with detached signatures by a throw-away key.
// The installers accept that key only through CLAWKEEP_{SSM_AGENT,CWAGENT}_KEYS/SIGNERS, which the
// test image sets for cloud-final alone; the kit's pinned AWS keys stay the production path. The same
// key signs the stand-in Tailscale apt repository (tailscaleStandIn.ts), trusted through
// CLAWKEEP_TAILSCALE_KEY_FPR the same way.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CWAGENT_CONFIG_PATH, CWAGENT_CTL, CWAGENT_VERSION } from "../../components/host/cloudwatchAgent";
import { SSM_AGENT } from "../../components/host/ssmAgent";
import { IMDS_GUARD_UNIT } from "../../components/host/imdsGuard";
import { IMDS_ADDR } from "./addresses";
import { TAILSCALE_STAND_IN_RECIPE, tailscaleStandIn, writeAptRepo } from "./tailscaleStandIn";

export interface Fixtures {
  dir: string;
  caCert: string;
  /** Certificate and key of the TLS stand-in for every *.amazonaws.com name of the region. */
  awsCert: string;
  awsKey: string;
  /** The stand-in SSM Agent and CloudWatch agent packages, each with its detached signature at `.sig`. */
  debs: Record<StandInName, string>;
  signerKeyAsc: string;
  signerFingerprint: string;
  /** The stand-in Tailscale apt repository (a directory to serve), signed by the same key. */
  tailscaleRepo: string;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const res = spawnSync(cmd, args, { encoding: "utf8", ...opts });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${String(res.status)}:\n${res.stderr}`);
  return res.stdout;
}

/** Everything the generator does is in this text, so the disk cache hashes it. */
export const FIXTURE_RECIPE = `ssm ${SSM_AGENT.version}; cwagent ${CWAGENT_VERSION}; CA P-256 10y; AWS wildcard cert; deb stand-ins: unit that fetches role credentials as root then sleeps, ctl that checks the kit's start command and fetches them too; gpg ed25519 detached sig; ${TAILSCALE_STAND_IN_RECIPE}`;

/** The names AWS's endpoints use in one region: services, S3 path and virtual-hosted style. */
export function awsNames(region: string): string[] {
  return ["*.amazonaws.com", `*.${region}.amazonaws.com`, `*.s3.${region}.amazonaws.com`, "*.s3.amazonaws.com"];
}

/** Where the agent stand-ins record, at each start, whether root got the role's credentials (checks.ts reads it). */
export const STAND_IN_IMDS_RECORD = { ssm: "/var/lib/clawkeep-vm-test/ssm-agent-imds", cwagent: "/var/lib/clawkeep-vm-test/cwagent-imds" } as const;

export interface StandIn {
  pkg: string;
  /** The Debian version, revision included when there is one. */
  version: string;
  /** Files of the package: path -> [mode, content]. */
  files: Record<string, [number, string]>;
}

const SSM_STAND_IN_UNIT = `[Unit]
Description=clawkeep VM test stand-in for the AWS SSM Agent (not the real agent)
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/amazon-ssm-agent

[Install]
WantedBy=multi-user.target
`;

/**
 * What the real agents do first: ask the metadata service for the role's credentials, as root. The
 * stand-ins record the outcome (never the credentials) for the check table; up to 60 s for the network.
 */
export function imdsProbe(record: string, tries = 30): string {
  return `imds=http://${IMDS_ADDR}
creds=absent
for _ in $(seq ${tries}); do
  if tok=$(curl -sf -m 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$imds/latest/api/token") &&
    role=$(curl -sf -m 5 -H "X-aws-ec2-metadata-token: $tok" "$imds/latest/meta-data/iam/security-credentials/") &&
    curl -sf -m 5 -H "X-aws-ec2-metadata-token: $tok" "$imds/latest/meta-data/iam/security-credentials/$role" | grep -q '"AccessKeyId"'; then creds=present; break; fi
  sleep 2
done
mkdir -p ${record.slice(0, record.lastIndexOf("/"))}
echo "boot=$(cat /proc/sys/kernel/random/boot_id) uid=$(id -u) guard=$(systemctl is-active ${IMDS_GUARD_UNIT}) credentials=$creds" >${record}`;
}

// The kit runs `amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:CONFIG`; the stand-in
// accepts exactly that, with a config that parses as JSON, and records it.
const CWAGENT_STAND_IN_CTL = `#!/bin/sh
set -eu
[ "$*" = "-a fetch-config -m ec2 -s -c file:${CWAGENT_CONFIG_PATH}" ] || { echo "stand-in ctl: unexpected arguments: $*" >&2; exit 2; }
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' ${CWAGENT_CONFIG_PATH} || { echo "stand-in ctl: the config is not JSON" >&2; exit 3; }
mkdir -p /var/lib/clawkeep-vm-test
echo "$*" >/var/lib/clawkeep-vm-test/cwagent-started
${imdsProbe(STAND_IN_IMDS_RECORD.cwagent)}
`;

export const SSM_STAND_IN_BIN = `#!/bin/sh
${imdsProbe(STAND_IN_IMDS_RECORD.ssm)}
exec sleep infinity
`;

const STAND_INS = {
  ssm: {
    pkg: "amazon-ssm-agent",
    version: `${SSM_AGENT.version}-1`,
    files: {
      "usr/bin/amazon-ssm-agent": [0o755, SSM_STAND_IN_BIN],
      "lib/systemd/system/amazon-ssm-agent.service": [0o644, SSM_STAND_IN_UNIT],
    },
  },
  cwagent: {
    pkg: "amazon-cloudwatch-agent",
    version: `${CWAGENT_VERSION}-1`,
    files: { [CWAGENT_CTL.slice(1)]: [0o755, CWAGENT_STAND_IN_CTL] },
  },
} satisfies Record<string, StandIn>;
export type StandInName = keyof typeof STAND_INS;

function buildDeb(work: string, spec: StandIn, out: string): void {
  const pkg = path.join(work, spec.pkg);
  fs.mkdirSync(path.join(pkg, "DEBIAN"), { recursive: true });
  fs.writeFileSync(
    path.join(pkg, "DEBIAN", "control"),
    [
      `Package: ${spec.pkg}`,
      `Version: ${spec.version}`,
      "Architecture: amd64",
      "Maintainer: clawkeep VM test <vm-test@clawkeep.invalid>",
      `Description: clawkeep VM test stand-in for ${spec.pkg}`,
      " Does nothing real; proves the kit's download, signature check and install path.",
      "",
    ].join("\n"),
  );
  for (const [file, [mode, content]] of Object.entries(spec.files)) {
    fs.mkdirSync(path.join(pkg, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(pkg, file), content, { mode });
  }
  run("dpkg-deb", ["--root-owner-group", "--build", pkg, out]);
}

/** Make the fixtures in `dir` (once); private keys other than the TLS server's are deleted at once. */
export function ensureFixtures(dir: string, region: string): Fixtures {
  const f: Fixtures = {
    dir,
    caCert: path.join(dir, "test-ca.crt"),
    awsCert: path.join(dir, "aws.crt"),
    awsKey: path.join(dir, "aws.key"),
    debs: { ssm: path.join(dir, "amazon-ssm-agent.deb"), cwagent: path.join(dir, "amazon-cloudwatch-agent.deb") },
    signerKeyAsc: path.join(dir, "ssm-test-signer.asc"),
    signerFingerprint: "",
    tailscaleRepo: path.join(dir, "tailscale-repo"),
  };
  const fprFile = path.join(dir, "ssm-test-signer.fpr");
  if (fs.existsSync(fprFile)) return { ...f, signerFingerprint: fs.readFileSync(fprFile, "utf8").trim() };

  fs.mkdirSync(dir, { recursive: true });
  const work = fs.mkdtempSync(path.join(dir, ".work-"));
  try {
    const caKey = path.join(work, "ca.key");
    run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", caKey, "-out", f.caCert, "-days", "3650", "-subj", "/CN=clawkeep VM test CA (test image only)"]);
    const csr = path.join(work, "aws.csr");
    run("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f.awsKey, "-out", csr, "-subj", "/CN=amazonaws.com (clawkeep VM test)"]);
    const ext = path.join(work, "aws.ext");
    const sans = awsNames(region).map((n) => `DNS:${n}`).join(",");
    fs.writeFileSync(ext, `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    run("openssl", ["x509", "-req", "-in", csr, "-CA", f.caCert, "-CAkey", caKey, "-CAcreateserial", "-days", "3650", "-extfile", ext, "-out", f.awsCert]);
    fs.chmodSync(f.awsKey, 0o600);

    for (const name of Object.keys(STAND_INS) as StandInName[]) buildDeb(work, STAND_INS[name], f.debs[name]);
    const gnupg = path.join(work, "gnupg");
    fs.mkdirSync(gnupg, { mode: 0o700 });
    const gpg = (...args: string[]) => run("gpg", ["--homedir", gnupg, "--batch", "--no-tty", ...args]);
    gpg("--passphrase", "", "--quick-gen-key", "clawkeep VM test SSM signer <vm-test@clawkeep.invalid>", "ed25519", "sign", "never");
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg("--with-colons", "--list-keys"))?.[1];
    if (!fpr) throw new Error("gpg printed no fingerprint for the test signer");
    fs.writeFileSync(f.signerKeyAsc, gpg("--armor", "--export", fpr));
    for (const deb of Object.values(f.debs)) gpg("--local-user", fpr, "--output", `${deb}.sig`, "--detach-sign", deb);
    const tailscaleDeb = path.join(work, "tailscale.deb");
    buildDeb(work, tailscaleStandIn(), tailscaleDeb);
    // Binary, as Tailscale publishes bookworm.noarmor.gpg (run() reads output as text, so via a file).
    const publicKey = path.join(work, "signer.gpg");
    gpg("--output", publicKey, "--export", fpr);
    writeAptRepo(f.tailscaleRepo, tailscaleDeb, fs.readFileSync(publicKey), (release, inRelease) =>
      gpg("--local-user", fpr, "--digest-algo", "SHA512", "--output", inRelease, "--clearsign", release),
    );
    fs.writeFileSync(fprFile, `${fpr}\n`);
    // gpg started an agent for this home dir; it must not outlive the build.
    run("gpgconf", ["--homedir", gnupg, "--kill", "gpg-agent"]);
    return { ...f, signerFingerprint: fpr };
  } finally {
    // The CA key and the signer's secret key die with the work dir: nothing can sign for them again.
    fs.rmSync(work, { recursive: true, force: true });
  }
}
