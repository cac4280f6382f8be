// The adversarial corpus of issue 15: insecure programs (one file each, first lines say what guide
// requirement they break and how) and secure ones, written by people who did not write the rules.
// judgeCorpusFile runs one through the same evaluation and judge as `npm run plan -- --program`.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { judge, verdictOf, type Judgement, type VerdictStatus } from "../../policy/judge";
import { ProgramLoadError, evaluateProgram, type Evaluation } from "../../plan/evaluate";

export const CORPUS_DIR = __dirname;

export interface CorpusEntry {
  /** Repo-relative path. */
  file: string;
  kind: "insecure" | "secure";
  /** compute, network, iam, ... for insecure programs; "secure" for the others. */
  class: string;
  /** Line 1: the guide requirement it breaks (insecure) or what it builds (secure). */
  claim: string;
  expect: "violation" | "cannot-judge" | "pass";
}

function header(text: string, key: string): string | undefined {
  return new RegExp(`^// ${key}: (.*)$`, "m").exec(text.split("\n").slice(0, 6).join("\n"))?.[1]?.trim();
}

export function listCorpus(dir = CORPUS_DIR): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const kind of ["insecure", "secure"] as const) {
    const root = path.join(dir, kind);
    if (!fs.existsSync(root)) continue;
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".ts")) {
          const text = fs.readFileSync(p, "utf8");
          const expect = header(text, "expect");
          const claim = header(text, kind === "insecure" ? "breaks" : "secure");
          if (!claim || (expect !== "violation" && expect !== "cannot-judge" && expect !== "pass")) {
            throw new Error(`${p}: the first lines must say "// ${kind === "insecure" ? "breaks" : "secure"}: ..." and "// expect: violation|cannot-judge|pass"`);
          }
          out.push({ file: path.relative(path.join(dir, "..", ".."), p), kind, class: kind === "secure" ? "secure" : path.relative(root, d).split(path.sep)[0], claim, expect });
        }
      }
    };
    walk(root);
  }
  return out;
}

export interface CorpusVerdict {
  status: VerdictStatus;
  exitCode: 0 | 1 | 2;
  line: string;
  /** Rules that reported a mandatory violation. */
  rules: string[];
  blind: string[];
  resources: number;
  judgement?: Judgement;
  /** What the program registered (up to its failure, when it failed to load). */
  evaluation?: Evaluation;
  /** Time inside judge() (none when the program failed to load). */
  judgeMs?: number;
  /**
   * Resources another corpus program constructed that registered during this one's evaluation (a timer
   * that outlived its own program). Left out of `evaluation` and of the verdict, as a process of its own
   * would never see them; listed so that the run can say so.
   */
  foreign: string[];
}

/** Was `r` built at a site in another corpus file (programs share the process and the mock runtime)? */
export function constructedElsewhere(file: string, r: { site?: string }): boolean {
  const site = r.site?.replace(/:\d+$/, "");
  return site !== undefined && path.resolve(site).startsWith(CORPUS_DIR + path.sep) && path.resolve(site) !== path.resolve(file);
}

export function foreignResources(file: string, evaluation: Evaluation | undefined): string[] {
  return (evaluation?.resources ?? []).filter((r) => constructedElsewhere(file, r)).map((r) => `${r.type} ${r.name} (${r.site})`);
}

/** The evaluation without what other corpus programs registered into it: what a process of its own would hold. */
function ownPart(file: string, evaluation: Evaluation): Evaluation {
  return { ...evaluation, resources: evaluation.resources.filter((r) => !constructedElsewhere(file, r)) };
}

/** Judge one program exactly as `npm run plan -- --program FILE` does (in this process; see `foreign`). */
export async function judgeCorpusFile(file: string): Promise<CorpusVerdict> {
  try {
    const whole = await evaluateProgram({ program: file, project: "program", stack: "offline", config: {} });
    const evaluation = ownPart(file, whole);
    const t = process.hrtime.bigint();
    const j = judge(evaluation);
    const judgeMs = Number(process.hrtime.bigint() - t) / 1e6;
    const v = verdictOf(j);
    return {
      ...v,
      rules: [...new Set(j.violations.filter((x) => x.enforcementLevel === "mandatory").map((x) => x.rule))],
      blind: j.blind.map((b) => `${b.rule ? `${b.rule}: ` : ""}${b.what}`),
      resources: evaluation.resources.length,
      judgement: j,
      evaluation,
      judgeMs,
      foreign: foreignResources(file, whole),
    };
  } catch (e) {
    if (e instanceof ProgramLoadError) {
      return { status: "cannot-judge", exitCode: 2, line: `verdict: cannot judge offline (${e.message})`, rules: [], blind: e.blind.map((b) => b.what), resources: 0, evaluation: e.partial && ownPart(file, e.partial), foreign: foreignResources(file, e.partial) };
    }
    throw e;
  }
}

/** Did the pack do what the entry expects? Insecure: refused or cannot judge; secure: pass. */
export function verdictMeetsExpectation(entry: CorpusEntry, v: CorpusVerdict): boolean {
  return entry.kind === "insecure" ? v.exitCode !== 0 : v.exitCode === 0;
}

export interface ClassRow {
  class: string;
  kind: "insecure" | "secure";
  cases: number;
  /** Exit 1 or 2 (refused, or cannot judge offline). */
  refused: number;
  /** Of those, exit 2. */
  cannotJudge: number;
  passedInsecure: string[];
  refusedSecure: string[];
  /** Programs whose evaluation held another program's resources, left out (see CorpusVerdict.foreign). */
  contaminated: string[];
}

export interface CorpusRun {
  programs: number;
  rows: ClassRow[];
  /** Wall time of the whole run: each program evaluated under the mock runtime and judged. */
  totalMs: number;
  /** Of that, the time inside judge(). */
  judgeMs: number;
}

/** Judge every entry in turn, as `npm run corpus` does; `onEach` sees each verdict as it comes. */
export async function runCorpus(entries: readonly CorpusEntry[], onEach?: (i: number, e: CorpusEntry, v: CorpusVerdict) => void): Promise<CorpusRun> {
  const rows = new Map<string, ClassRow>();
  let judgeMs = 0;
  const started = process.hrtime.bigint();
  for (const [i, e] of entries.entries()) {
    const v = await judgeCorpusFile(e.file);
    judgeMs += v.judgeMs ?? 0;
    const row = rows.get(e.class) ?? { class: e.class, kind: e.kind, cases: 0, refused: 0, cannotJudge: 0, passedInsecure: [], refusedSecure: [], contaminated: [] };
    row.cases++;
    if (v.exitCode !== 0) row.refused++;
    if (v.exitCode === 2) row.cannotJudge++;
    if (e.kind === "insecure" && v.exitCode === 0) row.passedInsecure.push(e.file);
    if (e.kind === "secure" && v.exitCode !== 0) row.refusedSecure.push(`${e.file}: ${v.line} ${[...v.rules, ...v.blind].join("; ")}`);
    if (v.foreign.length > 0) row.contaminated.push(`${e.file}: ${v.foreign.join("; ")}`);
    rows.set(e.class, row);
    onEach?.(i, e, v);
  }
  return { programs: entries.length, rows: [...rows.values()], totalMs: Number(process.hrtime.bigint() - started) / 1e6, judgeMs };
}

/** The commit the corpus was judged on, "+ local changes" when the tree differs from it. */
function measuredOn(): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: CORPUS_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    return `commit ${git("rev-parse", "--short=12", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") ? " + local changes" : ""}`;
  } catch {
    return "no git commit";
  }
}

/** The README table: insecure classes count refusals (exit 1 or 2), the secure row counts false refusals. */
export function corpusMarkdown(run: CorpusRun, date = new Date()): string {
  const insecure = run.rows.filter((r) => r.kind === "insecure");
  const secure = run.rows.filter((r) => r.kind === "secure");
  const sum = (rows: ClassRow[], k: "cases" | "refused" | "cannotJudge") => rows.reduce((n, r) => n + r[k], 0);
  const lines = [
    "| class | cases | refused | false refusals |",
    "|---|---:|---:|---:|",
    ...insecure.map((r) => `| ${r.class} | ${r.cases} | ${r.refused} | — |`),
    `| **all insecure** | **${sum(insecure, "cases")}** | **${sum(insecure, "refused")}** | — |`,
    ...secure.map((r) => `| ${r.class} | ${r.cases} | — | ${r.refused} |`),
  ];
  const misses = [...insecure.flatMap((r) => r.passedInsecure.map((f) => `passed: \`${f}\``)), ...secure.flatMap((r) => r.refusedSecure.map((f) => `refused: \`${f.split(":")[0]}\``))];
  const contaminated = run.rows.flatMap((r) => r.contaminated);
  return [
    ...lines,
    "",
    `Refused counts exit 1 and exit 2 ("cannot judge offline": ${sum(insecure, "cannotJudge")} of the insecure programs). ` +
      `${run.programs} programs judged in ${(run.totalMs / 1000).toFixed(1)} s (${(run.judgeMs / 1000).toFixed(1)} s of it in the judge, the rest evaluating them under the mock runtime), ` +
      `${date.toISOString().slice(0, 10)}, ${measuredOn()}, ${os.cpus().length} cores.`,
    ...(contaminated.length ? ["", `Late registrations left out of the evaluation they landed in (another program registered them after its own evaluation had returned): ${contaminated.map((c) => `\`${c}\``).join(", ")}.`] : []),
    ...(misses.length ? ["", `<details><summary>${misses.length} program${misses.length === 1 ? "" : "s"} not judged as intended</summary>`, "", ...misses.map((m) => `- ${m}`), "", "</details>"] : []),
  ].join("\n");
}

const README = path.join(CORPUS_DIR, "..", "..", "README.md");
export const README_BEGIN = "<!-- corpus-table: generated by `npm run corpus -- --readme`; do not edit by hand -->";
export const README_END = "<!-- /corpus-table -->";

/** The README with its generated block replaced (the markers must be there once each). */
export function withCorpusTable(readme: string, table: string): string {
  const [a, b] = [readme.indexOf(README_BEGIN), readme.indexOf(README_END)];
  if (a < 0 || b < a || readme.indexOf(README_BEGIN, a + 1) >= 0) throw new Error(`README.md must hold "${README_BEGIN}" once, followed by "${README_END}"`);
  return `${readme.slice(0, a + README_BEGIN.length)}\n${table}\n${readme.slice(b)}`;
}

const USAGE = "usage: npm run corpus -- [FILTER] [--markdown | --readme]  (FILTER: part of a corpus path; --markdown prints the README table, --readme writes it into README.md; both judge the whole corpus)";

export function parseArgs(argv: string[]): { filter?: string; output: "text" | "markdown" | "readme" } | string {
  const flags = argv.filter((a) => a.startsWith("-"));
  const rest = argv.filter((a) => !a.startsWith("-"));
  const unknown = flags.filter((f) => f !== "--markdown" && f !== "--readme");
  if (unknown.length > 0) return `unknown option ${unknown.map((f) => `"${f}"`).join(", ")}: allowed are --markdown and --readme`;
  if (flags.length > 1) return `--markdown and --readme exclude each other: give one`;
  if (rest.length > 1) return `one FILTER at most, got ${rest.map((r) => `"${r}"`).join(", ")}`;
  const output = flags[0] === "--markdown" ? "markdown" : flags[0] === "--readme" ? "readme" : "text";
  if (output !== "text" && rest.length > 0) return `FILTER "${rest[0]}" with ${flags[0]}: the README table covers the whole corpus, so give no filter`;
  return { filter: rest[0], output };
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    console.error(`${args}\n${USAGE}`);
    process.exit(2);
  }
  const entries = listCorpus().filter((e) => !args.filter || e.file.includes(args.filter));
  const run = await runCorpus(entries, (i, e, v) =>
    process.stderr.write(
      `[${i + 1}/${entries.length}] ${verdictMeetsExpectation(e, v) ? "ok  " : "MISS"} exit ${v.exitCode} ${e.file}${v.rules.length ? ` (${v.rules.join(", ")})` : ""}${v.foreign.length ? ` (left out, registered late by another program: ${v.foreign.join("; ")})` : ""}\n`,
    ),
  );
  if (args.output === "markdown") {
    console.log(corpusMarkdown(run));
    return;
  }
  if (args.output === "readme") {
    fs.writeFileSync(README, withCorpusTable(fs.readFileSync(README, "utf8"), corpusMarkdown(run)));
    console.log(`README.md: corpus table written (${run.programs} programs, ${(run.totalMs / 1000).toFixed(1)} s)`);
    return;
  }
  console.log(`\ncorpus: ${run.programs} programs in ${(run.totalMs / 1000).toFixed(1)} s (judge: ${(run.judgeMs / 1000).toFixed(1)} s)`);
  console.log("CLASS          CASES  REFUSED  FALSE REFUSALS");
  for (const r of run.rows) {
    console.log(`${r.class.padEnd(14)} ${String(r.cases).padStart(5)}  ${String(r.refused).padStart(7)}  ${String(r.kind === "secure" ? r.refused : 0).padStart(14)}`);
  }
  for (const r of run.rows) {
    for (const f of r.passedInsecure) console.log(`PASSED (insecure): ${f}`);
    for (const f of r.refusedSecure) console.log(`REFUSED (secure): ${f}`);
    for (const f of r.contaminated) console.log(`LATE REGISTRATION of another program, left out: ${f}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e);
    process.exit(3);
  });
}
