// The gateway's boot gate on its secrets (issue 17, item 6): `openclaw secrets audit --check --json`
// before every start, judged on its JSON rather than its exit code. The audit exits 2 for any reference
// it cannot resolve, and a provider key not yet put is one (the kit starts that provider cold on
// purpose); a secret in clear text, a shadowed or leftover one, or a gateway token that does not
// resolve must stop the start.
import { ROOT_OWNER, type HostFile } from "../base/hostFile";

/** Readable by the gateway's user: its unit runs the gate with node (ExecStartPre=). */
export const SECRETS_GATE_SCRIPT = "/usr/local/lib/clawkeep/secrets-gate.mjs";

/** An unresolved reference that does not stop the start: a model provider's API key, put later. */
export const PROVIDER_KEY_PATH = /^models\.providers\.[a-z0-9-]+\.apiKey$/;

const GATE_TEXT = `// clawkeep: the gateway's secrets boot gate (ExecStartPre=). Runs \`openclaw secrets audit --check --json\`
// and exits 1 on a secret in clear text (or shadowed, left over, legacy) or an unresolved reference other
// than a model provider's API key; a provider key not yet put is reported and the gateway starts.
import { spawnSync } from "node:child_process";

const entry = process.argv[2];
if (!entry) {
  console.error("usage: secrets-gate.mjs OPENCLAW_ENTRY");
  process.exit(2);
}
const run = spawnSync(process.execPath, [entry, "secrets", "audit", "--check", "--json"], { encoding: "utf8", env: process.env, maxBuffer: 16 << 20 });
const start = (run.stdout ?? "").indexOf("{");
let report;
try {
  report = JSON.parse(run.stdout.slice(start));
} catch {
  console.error(\`secrets-gate: the audit printed no JSON (exit \${run.status}): \${(run.stderr ?? "").slice(-500)}\`);
  process.exit(1);
}
const PROVIDER_KEY_PATH = ${PROVIDER_KEY_PATH.toString()};
const problems = [];
const s = report.summary ?? {};
for (const [what, count] of [["in clear text", s.plaintextCount], ["shadowed", s.shadowedRefCount], ["left in the store", s.storeResidueCount], ["in a legacy location", s.legacyResidueCount]]) {
  if (typeof count !== "number") problems.push(\`the audit's summary has no count of secrets \${what}\`);
  else if (count > 0) problems.push(\`\${count} secret(s) \${what}\`);
}
const cold = [];
for (const f of report.findings ?? []) {
  if (f.code === "REF_UNRESOLVED" && PROVIDER_KEY_PATH.test(f.jsonPath ?? "")) cold.push(f.provider ?? f.jsonPath);
  else if (f.code === "REF_UNRESOLVED" || f.code === "PLAINTEXT_FOUND") problems.push(\`\${f.code} at \${f.jsonPath ?? "?"}\`);
}
if (cold.length > 0) console.log(\`secrets-gate: no API key yet for \${cold.join(", ")}: that provider starts cold\`);
if (problems.length > 0) {
  console.error(\`secrets-gate: refusing to start the gateway: \${[...new Set(problems)].join("; ")}\`);
  process.exit(1);
}
console.log(\`secrets-gate: \${report.status}; plaintext=\${s.plaintextCount} unresolved=\${s.unresolvedRefCount} (provider keys not yet put: \${cold.length})\`);
`;

export function renderSecretsGate(): string {
  return GATE_TEXT;
}

export function secretsGateFile(): HostFile {
  return { path: SECRETS_GATE_SCRIPT, content: renderSecretsGate(), mode: "0644", owner: ROOT_OWNER };
}
