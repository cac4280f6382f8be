// OpenClaw's exec approvals, wherever a resource sets them: an approvals document (exec-approvals.json,
// or any JSON5 file of its shape, or the file `openclaw approvals set --file` reads), `openclaw approvals
// allowlist add`, and `openclaw exec-policy set|preset`. The allowlist there decides what the agent runs with
// no human asked, so its entries are judged by the kit's own predicates (stacks/execAllowlist.ts), with the
// matching rules of OpenClaw 2026.9.6 (dist/exec-command-resolution-*.mjs): patterns are globs, a bare "*"
// matches every program, a pattern without a slash matches any binary of that name on the agent's PATH.
import JSON5 from "json5";
import { execAllowlistProblems, neverAllowlisted, type ExecAllowlistEntry } from "../../stacks/execAllowlist";
import { asArray, isRecord } from "./values";

/** One place a resource sets exec approvals: the policies and allowlist entries it sets, or why it cannot be read. */
export interface ApprovalsSource {
  where: string;
  policies: Array<{ scope: string; policy: Record<string, unknown> }>;
  /** Each allowlist it sets (per agent), in its own order: a path-only entry voids a pinned one beside it. */
  lists: Array<{ scope: string; entries: unknown[] }>;
  /** Set when the source cannot be judged (fail closed: the rule says so and refuses). */
  blind?: string;
  /** Allowlisted paths the same resource delivers as shell scripts, with the programs each runs ("$1" when it runs an argument). */
  scripts?: Record<string, string[]>;
}

const FILE_NAME = /(?:^|\/)exec-approvals[^/]*\.json5?$/;
const POLICY_KEYS = ["security", "ask", "askFallback", "autoAllowSkills"];

export function isApprovalsFileName(p: string): boolean {
  return FILE_NAME.test(p);
}

/** A source this plan cannot read (the rule says "cannot judge" and refuses). */
export const blindAt = (where: string, blind: string): ApprovalsSource => ({ where, policies: [], lists: [], blind });

/** An allowlist entry's pattern, trimmed (OpenClaw takes a bare string as {pattern}); undefined when it is none. */
export function entryPattern(entry: unknown): string | undefined {
  const pattern = typeof entry === "string" ? entry : isRecord(entry) ? entry.pattern : undefined;
  return typeof pattern === "string" && pattern.trim() !== "" ? pattern.trim() : undefined;
}

/** Does a parsed JSON5 object look like an approvals document (version 1, defaults or agents holding policy keys or an allowlist)? */
export function isApprovalsShaped(doc: Record<string, unknown>): boolean {
  if (doc.version !== 1) return false;
  const hasPolicy = (v: unknown) => isRecord(v) && (POLICY_KEYS.some((k) => k in v) || "allowlist" in v);
  return hasPolicy(doc.defaults) || (isRecord(doc.agents) && Object.values(doc.agents).some(hasPolicy));
}

/** The policies and entries of an approvals document's text; blind when it does not parse. */
export function approvalsFromText(where: string, text: string): ApprovalsSource {
  let doc: unknown;
  try {
    doc = JSON5.parse(text);
  } catch (e) {
    return blindAt(where, `not valid JSON5 (${(e as Error).message})`);
  }
  if (!isRecord(doc)) return blindAt(where, "not a JSON5 object");
  const policies: ApprovalsSource["policies"] = [];
  const lists: ApprovalsSource["lists"] = [];
  if (isRecord(doc.defaults)) policies.push({ scope: "defaults", policy: doc.defaults });
  if (isRecord(doc.agents)) {
    for (const [id, agent] of Object.entries(doc.agents)) {
      if (!isRecord(agent)) continue;
      policies.push({ scope: `agents.${id}`, policy: agent });
      if (agent.allowlist !== undefined) lists.push({ scope: `agents.${id}.allowlist`, entries: asArray(agent.allowlist) });
    }
  }
  return { where, policies, lists };
}

/** OpenClaw 2026.9.6's exec-policy presets (dist/exec-policy-cli-*.mjs); execApprovals.integration.test.ts holds them to the dist. */
export const PRESETS: Record<string, Record<string, unknown>> = {
  yolo: { host: "gateway", security: "full", ask: "off", askFallback: "full" },
  cautious: { host: "gateway", security: "allowlist", ask: "on-miss", askFallback: "deny" },
  "deny-all": { host: "gateway", security: "deny", ask: "off", askFallback: "deny" },
};

/**
 * The exec host an `openclaw exec-policy preset|set` run writes into the OpenClaw config (tools.exec.host), besides the
 * approvals: every preset says "gateway". Undefined: the run sets no host.
 */
export function execPolicyHost(args: string[], flags: Record<string, string | true>): string | undefined {
  const [first, action, operand] = args;
  if (first !== "exec-policy") return undefined;
  if (action === "preset" && operand !== undefined && Object.hasOwn(PRESETS, operand)) return String(PRESETS[operand].host);
  return action === "set" && typeof flags.host === "string" ? flags.host : undefined;
}

/**
 * What one `openclaw approvals ...` or `openclaw exec-policy ...` command sets; undefined for the ones that
 * only read or take away. `readFile` returns a delivered file's text (undefined: not delivered or unreadable).
 */
export function approvalsFromCommand(where: string, args: string[], flags: Record<string, string | true>, readFile: (p: string) => string | undefined): ApprovalsSource | undefined {
  const [first, action, operand] = args;
  // `exec-approvals` is the approvals command's alias (dist/exec-approvals-cli-*.mjs).
  const sub = first === "exec-approvals" ? "approvals" : first;
  const scope = typeof flags.agent === "string" ? `agents.${flags.agent}` : "the default agent";
  if (sub === "approvals" && action === "set") {
    if (flags.stdin !== undefined) return blindAt(where, "the approvals come from standard input, which this plan does not see");
    if (typeof flags.file !== "string") return blindAt(where, "no --file to read the approvals from");
    const text = readFile(flags.file);
    if (text === undefined) return blindAt(where, `${flags.file} is not a file this resource delivers`);
    return approvalsFromText(where, text);
  }
  if (sub === "approvals" && action === "allowlist" && operand === "add") {
    const pattern = args[3];
    return pattern === undefined ? blindAt(where, "no pattern given") : { where, policies: [], lists: [{ scope: `${scope}.allowlist`, entries: [{ pattern }] }] };
  }
  if (sub === "exec-policy" && action === "preset") {
    const preset = operand !== undefined && Object.hasOwn(PRESETS, operand) ? PRESETS[operand] : undefined;
    return preset ? { where, policies: [{ scope: `preset ${operand}`, policy: preset }], lists: [] } : blindAt(where, `preset ${operand ?? "(none)"} is not one OpenClaw 2026.9.6 defines`);
  }
  if (sub === "exec-policy" && action === "set") {
    const policy: Record<string, unknown> = {};
    for (const [flag, key] of [["security", "security"], ["ask", "ask"], ["ask-fallback", "askFallback"]] as const) if (flags[flag] !== undefined) policy[key] = flags[flag];
    return { where, policies: [{ scope: "exec-policy", policy }], lists: [] };
  }
  return undefined;
}

/** Recorded human approvals of one exact command (argv and working directory hashed): nothing wider runs. */
const EXACT_GRANT = /^sha256:cwd-argv:v1:[0-9a-f]{64}$/;

/** Why one source lets the agent run more than a human approved: the policy it sets and each allowlist entry. */
export function approvalsProblems(source: ApprovalsSource): string[] {
  const out: string[] = [];
  if (source.blind) return out;
  for (const { scope, policy: given } of source.policies) {
    const at = `${source.where}: ${scope}`;
    // OpenClaw trims and lower-cases these values before it reads them (normalizeExecSecurity, sanitizeExecApprovalPolicy).
    const policy = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, typeof v === "string" ? v.trim().toLowerCase() : v]));
    if (policy.security === "full") out.push(`${at}: security is "full": every command runs with no allowlist and no human asked; use "allowlist" (or "deny")`);
    if (policy.askFallback !== undefined && policy.askFallback !== "deny") out.push(`${at}: askFallback is ${JSON.stringify(policy.askFallback)}: when no human answers, the command is not denied; use "deny"`);
    if (policy.autoAllowSkills === true) out.push(`${at}: autoAllowSkills is true: the binaries skills bring run unasked; set it to false`);
  }
  for (const list of source.lists) {
    const shaped: Array<{ at: string; entry: ExecAllowlistEntry }> = [];
    list.entries.forEach((entry, i) => {
      const at = `${source.where}: ${list.scope}[${i}]`;
      const pattern = entryPattern(entry);
      if (pattern === undefined) {
        out.push(`${at}: ${JSON.stringify(entry)} is not an allowlist entry OpenClaw reads ({pattern, argPattern?})`);
        return;
      }
      const e = isRecord(entry) ? entry : {};
      // OpenClaw's own records of a human's "allow always" (one exact argv and directory), or inactive ones: not a grant to judge.
      if (e.source === "allow-always" || (typeof e.argPattern === "string" && EXACT_GRANT.test(e.argPattern))) return;
      if (/[*?[\]{}]/.test(pattern)) {
        out.push(`${at}: pattern ${JSON.stringify(pattern)} is a glob: it matches programs nobody reviewed${pattern === "*" ? " (a bare * matches every program)" : ""}; name one binary by its full path`);
        return;
      }
      shaped.push({ at, entry: typeof e.argPattern === "string" ? { path: pattern, argPattern: e.argPattern } : { path: pattern } });
      // A script shipped beside the approvals is judged by what it runs: its name says nothing.
      for (const program of source.scripts?.[pattern] ?? []) {
        const argument = /^\$/.test(program);
        const why = argument ? undefined : neverAllowlisted(program);
        const runs = argument ? 'the command it is given ($1, "$@"): a dispatcher' : why && `${program}, ${why}`;
        if (runs) out.push(`${at}: ${pattern} is a script this resource ships, and it runs ${runs}; allowlist the programs it should run instead`);
      }
    });
    for (const p of execAllowlistProblems(shaped.map((s) => s.entry))) {
      const [, index, field] = /^execAllowlist\.(\d+)\.(\w+)$/.exec(p.key) ?? [];
      // The kit's schema calls OpenClaw's pattern "path".
      out.push(`${shaped[Number(index)]?.at ?? `${source.where}: ${list.scope}`}: ${field === "path" ? "pattern" : (field ?? p.key)} ${p.given === undefined ? "(none)" : JSON.stringify(p.given)}: allowed is ${p.allowed}`);
    }
  }
  return out;
}
