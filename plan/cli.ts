// `npm run plan`: the offline plan. Every judged run ends with one "verdict:" line; the exit code says
// the same: 0 pass, 1 refused (mandatory violation or rule error), 2 bad input or cannot judge offline.
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, formatIssues, type ConfigIssue } from "../stacks";
import { UsageError, parseArgs, type PlanArgs } from "./args";
import { USAGE, helpText } from "./help";
import { judge, verdictOf, type Judgement, type PackConfig, type Verdict } from "../policy/judge";
import { exceptionIssues } from "../policy/lib/exceptions";
import { packConfigIssues } from "../policy/lib/packConfig";
import { RULES } from "../policy/rules";
import { ProgramLoadError, evaluateProgram, type Evaluation } from "./evaluate";
import { OutDirError, checkOutDir, writePlanFiles, type OutDir } from "./outDir";
import { loadStackInput, planStack, toRows, type StackInput, type StackPlan } from "./planStack";
import type { AnsweredLookup } from "./mocks";
import { REPORT_WIDTH, table, wrapLine } from "./table";
import { findingsReport, resourcesReport } from "./humanReport";
import { junitXml, sarifLog, type ReportContext } from "./ciReports";
import type { ReportFormat } from "./args";
import { parsePolicyExceptions, readStackFile, stackFilePath, type PolicyException } from "../stacks";
import { planWarnings } from "./warnings";
import { AgainstError, againstReport, compareWithEarlier, readEarlierPlan, type AgainstResult, type EarlierPlan } from "./against";
import { hostFileBytes } from "../components/base/hostFile";

/** Where the CLI writes; main() takes them so tests can capture output in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function progressPrinter(io: Io): (msg: string) => void {
  const start = Date.now();
  return (msg) => io.err(`[${((Date.now() - start) / 1000).toFixed(1)}s] ${msg}\n`);
}

const verdictJson = (v: Verdict) => ({ status: v.status, exitCode: v.exitCode, line: v.line });

export function planJson(plan: StackPlan, against?: AgainstResult): Record<string, unknown> {
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
    warnings: planWarnings(plan.model, plan.evaluation.resources),
    tailnetPolicySnippet: plan.tailnetSnippet ?? null,
    lookups: plan.evaluation.lookups,
    violations: plan.judgement.violations,
    ruleErrors: plan.judgement.errors,
    blind: plan.judgement.blind,
    checklist: plan.judgement.checklist,
    ...(against ? { against: { dir: against.dir, effect: against.effect, stateKept: against.stateKept, summary: against.summary, changes: against.changes } } : {}),
    verdict: verdictJson(verdictOf(plan.judgement)),
  };
}

/** Exit code of a judgement: 0 pass, 1 refused, 2 cannot judge offline. */
export function verdict(j: Judgement): 0 | 1 | 2 {
  return verdictOf(j).exitCode;
}

function blindReport(j: Judgement): string[] {
  if (j.blind.length === 0) return [];
  return [
    "",
    `Cannot judge offline (${j.blind.length} blind spot${j.blind.length === 1 ? "" : "s"}; only \`pulumi preview --policy-pack policy\` with real credentials sees these)`,
    ...j.blind.flatMap((b) => [`  - ${b.rule ? `[${b.rule}] ` : ""}${b.what}`, `    where: ${b.where}`]),
  ];
}

function policyReport(j: Judgement): string[] {
  const lines: string[] = [...findingsReport(j)];
  for (const e of j.errors) lines.push(`rule error: ${e.rule} on ${e.urn}: ${e.message}`);
  lines.push(...blindReport(j));
  lines.push("", "Production checklist (the guides)");
  lines.push(table(["STATUS", "ITEM", "WHY"], j.checklist.map((c) => [c.status, c.item, c.note ?? c.rules.join(", ")])));
  return lines;
}

/** Every line of a text report within REPORT_WIDTH columns: prose wrapped, tables already fit. */
const fitted = (lines: string[]) => lines.join("\n").split("\n").flatMap((l) => wrapLine(l, REPORT_WIDTH));

function lookupReport(lookups: readonly AnsweredLookup[]): string[] {
  if (lookups.length === 0) return [];
  return [
    "",
    `Lookups answered offline (${lookups.length}; UNKNOWN names the fields only the account knows)`,
    table(["LOOKUP", "WHERE", "ARGUMENTS", "UNKNOWN"], lookups.map((l) => [l.token.split(":").pop() ?? l.token, l.site ?? "", l.args, l.unknown.join(", ") || "-"])),
  ];
}

/** The files a plan writes under DIR: host files under host/<absolute path>, the user data, the bundle, the tailnet snippet, plan.json. */
export function planFiles(plan: StackPlan, against?: AgainstResult): Array<{ rel: string; content: string | Buffer }> {
  const files: Array<{ rel: string; content: string | Buffer }> = plan.host.files.map((f) => ({ rel: path.join("host", f.path), content: hostFileBytes(f) }));
  files.push({ rel: "user-data.yaml", content: plan.host.userData });
  files.push({ rel: path.basename(plan.host.bundle.key), content: plan.host.bundle.gz });
  if (plan.tailnetSnippet) files.push({ rel: "tailnet-policy.hujson", content: plan.tailnetSnippet });
  files.push({ rel: "plan.json", content: `${JSON.stringify(planJson(plan, against), null, 2)}\n` });
  return files;
}

/** Write the plan under DIR (checked first), replacing only what an earlier plan wrote there. */
export function writeOut(plan: StackPlan, dir: string | OutDir, against?: AgainstResult): string[] {
  return writePlanFiles(typeof dir === "string" ? checkOutDir(dir) : dir, planFiles(plan, against));
}

function report(plan: StackPlan, outDir: string | undefined, against?: AgainstResult): string {
  const lines: string[] = [];
  lines.push(`clawkeep offline plan: stack ${plan.stack}, trust level ${plan.trustLevel} (${plan.model.capabilities.name}), region ${plan.region}`, "");
  lines.push(...resourcesReport(plan.evaluation.resources, plan.rows));
  const unknownLookups = plan.evaluation.lookups.filter((l) => l.unknown.length > 0).length;
  lines.push("", `Lookups: ${plan.evaluation.lookups.length} answered offline${unknownLookups ? `, ${unknownLookups} with fields only the account knows (plan.json lists them)` : ", every answer known"}`);
  lines.push("", `Host files (${plan.host.files.length}, as the program registered them; user data ${plan.host.userDataBytes} of 16384 bytes gzipped; bundle s3://${plan.host.bundle.bucket}/${plan.host.bundle.key}, ${plan.host.bundle.gz.length} bytes)${outDir ? ` written under ${path.join(outDir, "host")}` : "; write them with --out DIR"}`);
  lines.push(table(["PATH", "MODE", "OWNER", "BYTES"], plan.host.files.map((f) => [f.path, f.mode, f.owner, String(hostFileBytes(f).length)])));
  const c = plan.cost;
  lines.push("", `Monthly cost estimate (on-demand us-east-1 list prices read ${c.pricesReadOn}${plan.region === "us-east-1" ? "" : `; stack region ${plan.region} may differ`})`);
  lines.push(table(["ITEM", "RESOURCE", "USD/MONTH", "BASIS"], c.lines.map((l) => [l.item, l.resource, l.monthlyUsd === null ? "?" : l.monthlyUsd.toFixed(2), l.basis])));
  lines.push(`total: $${c.totalUsd.toFixed(2)}/month${c.unpriced.length ? ` plus unpriced: ${c.unpriced.join(", ")}` : ""}`);
  const warnings = planWarnings(plan.model, plan.evaluation.resources);
  if (warnings.length > 0) lines.push("", `Warnings (${warnings.length})`, ...warnings.map((w) => `  - ${w}`));
  if (against) lines.push(...againstReport(against));
  lines.push("", ...policyReport(plan.judgement));
  if (plan.tailnetSnippet) {
    const where = outDir ? `written to ${path.join(outDir, "tailnet-policy.hujson")}` : "write it with --out DIR";
    lines.push("", `Tailnet policy: not managed by the kit (tailscale.managePolicy false); add the kit's snippet to your policy file: ${where}.`);
    lines.push("  operators -> gateway HTTPS 443 (Serve); admins -> Tailscale SSH in check mode; tagOwners for every tag; tests assert the denied paths");
  }
  lines.push("", verdictOf(plan.judgement).line);
  return fitted(lines).join("\n");
}

/** SARIF or JUnit on stdout, the verdict line on stderr; undefined for the formats printed elsewhere. */
function ciReport(format: ReportFormat, j: Judgement, ctx: ReportContext): string | undefined {
  if (format === "sarif") return `${JSON.stringify(sarifLog(j, ctx), null, 2)}\n`;
  if (format === "junit") return junitXml(j, ctx);
  return undefined;
}

const repoPath = (file: string) => path.relative(process.cwd(), path.resolve(file)) || file;
const sitesOf = (resources: ReadonlyArray<{ urn: string; site?: string }>) => new Map(resources.map((r) => [r.urn, r.site]));

/** `--program FILE`: any Pulumi TypeScript program, judged by the same pack; fails closed on what it cannot see. */
async function judgeProgram(file: string, format: ReportFormat, io: Io, progress: (m: string) => void, packConfig?: PackConfig, stack?: ProgramStack): Promise<number> {
  const json = format === "json";
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    io.err(`error: --program ${file}: no such file\nnothing was planned.\n`);
    return 2;
  }
  const project = projectName(file);
  progress(`evaluating ${file} (project ${project}) under the Pulumi mock runtime`);
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateProgram({ program: file, project, stack: "offline", config: {} });
  } catch (e) {
    if (!(e instanceof ProgramLoadError)) throw e;
    io.err(`error: ${e.message.split("\n")[0]}\n`);
    evaluation = { ...(e.partial ?? { resources: [], outputs: {}, errors: e.causes, lookups: [] }), blind: e.blind };
  }
  progress(`${evaluation.resources.length} resources registered; judging them with the policy pack`);
  const j = judge(evaluation, packConfig, undefined, { exceptions: stack?.exceptions });
  const v = verdictOf(j);
  const rows = toRows(evaluation.resources, []);
  const ci = ciReport(format, j, {
    sites: sitesOf(evaluation.resources),
    fallback: { uri: repoPath(file) },
    exceptionsAt: stack ? { uri: repoPath(stack.file), line: stack.exceptionsLine } : undefined,
  });
  if (ci !== undefined) {
    io.out(ci);
    io.err(`${v.line}\n`);
  } else if (json) {
    io.out(`${JSON.stringify({ kind: "clawkeep-program-judgement", program: file, resources: rows, lookups: evaluation.lookups, violations: j.violations, ruleErrors: j.errors, blind: j.blind, checklist: j.checklist, verdict: verdictJson(v) }, null, 2)}\n`);
    io.err(`${v.line}\n`);
  } else {
    const lines = [`clawkeep policy check: ${file}`, ""];
    lines.push(...resourcesReport(evaluation.resources, rows));
    lines.push(...lookupReport(evaluation.lookups), "");
    lines.push(...policyReport(j), "", v.line);
    io.out(`${fitted(lines).join("\n")}\n`);
  }
  return v.exitCode;
}

/** The program's Pulumi project name (its config namespace), from a Pulumi.yaml beside it. */
function projectName(file: string): string {
  const yaml = path.join(path.dirname(path.resolve(file)), "Pulumi.yaml");
  const m = fs.existsSync(yaml) ? /^name:\s*(\S+)/m.exec(fs.readFileSync(yaml, "utf8")) : null;
  return m?.[1] ?? "program";
}

/** Every problem with the run's input, before anything is evaluated: --out and the stack config together. */
/** What --program --stack-file brings: the stack file's exceptions, checked as a --stack's are. */
interface ProgramStack {
  file: string;
  exceptions: PolicyException[];
  exceptionsLine?: number;
}

const lineOf = (at: string | undefined) => (at ? Number(at.split(":").at(-2)) : undefined);

function readProgramStack(file: string): ProgramStack {
  const m = /^Pulumi\.(.+)\.yaml$/.exec(path.basename(file));
  if (!m) throw new ConfigError([{ key: "(--stack-file)", given: file, allowed: "a stack file named Pulumi.<stack>.yaml" }]);
  const stack = readStackFile(m[1], path.dirname(path.resolve(file)));
  const at = stack.positions.policyExceptions;
  const { exceptions, issues } = parsePolicyExceptions(stack.raw.policyExceptions ?? []);
  const all = [...issues, ...exceptionIssues(exceptions, RULES.map((r) => r.name))].map((i) => (at ? { ...i, at } : i));
  if (all.length > 0) throw new ConfigError(all);
  return { file, exceptions, exceptionsLine: lineOf(at) };
}

function checkInputs(args: PlanArgs, stacksDir: string | undefined): { out?: OutDir; input?: StackInput; earlier?: EarlierPlan; packConfig?: PackConfig; programStack?: ProgramStack; problems: string[] } {
  const problems: string[] = [];
  let programStack: ProgramStack | undefined;
  if (args.stackFile !== undefined) {
    try {
      programStack = readProgramStack(args.stackFile);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(formatIssues(e.issues as ConfigIssue[]));
    }
  }
  let packConfig: PackConfig | undefined;
  if (args.policyPackConfig !== undefined) {
    const file = args.policyPackConfig;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      problems.push(`--policy-pack-config ${file}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}; allowed: a readable JSON file`);
    }
    if (parsed !== undefined) {
      const issues = packConfigIssues(parsed, RULES);
      if (issues.length > 0) problems.push(`--policy-pack-config ${file}: ${formatIssues(issues)}`);
      else packConfig = parsed as PackConfig;
    }
  }
  let out: OutDir | undefined;
  let input: StackInput | undefined;
  let earlier: EarlierPlan | undefined;
  if (args.against !== undefined) {
    try {
      earlier = readEarlierPlan(args.against);
    } catch (e) {
      if (!(e instanceof AgainstError)) throw e;
      problems.push(e.message);
    }
  }
  if (args.out !== undefined) {
    try {
      out = checkOutDir(args.out);
    } catch (e) {
      if (!(e instanceof OutDirError)) throw e;
      problems.push(e.message);
    }
  }
  if (args.stack !== undefined) {
    try {
      input = loadStackInput(args.stack, args.config, stacksDir);
      const at = input.file.positions.policyExceptions;
      const issues = exceptionIssues(input.model.policyExceptions, RULES.map((r) => r.name)).map((i) => (at ? { ...i, at } : i));
      if (issues.length > 0) throw new ConfigError(issues);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(formatIssues(e.issues as ConfigIssue[]));
    }
  }
  return { out, input, earlier, packConfig, programStack, problems };
}

export interface MainOptions {
  /** Folder of Pulumi.<stack>.yaml files; the kit's stacks/ by default. */
  stacksDir?: string;
}

export async function main(argv: string[], io: Io = processIo, opts: MainOptions = {}): Promise<number> {
  let args: PlanArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\n\n${USAGE}\n\n(npm run plan -- --help lists the stacks, config keys and exit codes)\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    io.out(`${helpText(opts.stacksDir)}\n`);
    return 0;
  }
  const progress = progressPrinter(io);
  const { out, input, earlier, packConfig, programStack, problems } = checkInputs(args, opts.stacksDir);
  if (problems.length > 0) {
    io.err(`error: ${problems.join("\nerror: ")}\nnothing was planned or written.\n`);
    return 2;
  }
  if (args.program) return judgeProgram(args.program, args.format, io, progress, packConfig, programStack);
  let plan: StackPlan;
  try {
    plan = await planStack(args.stack as string, { input, progress, packConfig });
  } catch (e) {
    if (!(e instanceof ProgramLoadError)) throw e;
    // The kit itself could not be evaluated: no plan, and no verdict but "cannot judge".
    const j = judge({ resources: [], blind: e.blind.length > 0 ? e.blind : [{ what: e.message, where: "index.ts" }] });
    io.err(`error: ${e.message}\nnothing was written.\n`);
    io.out(`${[...blindReport(j), "", verdictOf(j).line].join("\n").trimStart()}\n`);
    return verdictOf(j).exitCode;
  }
  const against = earlier ? compareWithEarlier(earlier, plan) : undefined;
  let written: string[] = [];
  if (out) {
    try {
      written = writeOut(plan, out, against);
    } catch (e) {
      if (!(e instanceof OutDirError)) throw e;
      io.err(`error: ${e.message}\n`);
      return 2;
    }
  }
  const at = input?.file.positions.policyExceptions;
  const ctx: ReportContext = {
    sites: sitesOf(plan.evaluation.resources),
    fallback: { uri: repoPath(stackFilePath(plan.stack, opts.stacksDir)) },
    exceptionsAt: { uri: repoPath(stackFilePath(plan.stack, opts.stacksDir)), line: lineOf(at) },
  };
  const ci = ciReport(args.format, plan.judgement, ctx);
  if (ci !== undefined) {
    io.out(ci);
    io.err(`${verdictOf(plan.judgement).line}\n`);
  } else if (args.json) {
    io.out(`${JSON.stringify(planJson(plan, against), null, 2)}\n`);
    io.err(`${verdictOf(plan.judgement).line}\n`);
  } else io.out(`${report(plan, args.out, against)}\n`);
  if (written.length) progress(`wrote ${written.length} files under ${args.out}`);
  return verdictOf(plan.judgement).exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Exit only once stdout is flushed: a large --json document to a pipe is written asynchronously.
    (code) => process.stdout.write("", () => process.exit(code)),
    (e: unknown) => {
      process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(3);
    },
  );
}
