// What a change does to a running cell, in one place: per host file (and per host.env key) and per
// resource property. The offline plan's `--against` reads it to tell an operator; the host's in-place
// apply (issue 18 item 3) runs the actions it names. Pure: no Pulumi, no I/O.
import { AGENT_NODE_UNIT, AGENT_PAIR_UNIT, GATEWAY_UNIT, PATHS } from "./layout";

/** From weakest to strongest; a set of changes does what its strongest member does. */
export const EFFECTS = ["nothing", "reload", "service-restart", "gateway-restart", "runtime-upgrade", "host-restart", "new-host", "state-replaced"] as const;
export type ChangeEffect = (typeof EFFECTS)[number];

export const EFFECT_MEANING: Readonly<Record<ChangeEffect, string>> = {
  nothing: "nothing on the running host",
  reload: "a reload in place; the gateway keeps running",
  "service-restart": "a helper service restarts; the gateway keeps running",
  "gateway-restart": "the gateway restarts (agent runs drain first, up to 330 s)",
  "runtime-upgrade": "a new OpenClaw/Node runtime beside the old one, a state snapshot first, rollback on a failed health check",
  "host-restart": "the instance stops and starts (same disks)",
  "new-host": "a new instance replaces the host",
  "state-replaced": "the state volume itself is replaced",
};

export interface Effect {
  effect: ChangeEffect;
  /** What runs on the host (or in AWS) for it. */
  action: string;
}

export function strongest(effects: readonly ChangeEffect[]): ChangeEffect {
  return effects.reduce<ChangeEffect>((a, b) => (EFFECTS.indexOf(b) > EFFECTS.indexOf(a) ? b : a), "nothing");
}

const SYSTEMD = "/etc/systemd/system/";
const restartGateway = `systemctl daemon-reload; systemctl restart ${GATEWAY_UNIT}`;

/** Host files by path: the first rule that matches decides. A file no rule knows is unclassified (see hostFileEffect). */
const HOST_FILE_RULES: ReadonlyArray<{ match: (path: string) => boolean; effect: ChangeEffect; action: string }> = [
  { match: (p) => p === PATHS.configFile || p === PATHS.execApprovalsFile, effect: "gateway-restart", action: `systemctl restart ${GATEWAY_UNIT} (it validates and applies the config and approvals at start)` },
  { match: (p) => p === "/etc/squid/clawkeep-egress.conf", effect: "reload", action: "squid -k parse; systemctl reload squid" },
  { match: (p) => p === `${SYSTEMD}${GATEWAY_UNIT}` || p.startsWith(`${SYSTEMD}${GATEWAY_UNIT}.d/`), effect: "gateway-restart", action: restartGateway },
  { match: (p) => /^\/etc\/systemd\/system\/clawkeep-(token|egress|egress-tls|ingress)\.(service|socket)$/.test(p), effect: "gateway-restart", action: `${restartGateway} (its token, egress and ingress units go with it)` },
  { match: (p) => p.startsWith(`${SYSTEMD}squid.service.d/`), effect: "service-restart", action: "systemctl daemon-reload; systemctl restart squid (in-flight egress drops)" },
  { match: (p) => p === `${SYSTEMD}clawkeep-tailscale.service` || p === "/etc/clawkeep/tailscale.env", effect: "service-restart", action: "systemctl daemon-reload; systemctl restart clawkeep-tailscale (the join re-applies its flags)" },
  { match: (p) => p === "/etc/clawkeep/imds.nft" || p === `${SYSTEMD}clawkeep-imds-guard.service` || p.startsWith(`${SYSTEMD}nftables.service.d/`), effect: "service-restart", action: "systemctl daemon-reload; systemctl restart clawkeep-imds-guard (the metadata guard's rules reload)" },
  { match: (p) => p.startsWith(`${SYSTEMD}amazon-ssm-agent.service.d/`), effect: "service-restart", action: "systemctl daemon-reload; systemctl restart amazon-ssm-agent (open sessions end)" },
  { match: (p) => /^\/etc\/systemd\/system\/clawkeep-(token-pickup|gateway-health)\.(service|timer)$/.test(p), effect: "service-restart", action: "systemctl daemon-reload; systemctl restart the timer" },
  { match: (p) => p.startsWith("/etc/systemd/journald.conf.d/"), effect: "service-restart", action: "systemctl restart systemd-journald" },
  { match: (p) => p.startsWith("/etc/audit/rules.d/"), effect: "reload", action: "augenrules --load" },
  { match: (p) => p.startsWith("/opt/aws/amazon-cloudwatch-agent/etc/"), effect: "service-restart", action: "amazon-cloudwatch-agent-ctl -a fetch-config -s (the agent restarts with the new config)" },
  { match: (p) => p.startsWith("/etc/tmpfiles.d/"), effect: "reload", action: "systemd-tmpfiles --create" },
  { match: (p) => p.startsWith(`${PATHS.agentConfigDir}/`) || p === `${SYSTEMD}${AGENT_NODE_UNIT}`, effect: "service-restart", action: `systemctl daemon-reload; systemctl restart ${AGENT_NODE_UNIT} (a running command ends; the node re-reads its approvals)` },
  { match: (p) => p === `${SYSTEMD}${AGENT_PAIR_UNIT}`, effect: "nothing", action: "systemctl daemon-reload (the pairing runs as the new unit at the next boot)" },
  { match: (p) => /^\/etc\/systemd\/system\/clawkeep-(workspace-share|gateway-journal)\.service$/.test(p), effect: "service-restart", action: "systemctl daemon-reload; systemctl restart the unit" },
  { match: (p) => p === "/usr/local/lib/clawkeep/workspace-share.mjs", effect: "service-restart", action: "systemctl restart clawkeep-workspace-share (it runs the new script)" },
  { match: (p) => p === "/usr/local/lib/clawkeep/secrets-gate.mjs", effect: "nothing", action: "installed; the gateway's next start runs it" },
  { match: (p) => p.startsWith("/usr/local/libexec/clawkeep-agent/") || p.startsWith("/etc/logrotate.d/"), effect: "nothing", action: "installed; read at its next run" },
  { match: (p) => p.startsWith(`${PATHS.libexecDir}/`) || p.startsWith("/usr/local/share/clawkeep/") || p.startsWith("/etc/apt/apt.conf.d/"), effect: "nothing", action: "installed; read at its next run" },
];

/** host.env keys: the runtime pins upgrade the runtime; the agents' pins reinstall an agent; the rest reach the gateway at its restart. */
export function hostEnvKeyEffect(key: string): Effect {
  if (/^CLAWKEEP_(OPENCLAW|NODE|NPM)_(VERSION|INTEGRITY|TARBALL)$/.test(key)) return { effect: "runtime-upgrade", action: "install the pinned runtime beside the running one, snapshot the state, switch, health-check, roll back on failure" };
  if (/^CLAWKEEP_(SSM_AGENT|CWAGENT)_/.test(key)) return { effect: "service-restart", action: `re-run ${key.startsWith("CLAWKEEP_SSM") ? "install-ssm-agent" : "install-cloudwatch-agent"} (the agent restarts on the pinned version)` };
  if (key === "CLAWKEEP_NPM_REGISTRY") return { effect: "nothing", action: "read by the next runtime install" };
  return { effect: "gateway-restart", action: `${restartGateway} (clawkeep-token.service reads host.env again)` };
}

/** The keys of a KEY=value file whose value differs (added and removed keys too). */
export function changedEnvKeys(before: string, after: string): string[] {
  const parse = (text: string) => new Map(text.split("\n").filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const));
  const [a, b] = [parse(before), parse(after)];
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

/**
 * The effect of a change to one host file (added, removed or changed). host.env is judged key by key.
 * A path no rule knows gets "new-host", the one answer that is safe without knowing what reads it, and
 * says so: classify it here when you add a host file.
 */
export function hostFileEffect(path: string, before?: string, after?: string): Effect {
  if (path === PATHS.envFile && before !== undefined && after !== undefined) {
    const effects = changedEnvKeys(before, after).map((k) => ({ key: k, ...hostEnvKeyEffect(k) }));
    const top = strongest(effects.map((e) => e.effect));
    const reasons = effects.filter((e) => e.effect === top).map((e) => e.key);
    return { effect: top, action: effects.length === 0 ? "comments only" : `${effects.find((e) => e.effect === top)?.action} (${reasons.join(", ")})` };
  }
  if (path === PATHS.envFile) return { effect: "gateway-restart", action: restartGateway };
  const rule = HOST_FILE_RULES.find((r) => r.match(path));
  return rule ? { effect: rule.effect, action: rule.action } : { effect: "new-host", action: "unclassified host file: components/base/changeEffects.ts does not know it, so only a new host is sure to apply it" };
}

/** True when a rule of the table knows the path (the kit's own host files must all be known). */
export function isClassifiedHostFile(path: string): boolean {
  return path === PATHS.envFile || HOST_FILE_RULES.some((r) => r.match(path));
}

const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";

/** Instance inputs the provider changes in place without touching the OS (AWS API calls only). */
const INSTANCE_IN_PLACE = new Set(["tags", "tagsAll", "vpcSecurityGroupIds", "iamInstanceProfile", "metadataOptions", "monitoring", "disableApiTermination", "disableApiStop", "sourceDestCheck", "volumeTags", "creditSpecification"]);

/**
 * The effect of one changed input of one resource. `inputs` are the new inputs (userDataReplaceOnChange
 * decides whether new user data means a new host). Resources that are not the host, its state volume
 * or the attachment between them change nothing on the host.
 */
export function resourceChangeEffect(type: string, property: string, inputs: Record<string, unknown> = {}): Effect {
  if (type === INSTANCE) {
    if (property === "userData" || property === "userDataBase64") {
      return inputs.userDataReplaceOnChange === true
        ? { effect: "new-host", action: "new user data: userDataReplaceOnChange replaces the instance" }
        : { effect: "host-restart", action: "new user data: the provider stops the instance, sets it and starts it (cloud-init does not run again)" };
    }
    if (property === "instanceType") return { effect: "host-restart", action: "the provider stops the instance, changes its type and starts it" };
    if (property === "rootBlockDevice") return { effect: "new-host", action: "a root volume change (key, type or encryption) replaces the instance; a size change alone is made online" };
    if (INSTANCE_IN_PLACE.has(property)) return { effect: "nothing", action: `${property} is changed in place through the EC2 API` };
    return { effect: "new-host", action: `${property} (image, subnet, zone, addressing, ...) replaces the instance` };
  }
  if (type === VOLUME) {
    if (property === "snapshotId") return { effect: "state-replaced", action: "the state volume is rebuilt from the recovery point (npm run restore); the host moves to it" };
    if (["size", "iops", "throughput", "type"].includes(property)) return { effect: "nothing", action: `${property} is changed online (ModifyVolume); a larger file system needs a resize on the host` };
    if (["tags", "tagsAll", "finalSnapshot"].includes(property)) return { effect: "nothing", action: `${property} is changed in place` };
    return { effect: "state-replaced", action: `${property} replaces the state volume: a new, blank volume unless snapshotId names a recovery point` };
  }
  if (type === ATTACHMENT) return { effect: "new-host", action: "the state volume moves: the old host stops, the volume detaches and attaches to the new one" };
  return { effect: "nothing", action: "outside the host (AWS, the tailnet or the deploy machine); nothing on it" };
}

/** A resource that appears or goes: the host, its state volume or their attachment matter; the rest is AWS only. */
export function resourceLifecycleEffect(type: string, change: "created" | "deleted"): Effect {
  if (type === INSTANCE) return { effect: "new-host", action: change === "created" ? "a new instance" : "the instance is terminated" };
  if (type === VOLUME) return { effect: "state-replaced", action: change === "created" ? "a new state volume" : "the state volume leaves the stack (retained if retainOnDelete)" };
  if (type === ATTACHMENT) return { effect: "new-host", action: change === "created" ? "the state volume is attached" : "the state volume is detached" };
  return { effect: "nothing", action: `${change} outside the host; nothing on it` };
}
