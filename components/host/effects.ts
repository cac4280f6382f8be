// What a changed host file does to a running cell: the one home of that classification. packBundle
// tags every bundle entry with its actions; the host's apply-bundle runs exactly those (it holds no
// table of its own), and the offline plan can read the same tags or call hostFileActions().
import { GATEWAY_UNIT, PATHS, STATE_VOLUME_UNIT, TOKEN_UNIT } from "../base/layout";
import { SYSTEMD_UNIT_DIR } from "../base/hostFile";
import { EGRESS_SERVICE, EGRESS_SOCKET, INGRESS_SERVICE, INGRESS_SOCKET } from "../netsandbox/addresses";
import { SQUID_CONF_PATH } from "../netsandbox/egressProxy";
import { TAILSCALE_ENV, TAILSCALE_JOIN_UNIT } from "../tailscale/hostScripts";
import { CWAGENT_CONFIG_PATH, startCloudWatchAgentCommand } from "./cloudwatchAgent";
import { IMDS_GUARD_UNIT, IMDS_RULESET_PATH } from "./imdsGuard";
import { JOURNALD_DROPIN_PATH } from "./systemdUnits";

/** How far a change reaches on a running cell, weakest first (the plan adds "new host" from the instance's inputs). */
export const VERDICTS = ["nothing", "next-boot", "reload", "gateway-restart", "runtime-upgrade"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The script that installs a new pinned runtime beside the running one and switches to it (components/host/runtimeUpgrade.ts). */
export const UPGRADE_RUNTIME = `${PATHS.libexecDir}/upgrade-runtime`;

interface ActionSpec {
  verdict: Verdict;
  /** argv lists, run in order; none for an action that only says when the change takes effect. */
  commands: string[][];
  why: string;
}

/** Every action, in the order apply-bundle runs them (`restart:<unit>`, a kit unit restarted if it runs, after "tailscale"). */
export const APPLY_ACTIONS = {
  "daemon-reload": { verdict: "reload", commands: [["systemctl", "daemon-reload"]], why: "systemd re-reads the changed unit files" },
  tmpfiles: { verdict: "reload", commands: [["systemd-tmpfiles", "--create", PATHS.tmpfilesConf]], why: "the kit's directories get their modes and owners" },
  "imds-guard": { verdict: "reload", commands: [["systemctl", "restart", IMDS_GUARD_UNIT]], why: "the metadata table is replaced atomically" },
  journald: { verdict: "reload", commands: [["systemctl", "restart", "systemd-journald.service"]], why: "journald reads its caps only at start" },
  cwagent: { verdict: "reload", commands: [startCloudWatchAgentCommand()], why: "the CloudWatch agent takes its new config" },
  "squid-restart": { verdict: "reload", commands: [["systemctl", "restart", "squid.service"]], why: "squid's unit changed (in-flight egress drops; the gateway keeps running)" },
  "squid-reload": { verdict: "reload", commands: [["squid", "-k", "parse", "-f", SQUID_CONF_PATH], ["systemctl", "reload-or-restart", "squid.service"]], why: "squid checks and takes the new allowlist" },
  tailscale: { verdict: "reload", commands: [["systemctl", "try-restart", TAILSCALE_JOIN_UNIT]], why: "the join re-applies its flags (the node stays in the tailnet)" },
  "runtime-upgrade": { verdict: "runtime-upgrade", commands: [[UPGRADE_RUNTIME]], why: "the new pinned runtime installs beside the running one; state copied first; switch, health check, or back" },
  // try-restart: a gateway stopped on purpose (revocation) stays stopped.
  "gateway-restart": { verdict: "gateway-restart", commands: [["systemctl", "try-restart", TOKEN_UNIT, GATEWAY_UNIT]], why: "the gateway starts on the new files (its token is fetched again)" },
  "next-boot": { verdict: "next-boot", commands: [], why: "takes effect at the next boot (auditd's rules are locked, the state volume's unit runs only at boot)" },
} as const satisfies Record<string, ActionSpec>;
export type NamedAction = keyof typeof APPLY_ACTIONS;
/** A named action, or a kit unit restarted if it runs. */
export type ApplyAction = NamedAction | `restart:${string}`;

const UNIT_NAME = /^[a-z0-9][a-z0-9@_.-]*\.(service|socket|timer|path|target)$/;
/** Units the kit owns; any other unit's drop-in is only reloaded (restarting the SSM agent would end the apply itself). */
const isKitUnit = (unit: string): boolean => /^(clawkeep|openclaw)-/.test(unit);
const GATEWAY_SIDE = new Set<string>([GATEWAY_UNIT, TOKEN_UNIT]);
const BRIDGES = new Set<string>([EGRESS_SOCKET, EGRESS_SERVICE, INGRESS_SOCKET, INGRESS_SERVICE]);

/** The actions a change to (or removal of) the host file at `path` needs on a running cell, in no order. */
export function hostFileActions(path: string): ApplyAction[] {
  if (path === PATHS.runtimeEnvFile) return ["runtime-upgrade"];
  if (path === PATHS.envFile || path.startsWith("/etc/openclaw")) return ["gateway-restart"];
  if (path === PATHS.tmpfilesConf) return ["tmpfiles"];
  if (path === JOURNALD_DROPIN_PATH) return ["journald"];
  if (path === IMDS_RULESET_PATH) return ["imds-guard"];
  if (path === SQUID_CONF_PATH) return ["squid-reload"];
  if (path === TAILSCALE_ENV) return ["tailscale"];
  if (path === CWAGENT_CONFIG_PATH) return ["cwagent"];
  if (path.startsWith("/etc/audit/")) return ["next-boot"];
  if (path.startsWith(`${SYSTEMD_UNIT_DIR}/`)) {
    const rel = path.slice(SYSTEMD_UNIT_DIR.length + 1);
    const dropIn = /^([^/]+)\.d\/[^/]+\.conf$/.exec(rel);
    const unit = dropIn ? dropIn[1] : rel;
    if (!UNIT_NAME.test(unit)) return ["daemon-reload"];
    if (GATEWAY_SIDE.has(unit)) return ["daemon-reload", "gateway-restart"];
    if (BRIDGES.has(unit)) return ["daemon-reload", `restart:${unit}`, "gateway-restart"];
    if (unit === IMDS_GUARD_UNIT) return ["daemon-reload", "imds-guard"];
    if (unit === STATE_VOLUME_UNIT) return ["daemon-reload", "next-boot"];
    if (unit === TAILSCALE_JOIN_UNIT) return ["daemon-reload", "tailscale"];
    if (unit === "squid.service") return ["daemon-reload", "squid-restart"];
    return isKitUnit(unit) ? ["daemon-reload", `restart:${unit}`] : ["daemon-reload"];
  }
  // Scripts, keys, apt's periodic switches: read at their next run.
  return [];
}

/** How far a set of actions reaches: the strongest verdict among them. */
export function verdictOf(actions: Iterable<ApplyAction>): Verdict {
  let best = 0;
  for (const a of actions) {
    const v: Verdict = a.startsWith("restart:") ? "reload" : APPLY_ACTIONS[a as NamedAction].verdict;
    best = Math.max(best, VERDICTS.indexOf(v));
  }
  return VERDICTS[best];
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
