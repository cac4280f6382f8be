// VM check rows for issue 17, points 2, 4 and 6: the agent's commands under their own identity and
// sandbox (or, below level 2, no agent side at all), the gateway's audit trail shipped from where the
// agent cannot write, and OpenClaw's own hardening as the booted host applied it. Bash run as root in
// the VM; each prints key=value lines and exits 0 only when it holds.
import { AGENT_NODE_UNIT, AGENT_PAIR_UNIT, AGENT_USER, CREDENTIALS_DIR, GATEWAY_UNIT, PATHS, SERVICE_USER, TOKEN_CREDENTIAL } from "../../components/base/layout";
import { AUDIT_KEYS } from "../../components/audit/names";
import { CWAGENT_CONFIG_PATH, GATEWAY_AUDIT_LOG, GATEWAY_AUDIT_LOG_DIR, GATEWAY_JOURNAL_UNIT } from "../../components/host/cloudwatchAgent";
import { IMDS_ADDR } from "./addresses";
import type { Check, Verdict } from "./checks";
import type { StackModel } from "../../stacks/schema";
import { MEMORY_PLUGIN, allowedPlugins, execOnNode } from "../../components/gateway/openclawConfig";

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** What the agent's side of the rendered host looks like, for the checks below. */
export interface AgentExpectation {
  /** The level runs commands: a node host as AGENT_USER must be there. */
  commands: boolean;
  /** plugins.allow of the rendered config, in order. */
  plugins: string[];
  /** One egress domain the proxy allows (for proxy validate's allowed URL). */
  allowedDomain: string;
}

export function agentExpectation(model: StackModel): AgentExpectation {
  return { commands: execOnNode(model.capabilities), plugins: allowedPlugins(model), allowedDomain: model.egressDomains[0] };
}

const PRELUDE = `set -u
export SYSTEMD_COLORS=0 SYSTEMD_PAGER='' LC_ALL=C.UTF-8
`;

const describe = (f: Record<string, string>, keys: string[]): string => keys.filter((k) => k in f).map((k) => `${k}=${f[k]}`).join("; ");

export function agentChecks(expect: AgentExpectation): Check[] {
  return [
    {
      title: expect.commands ? `agent commands run as ${AGENT_USER} on the node host, with none of the gateway's secrets` : "no agent side below level 2: no node host, no agent user, the gateway runs no command",
      script: () =>
        expect.commands
          ? `${PRELUDE}
token_file=${PATHS.tokenFile}
credential=${CREDENTIALS_DIR}/${TOKEN_CREDENTIAL}
pid=$(systemctl show -p MainPID --value ${AGENT_NODE_UNIT})
gw=$(systemctl show -p MainPID --value ${GATEWAY_UNIT})
echo "node_active=$(systemctl is-active ${AGENT_NODE_UNIT})"
echo "paired=$(systemctl is-active ${AGENT_PAIR_UNIT})"
echo "node_user=$(ps -o user= -p "$pid" 2>/dev/null)"
echo "connected=$(journalctl -u ${AGENT_NODE_UNIT} -b --no-pager -o cat | grep -c 'node host gateway connected')"
echo "same_netns_as_gateway=$([[ $(readlink /proc/$pid/ns/net) == "$(readlink /proc/$gw/ns/net)" ]] && echo yes || echo no)"
echo "sees_credential=$([[ -e /proc/$pid/root$credential ]] && echo YES || echo no)"
echo "sees_state=$(ls /proc/$pid/root${PATHS.stateDir} 2>/dev/null | wc -l)"
echo "sees_audit_log=$([[ -e /proc/$pid/root${GATEWAY_AUDIT_LOG} ]] && echo YES || echo no)"
if grep -qsaF -f "$token_file" /proc/$pid/environ /proc/$pid/cmdline; then echo "token_in_node=YES"; else echo "token_in_node=no"; fi
if grep -rqsaF -f "$token_file" ${PATHS.agentStateDir}; then echo "token_in_node_state=YES"; else echo "token_in_node_state=no"; fi
if out=$(nsenter -t "$pid" -n curl -s -m 10 http://${IMDS_ADDR}/latest/meta-data/instance-id 2>&1); then echo "imds=REACHED ($out)"; else echo "imds=refused"; fi
# Why pairing did not finish, when it did not: the last lines of the pair unit and of the node, one line each, with no
# line that holds the gateway's token or a long base64url run (a setup code).
if [[ $(systemctl is-active ${AGENT_PAIR_UNIT}) != active ]]; then
  tail_of() { journalctl -u "$1" -b --no-pager -o cat | grep -vF -f "$token_file" | grep -vE '[A-Za-z0-9_-]{40,}' | grep -E "$2" | tail -n 6 | tr '\n' '|'; }
  echo "pair_log=$(tail_of ${AGENT_PAIR_UNIT} .)"
  echo "node_log=$(tail_of ${AGENT_NODE_UNIT} 'connect|closed|paired|exited|Failed')"
fi
[[ $(systemctl is-active ${AGENT_NODE_UNIT}) == active && $(ps -o user= -p "$pid") == ${AGENT_USER} && $(systemctl is-active ${AGENT_PAIR_UNIT}) == active ]]`
          : `${PRELUDE}
echo "agent_user=$(getent passwd ${AGENT_USER} >/dev/null && echo PRESENT || echo absent)"
echo "node_unit=$([[ -e /etc/systemd/system/${AGENT_NODE_UNIT} ]] && echo PRESENT || echo absent)"
echo "gateway_noexec=$(systemctl show -p NoExecPaths --value ${GATEWAY_UNIT})"
[[ ! -e /etc/systemd/system/${AGENT_NODE_UNIT} ]] && ! getent passwd ${AGENT_USER} >/dev/null`,
      judge: (f, rc): Verdict =>
        expect.commands
          ? {
              pass:
                rc === 0 &&
                f.same_netns_as_gateway === "yes" &&
                Number(f.connected) > 0 &&
                f.sees_credential === "no" &&
                f.sees_state === "0" &&
                f.sees_audit_log === "no" &&
                f.token_in_node === "no" &&
                f.token_in_node_state === "no" &&
                f.imds === "refused",
              detail: describe(f, ["node_active", "paired", "node_user", "connected", "same_netns_as_gateway", "sees_credential", "sees_state", "sees_audit_log", "token_in_node", "token_in_node_state", "imds", "pair_log", "node_log"]),
            }
          : { pass: rc === 0 && f.gateway_noexec === "/", detail: describe(f, ["agent_user", "node_unit", "gateway_noexec"]) },
    },
    {
      title: "audit trail: the gateway's journal lines, shipped from a root-only file; a forged line stays out",
      script: () => `${PRELUDE}
log=${GATEWAY_AUDIT_LOG}
echo "shipper=$(systemctl is-active ${GATEWAY_JOURNAL_UNIT})"
echo "dir=$(stat -c '%U:%G %a' ${GATEWAY_AUDIT_LOG_DIR} 2>&1)"
echo "shipped_by_cwagent=$(grep -c '"file_path": "${GATEWAY_AUDIT_LOG}"' ${CWAGENT_CONFIG_PATH})"
echo "gateway_lines=$(grep -c '"message"' "$log" 2>/dev/null || echo 0)"
marker=clawkeep-vmcheck-forged-$RANDOM$RANDOM
setpriv --reuid=nobody --regid=nogroup --clear-groups logger -t openclaw "{\\"message\\":\\"unauthorized conn=$marker\\"}"
if setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c "echo $marker >> $log" 2>/dev/null; then echo "append_as_nobody=WROTE"; else echo "append_as_nobody=refused"; fi
sleep 3
echo "forged_in_journal=$(journalctl -b --no-pager -o cat -g "$marker" | wc -l)"
echo "forged_shipped=$(grep -c "$marker" "$log")"
[[ $(systemctl is-active ${GATEWAY_JOURNAL_UNIT}) == active && $(stat -c '%U %a' ${GATEWAY_AUDIT_LOG_DIR}) == 'root 750' ]]`,
      judge: (f, rc): Verdict => ({
        pass: rc === 0 && f.shipped_by_cwagent === "1" && Number(f.gateway_lines) > 0 && f.append_as_nobody === "refused" && Number(f.forged_in_journal) > 0 && f.forged_shipped === "0",
        detail: describe(f, ["shipper", "dir", "shipped_by_cwagent", "gateway_lines", "append_as_nobody", "forged_in_journal", "forged_shipped"]),
      }),
    },
    {
      title: "auditd: the alarms' keys (gateway files opened by others, the agent's executions) loaded and locked",
      script: () => `${PRELUDE}
rules=$(auditctl -l 2>&1)
echo "credential_rules=$(grep -c 'key=${AUDIT_KEYS.credentialReadByOther}' <<<"$rules")"
echo "agent_exec_rules=$(grep -c 'key=${AUDIT_KEYS.agentExec}' <<<"$rules")"
echo "immutable=$(auditctl -s | sed -n 's/^enabled //p')"
echo "state_dir=$(stat -c '%U:%G/%a' ${PATHS.stateDir})"
setpriv --reuid=nobody --regid=nogroup --clear-groups ls ${PATHS.stateDir} >/dev/null 2>&1
echo "nobody_ls_exit=$?"
# Where the record went, if anywhere: auditd's log (auditd running), or the journal (no auditd: kauditd hands it to journald).
status=$(auditctl -s)
echo "auditd=$(systemctl is-active auditd.service)/pid:$(sed -n 's/^pid //p' <<<"$status")/lost:$(sed -n 's/^lost //p' <<<"$status")/backlog_limit:$(sed -n 's/^backlog_limit //p' <<<"$status")"
recorded=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
  # --input-logs and no stdin: with stdin not a terminal, ausearch searches stdin instead of the log (reported 0 before).
  recorded=$(ausearch --input-logs -k ${AUDIT_KEYS.credentialReadByOther} </dev/null 2>/dev/null | grep -c 'type=SYSCALL')
  ((recorded > 0)) && break
  sleep 2
done
echo "recorded=$recorded"
echo "in_journal=$(journalctl -b --no-pager _TRANSPORT=audit 2>/dev/null | grep -c 'key="${AUDIT_KEYS.credentialReadByOther}"')"
echo "audit_log=$(stat -c '%U:%G/%a/%s' /var/log/audit/audit.log 2>&1 | tr ' ' _)"
[[ $(grep -c 'key=${AUDIT_KEYS.credentialReadByOther}' <<<"$rules") -ge 1 ]]`,
      judge: (f, rc): Verdict => ({
        // recorded: the refused open by nobody is in audit.log, the file the CloudWatch agent ships to the alarm's filter.
        pass:
          rc === 0 &&
          Number(f.credential_rules) >= 1 &&
          (expect.commands ? Number(f.agent_exec_rules) >= 1 : f.agent_exec_rules === "0") &&
          f.immutable === "2" &&
          Number(f.recorded) >= 1,
        detail: describe(f, ["credential_rules", "agent_exec_rules", "immutable", "state_dir", "nobody_ls_exit", "auditd", "recorded", "in_journal", "audit_log"]),
      }),
    },
    {
      title: "OpenClaw hardening applied: secrets gate passed, only the level's plugins loaded, proxy validate blocks its canary",
      script: () => `${PRELUDE}
gw=$(systemctl show -p MainPID --value ${GATEWAY_UNIT})
j=$(journalctl -u ${GATEWAY_UNIT} -b --no-pager -o cat)
echo "secrets_gate=$(grep -o 'secrets-gate: [a-z]*' <<<"$j" | tail -1)"
echo "plugins=$(grep -o 'http server listening ([0-9]* plugins: [^;)]*' <<<"$j" | tail -1 | sed 's/.*plugins: //')"
echo "trusted_proxies=$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["gateway"]["trustedProxies"]))' ${PATHS.configFile})"
out=$(nsenter -t "$gw" -n setpriv --reuid=${SERVICE_USER} --regid=${SERVICE_USER} --clear-groups env -i PATH=/usr/bin:/bin HOME=/tmp OPENCLAW_STATE_DIR=/tmp/clawkeep-vmcheck-state NO_COLOR=1 \\
  ${PATHS.nodeBin} ${PATHS.openclawEntry} proxy validate --json --proxy-url http://127.0.0.1:3128 --allowed-url https://${expect.allowedDomain}/ 2>/dev/null)
pv=$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(" ".join(c["kind"] + ":" + ("ok" if c["ok"] else "fail") for c in d.get("checks", [])))' <<<"$out" 2>/dev/null)
echo "proxy_validate=\${pv:-no-json}"
[[ $(grep -o 'secrets-gate: [a-z]*' <<<"$j" | tail -1) == 'secrets-gate: clean' || $(grep -o 'secrets-gate: [a-z]*' <<<"$j" | tail -1) == 'secrets-gate: unresolved' ]]`,
      judge: (f, rc): Verdict => ({
        // OpenClaw 2026.9.6 auto-enables its memory slot (memory-core) whatever plugins.allow says (seen on the level-0 VM);
        // its tools stay denied by the level's tool policy (gateway-trust: memory_get denied at level 0). Nothing else may load.
        pass: rc === 0 && sameSet((f.plugins ?? "").split(", "), [...new Set([...expect.plugins, MEMORY_PLUGIN])]) && f.trusted_proxies === "127.0.0.1" && /denied:ok/.test(f.proxy_validate ?? ""),
        detail: describe(f, ["secrets_gate", "plugins", "trusted_proxies", "proxy_validate"]),
      }),
    },
  ];
}
