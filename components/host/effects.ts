// What a changed host file does to a running cell: the one home of that classification. packBundle
// tags every bundle entry with its actions; the host's apply-bundle runs exactly those (it holds no
// table of its own), and the offline plan's --against derives each file's effect from the same actions
// (hostFileEffect). The scale of effects is components/base/changeEffects.ts.
import { AGENT_NODE_UNIT, AGENT_PAIR_UNIT, GATEWAY_UNIT, JOURNALD_DROPIN_PATH, PATHS, STATE_VOLUME_UNIT, TOKEN_UNIT, WORKSPACE_SHARE_SCRIPT, WORKSPACE_SHARE_UNIT } from "../base/layout";
import { changedEnvKeys, strongest, type ChangeEffect, type Effect } from "../base/changeEffects";
import { SYSTEMD_UNIT_DIR } from "../base/hostFile";
import { EGRESS_SERVICE, EGRESS_SOCKET, INGRESS_SERVICE, INGRESS_SOCKET } from "../netsandbox/addresses";
import { SQUID_CONF_PATH } from "../netsandbox/egressProxy";
import { EGRESS_TLS_UNIT } from "../netsandbox/egressScripts";
import { TAILSCALE_ENV, TAILSCALE_JOIN_UNIT } from "../tailscale/hostScripts";
import { CWAGENT_CONFIG_PATH, startCloudWatchAgentCommand } from "./cloudwatchAgent";
import { IMDS_GUARD_UNIT, IMDS_RULESET_PATH } from "./imdsGuard";
import { SECRETS_GATE_SCRIPT } from "./secretsGate";

/** The script that installs a new pinned runtime beside the running one and switches to it (components/host/runtimeUpgrade.ts). */
export const UPGRADE_RUNTIME = `${PATHS.libexecDir}/upgrade-runtime`;

interface ActionSpec {
  effect: ChangeEffect;
  /** argv lists, run in order; none for an action that only says when the change takes effect. */
  commands: string[][];
  why: string;
}

/** Every action, in the order apply-bundle runs them (`restart:<unit>`, a kit unit restarted if it runs, after "tailscale"). */
export const APPLY_ACTIONS = {
  "daemon-reload": { effect: "reload", commands: [["systemctl", "daemon-reload"]], why: "systemd re-reads the changed unit files" },
  tmpfiles: { effect: "reload", commands: [["systemd-tmpfiles", "--create"]], why: "the kit's directories get their modes and owners" },
  "imds-guard": { effect: "service-restart", commands: [["systemctl", "restart", IMDS_GUARD_UNIT]], why: "the metadata table is replaced atomically" },
  journald: { effect: "service-restart", commands: [["systemctl", "restart", "systemd-journald.service"]], why: "journald reads its caps only at start" },
  cwagent: { effect: "service-restart", commands: [startCloudWatchAgentCommand()], why: "the CloudWatch agent restarts with its new config" },
  "squid-restart": { effect: "service-restart", commands: [["systemctl", "restart", "squid.service"]], why: "squid's unit changed (in-flight egress drops; the gateway keeps running)" },
  "squid-reload": { effect: "reload", commands: [["squid", "-k", "parse", "-f", SQUID_CONF_PATH], ["systemctl", "reload-or-restart", "squid.service"]], why: "squid checks and takes the new allowlist" },
  tailscale: { effect: "service-restart", commands: [["systemctl", "try-restart", TAILSCALE_JOIN_UNIT]], why: "the join re-applies its flags (the node stays in the tailnet)" },
  "runtime-upgrade": { effect: "runtime-upgrade", commands: [[UPGRADE_RUNTIME]], why: "the new pinned runtime installs beside the running one; state copied first; switch, health check, or back" },
  // try-restart: a gateway stopped on purpose (revocation) stays stopped.
  "gateway-restart": { effect: "gateway-restart", commands: [["systemctl", "try-restart", TOKEN_UNIT, GATEWAY_UNIT]], why: "the gateway starts on the new files (its token is fetched again)" },
  "next-boot": { effect: "next-boot", commands: [], why: "takes effect at the next boot (auditd's rules are locked, the state volume's and the pairing's units run only at boot, the SSM agent is not restarted under its own Run Command)" },
} as const satisfies Record<string, ActionSpec>;
export type NamedAction = keyof typeof APPLY_ACTIONS;
/** A named action, or a kit unit restarted if it runs. */
export type ApplyAction = NamedAction | `restart:${string}`;

const UNIT_NAME = /^[a-z0-9][a-z0-9@_.-]*\.(service|socket|timer|path|target)$/;
/** Units the kit owns; any other unit's drop-in is only reloaded (restarting the SSM agent would end the apply itself). */
const isKitUnit = (unit: string): boolean => /^(clawkeep|openclaw)-/.test(unit);
const GATEWAY_SIDE = new Set<string>([GATEWAY_UNIT, TOKEN_UNIT]);
const BRIDGES = new Set<string>([EGRESS_SOCKET, EGRESS_SERVICE, INGRESS_SOCKET, INGRESS_SERVICE]);
/** Installed files read only at their next run (scripts, keys, apt's switches, log rotation). */
const READ_AT_NEXT_RUN = [`${PATHS.libexecDir}/`, "/usr/local/libexec/clawkeep-agent/", "/usr/local/share/clawkeep/", "/etc/apt/apt.conf.d/", "/etc/logrotate.d/"];

/**
 * The actions a change to (or removal of) the host file at `path` needs on a running cell, in no order;
 * null for a path this table does not know (packBundle refuses it: classify it here when you add a host file).
 */
export function hostFileActions(path: string): ApplyAction[] | null {
  if (path === PATHS.runtimeEnvFile) return ["runtime-upgrade"];
  if (path === PATHS.envFile || path.startsWith("/etc/openclaw/")) return ["gateway-restart"];
  if (path.startsWith(`${PATHS.agentConfigDir}/`)) return [`restart:${AGENT_NODE_UNIT}`];
  if (path === WORKSPACE_SHARE_SCRIPT) return [`restart:${WORKSPACE_SHARE_UNIT}`];
  if (path.startsWith("/etc/tmpfiles.d/")) return ["tmpfiles"];
  if (path === JOURNALD_DROPIN_PATH) return ["journald"];
  if (path === IMDS_RULESET_PATH) return ["imds-guard"];
  if (path === SQUID_CONF_PATH) return ["squid-reload"];
  if (path === TAILSCALE_ENV) return ["tailscale"];
  if (path === CWAGENT_CONFIG_PATH) return ["cwagent"];
  // auditd's rules are locked until the next boot; instance.env comes with the user data, so with a new host.
  if (path.startsWith("/etc/audit/") || path === PATHS.instanceEnvFile) return ["next-boot"];
  // Read by the gateway's next start (an ExecStartPre): nothing now.
  if (path === SECRETS_GATE_SCRIPT) return [];
  if (path.startsWith(`${SYSTEMD_UNIT_DIR}/`)) {
    const rel = path.slice(SYSTEMD_UNIT_DIR.length + 1);
    const dropIn = /^([^/]+)\.d\/[^/]+\.conf$/.exec(rel);
    const unit = dropIn ? dropIn[1] : rel;
    if (!UNIT_NAME.test(unit)) return null;
    if (GATEWAY_SIDE.has(unit)) return ["daemon-reload", "gateway-restart"];
    if (BRIDGES.has(unit)) return ["daemon-reload", `restart:${unit}`, "gateway-restart"];
    if (unit === EGRESS_TLS_UNIT) return ["daemon-reload", `restart:${unit}`, "squid-restart"];
    if (unit === IMDS_GUARD_UNIT) return ["daemon-reload", "imds-guard"];
    if (unit === STATE_VOLUME_UNIT || unit === AGENT_PAIR_UNIT) return ["daemon-reload", "next-boot"];
    if (unit === TAILSCALE_JOIN_UNIT) return ["daemon-reload", "tailscale"];
    if (unit === "squid.service") return ["daemon-reload", "squid-restart"];
    return isKitUnit(unit) ? ["daemon-reload", `restart:${unit}`] : ["daemon-reload", "next-boot"];
  }
  if (READ_AT_NEXT_RUN.some((prefix) => path.startsWith(prefix))) return [];
  return null;
}

/** How far a set of actions reaches: the strongest effect among them ("nothing" for none). */
export function effectOf(actions: Iterable<ApplyAction>): ChangeEffect {
  return strongest([...actions].map((a) => (a.startsWith("restart:") ? "service-restart" : APPLY_ACTIONS[a as NamedAction].effect)));
}

/** The commands of one action, as the apply script runs them. */
export function actionCommands(action: ApplyAction): string[][] {
  if (action.startsWith("restart:")) {
    const unit = action.slice("restart:".length);
    if (!UNIT_NAME.test(unit) || !isKitUnit(unit)) throw new Error(`restart:${unit} names no kit unit`);
    return [["systemctl", "try-restart", unit]];
  }
  return APPLY_ACTIONS[action as NamedAction].commands.map((c) => [...c]);
}

/** True when the table knows the path (the kit's own host files must all be known). */
export function isClassifiedHostFile(path: string): boolean {
  return hostFileActions(path) !== null;
}

/**
 * The effect of a change to one host file (added, removed or changed), from the actions apply-bundle runs
 * for it. A path the table does not know gets "new-host", the one answer that is safe without knowing what
 * reads it. host.env names the keys that changed (nothing when only comments did).
 */
export function hostFileEffect(path: string, before?: string, after?: string): Effect {
  const actions = hostFileActions(path);
  if (actions === null) return { effect: "new-host", action: "unclassified host file: components/host/effects.ts does not know it, so only a new host is sure to apply it" };
  const keys = path === PATHS.envFile && before !== undefined && after !== undefined ? changedEnvKeys(before, after) : undefined;
  if (keys?.length === 0) return { effect: "nothing", action: "comments only" };
  const runs = actions.flatMap(actionCommands).map((c) => c.join(" "));
  const text = actions.length === 0 ? "installed; read at its next run" : runs.length === 0 ? APPLY_ACTIONS["next-boot"].why : runs.join("; ");
  return { effect: effectOf(actions), action: keys ? `${text} (${keys.join(", ")})` : text };
}
