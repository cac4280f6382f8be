// Protects: the human in the loop for the agent's commands. OpenClaw keeps the exec allowlist, what runs
// unasked, outside openclaw.json: in its exec approvals (an exec-approvals.json document, `openclaw approvals
// set --file`, `openclaw approvals allowlist add`, `openclaw exec-policy set|preset`). An entry for a shell,
// an interpreter, a tool that runs other programs without pinned arguments, a glob or a bare name lets
// the agent run anything; security "full", a fallback other than deny and auto-allowed skills take the human out.
// Entries are judged by the kit's own allowlist predicates (stacks/execAllowlist.ts), the ones the stack schema uses.
// Checklist: "Strict allowlists for tools"; "Destructive actions require confirmation"; mistake 2, overly permissive tool access.
// Fix: full paths under /usr/bin, /bin, ... with an anchored argPattern where the tool can run programs;
// security "allowlist", ask "on-miss", askFallback "deny", autoAllowSkills false.
import { approvalsProblems } from "../lib/execApprovals";
import { OPENCLAW_TYPES, openclawSetup, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";
import { CannotJudge } from "../lib/unknown";

export const openclawExecApprovals: ResourceRule = {
  kind: "resource",
  name: "openclaw-exec-approvals",
  description:
    'OpenClaw exec approvals (exec-approvals.json or a file of its shape, `openclaw approvals set|allowlist add`, `openclaw exec-policy set|preset`) allow no shell, interpreter, dispatcher or build runner, no tool that runs programs without an anchored argPattern that refuses its escapes, no glob and no bare name; and never security "full", an askFallback other than "deny" or autoAllowSkills.',
  protects: "the agent's commands: what runs with no human asked",
  checklistItems: ["strict-allowlists", "destructive-actions-confirmed", "no-permissive-tools"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    'List each binary by its full path under /usr/bin, /usr/sbin, /bin, /sbin or /usr/local/bin, pin tools that can run programs with an anchored argPattern (or use the kit\'s presets: git wrapper, jq path filter), never shells, interpreters, make or env; set security "allowlist", ask "on-miss", askFallback "deny", autoAllowSkills false; deliver the approvals file with the resource.',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(type, props) {
    const sources = openclawSetup(type, props).approvals;
    const blind = sources.flatMap((s) => (s.blind ? [`exec approvals at ${s.where}: ${s.blind}`] : []));
    if (blind.length > 0) throw new CannotJudge(blind.join("; "));
    return sources.flatMap(approvalsProblems);
  },
};
