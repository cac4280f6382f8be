// `npm run plan`: the offline plan. Exit 0 clean, 1 mandatory policy violation, 2 bad input.
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../stacks";
import { USAGE, UsageError, parseArgs, type PlanArgs } from "./args";
import { judge, type Judgement } from "../policy/judge";
import { ProgramLoadError, evaluateProgram } from "./evaluate";
import { planStack, tailnetSnippet, toRows, type StackPlan } from "./planStack";
import { table } from "./table";
import { hostFileBytes } from "../components/base/hostFile";

const err = (msg: string) => process.stderr.write(`${msg}\n`);

function progressPrinter(): (msg: string) => void {
  const start = Date.now();
  return (msg) => err(`[${((Date.now() - start) / 1000).toFixed(1)}s] ${msg}`);
}

export function planJson(plan: StackPlan): Record<string, unknown> {
  return {
    kind: "clawkeep-offline-plan",
    stack: plan.stack,
    region: plan.region,
    trustLevel: plan.trustLevel,
    capabilities: plan.model.capabilities.name,
    resources: plan.rows,
    hostFiles: plan.host.files.map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, bytes: hostFileBytes(f).length })),
    userDataBytes: plan.host.userDataBytes,
    hostBundle: { bucket: plan.host.bundle.bucket, key: plan.host.bundle.key, sha256: plan.host.bundle.sha256, bytes: plan.host.bundle.gz.length },
    cost: plan.cost,
    tailnetPolicySnippet: tailnetSnippet(plan.model) ?? null,
    violations: plan.judgement.violations,
    ruleErrors: plan.judgement.errors,
    checklist: plan.judgement.checklist,
  };
}

/** Exit 1 when a mandatory rule is violated or a rule could not run. */
export function verdict(j: Judgement): 0 | 1 {
  return j.errors.length > 0 || j.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

function policyReport(j: Judgement): string[] {
  const lines: string[] = [];
  const mandatory = j.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  lines.push(`Policy: ${j.violations.length} violation(s), ${mandatory} mandatory; ${j.applied.length} rules applied${j.errors.length ? `; ${j.errors.length} rule error(s)` : ""}`);
  if (j.violations.length > 0) {
    lines.push(table(["LEVEL", "RULE", "RESOURCE", "MESSAGE", "FIX"], j.violations.map((v) => [v.enforcementLevel, v.rule, v.name || "(stack)", v.message, v.remediation]), 60));
  }
  for (const e of j.errors) lines.push(`rule error: ${e.rule} on ${e.urn}: ${e.message}`);
  lines.push("", "Production checklist (the guides)");
  lines.push(table(["STATUS", "ITEM", "DECIDED BY"], j.checklist.map((c) => [c.status, c.item, c.rules.length ? c.rules.join(", ") : (c.note ?? "")]), 70));
  return lines;
}

/** Write the rendered host files under DIR/host/<absolute path>, the user data and plan.json. */
export function writeOut(plan: StackPlan, dir: string): string[] {
  const written: string[] = [];
  const put = (rel: string, content: string | Buffer) => {
    const target = path.join(dir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    written.push(target);
  };
  for (const f of plan.host.files) put(path.join("host", f.path), hostFileBytes(f));
  put("user-data.yaml", plan.host.userData);
  put(path.basename(plan.host.bundle.key), plan.host.bundle.gz);
  const snippet = tailnetSnippet(plan.model);
  if (snippet) put("tailnet-policy.hujson", snippet);
  put("plan.json", `${JSON.stringify(planJson(plan), null, 2)}\n`);
  return written;
}

function report(plan: StackPlan, outDir: string | undefined): string {
  const lines: string[] = [];
  lines.push(`clawkeep offline plan: stack ${plan.stack}, trust level ${plan.trustLevel} (${plan.model.capabilities.name}), region ${plan.region}`, "");
  lines.push(`Resources (${plan.rows.length})`);
  lines.push(table(["TYPE", "NAME", "SECURITY"], plan.rows.map((r) => [r.type.replace(/^aws:/, ""), r.name, r.security]), 90));
  lines.push("", `Host files (${plan.host.files.length}; user data ${plan.host.userDataBytes} of 16384 bytes gzipped; bundle s3://${plan.host.bundle.bucket}/${plan.host.bundle.key}, ${plan.host.bundle.gz.length} bytes)${outDir ? ` written under ${path.join(outDir, "host")}` : "; write them with --out DIR"}`);
  lines.push(table(["PATH", "MODE", "OWNER", "BYTES"], plan.host.files.map((f) => [f.path, f.mode, f.owner, String(hostFileBytes(f).length)])));
  const c = plan.cost;
  lines.push("", `Monthly cost estimate (on-demand us-east-1 list prices read ${c.pricesReadOn}${plan.region === "us-east-1" ? "" : `; stack region ${plan.region} may differ`})`);
  lines.push(table(["ITEM", "RESOURCE", "USD/MONTH", "BASIS"], c.lines.map((l) => [l.item, l.resource, l.monthlyUsd === null ? "?" : l.monthlyUsd.toFixed(2), l.basis])));
  lines.push(`total: $${c.totalUsd.toFixed(2)}/month${c.unpriced.length ? ` plus unpriced: ${c.unpriced.join(", ")}` : ""}`);
  lines.push("", ...policyReport(plan.judgement));
  const snippet = tailnetSnippet(plan.model);
  if (snippet) {
    const where = outDir ? `written to ${path.join(outDir, "tailnet-policy.hujson")}` : "write it with --out DIR";
    lines.push("", `Tailnet policy: not managed by the kit (tailscale.managePolicy false); add the kit's snippet to your policy file: ${where}.`);
    lines.push("  operators -> gateway HTTPS 443 (Serve); admins -> Tailscale SSH in check mode; tagOwners for every tag; tests assert the denied paths");
  }
  return lines.join("\n");
}

/** `--program FILE`: any Pulumi TypeScript program, judged by the same pack. */
async function judgeProgram(file: string, json: boolean, progress: (m: string) => void): Promise<number> {
  if (!fs.existsSync(file)) {
    err(`error: --program ${file}: no such file\nnothing was planned.`);
    return 2;
  }
  const project = projectName(file);
  progress(`evaluating ${file} (project ${project}) under the Pulumi mock runtime`);
  let evaluation;
  try {
    evaluation = await evaluateProgram({ program: file, project, stack: "offline", config: {} });
  } catch (e) {
    if (e instanceof ProgramLoadError) {
      err(`error: ${e.message}\nnothing was planned.`);
      return 2;
    }
    throw e;
  }
  if (evaluation.errors.length > 0) {
    err(`error: the program failed: ${evaluation.errors.map((e) => e.message).join("; ")}\nnothing was planned.`);
    return 2;
  }
  progress(`${evaluation.resources.length} resources registered; judging them with the policy pack`);
  const j = judge(evaluation);
  const rows = toRows(evaluation.resources, []);
  if (json) {
    process.stdout.write(`${JSON.stringify({ kind: "clawkeep-program-judgement", program: file, resources: rows, violations: j.violations, ruleErrors: j.errors, checklist: j.checklist }, null, 2)}\n`);
  } else {
    const lines = [`clawkeep policy check: ${file} (${rows.length} resources)`, ""];
    lines.push(table(["TYPE", "NAME", "SECURITY"], rows.map((r) => [r.type.replace(/^aws:/, ""), r.name, r.security]), 90), "");
    lines.push(...policyReport(j));
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  return verdict(j);
}

/** The program's Pulumi project name (its config namespace), from a Pulumi.yaml beside it. */
function projectName(file: string): string {
  const yaml = path.join(path.dirname(path.resolve(file)), "Pulumi.yaml");
  const m = fs.existsSync(yaml) ? /^name:\s*(\S+)/m.exec(fs.readFileSync(yaml, "utf8")) : null;
  return m?.[1] ?? "program";
}

export async function main(argv: string[]): Promise<number> {
  let args: PlanArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const progress = progressPrinter();
  if (args.program) return judgeProgram(args.program, args.json, progress);
  try {
    const plan = await planStack(args.stack as string, { overrides: args.config, progress });
    const written = args.out ? writeOut(plan, args.out) : [];
    if (args.json) process.stdout.write(`${JSON.stringify(planJson(plan), null, 2)}\n`);
    else process.stdout.write(`${report(plan, args.out)}\n`);
    if (written.length) progress(`wrote ${written.length} files under ${args.out}`);
    return verdict(plan.judgement);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ProgramLoadError) {
      err(`error: ${e.message}\nnothing was planned or written.`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Exit only once stdout is flushed: a large --json document to a pipe is written asynchronously.
    (code) => process.stdout.write("", () => process.exit(code)),
    (e: unknown) => {
      err(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(3);
    },
  );
}
