// The adversarial corpus of issue 15: insecure programs (one file each, first lines say what guide
// requirement they break and how) and secure ones, written by people who did not write the rules.
// judgeCorpusFile runs one through the same evaluation and judge as `npm run plan -- --program`.
import * as fs from "node:fs";
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
}

/** Judge one program exactly as `npm run plan -- --program FILE` does (in this process). */
export async function judgeCorpusFile(file: string): Promise<CorpusVerdict> {
  try {
    const evaluation = await evaluateProgram({ program: file, project: "program", stack: "offline", config: {} });
    const j = judge(evaluation);
    const v = verdictOf(j);
    return {
      ...v,
      rules: [...new Set(j.violations.filter((x) => x.enforcementLevel === "mandatory").map((x) => x.rule))],
      blind: j.blind.map((b) => `${b.rule ? `${b.rule}: ` : ""}${b.what}`),
      resources: evaluation.resources.length,
      judgement: j,
      evaluation,
    };
  } catch (e) {
    if (e instanceof ProgramLoadError) {
      return { status: "cannot-judge", exitCode: 2, line: `verdict: cannot judge offline (${e.message})`, rules: [], blind: e.blind.map((b) => b.what), resources: 0, evaluation: e.partial };
    }
    throw e;
  }
}

/** Did the pack do what the entry expects? Insecure: refused or cannot judge; secure: pass. */
export function verdictMeetsExpectation(entry: CorpusEntry, v: CorpusVerdict): boolean {
  return entry.kind === "insecure" ? v.exitCode !== 0 : v.exitCode === 0;
}

async function main(filter: string | undefined): Promise<void> {
  const entries = listCorpus().filter((e) => !filter || e.file.includes(filter));
  const byClass = new Map<string, { cases: number; refused: number; falseRefusals: number; passedInsecure: string[]; refusedSecure: string[] }>();
  const started = Date.now();
  for (const [i, e] of entries.entries()) {
    const v = await judgeCorpusFile(e.file);
    const row = byClass.get(e.class) ?? { cases: 0, refused: 0, falseRefusals: 0, passedInsecure: [], refusedSecure: [] };
    row.cases++;
    if (v.exitCode !== 0) row.refused++;
    if (e.kind === "insecure" && v.exitCode === 0) row.passedInsecure.push(e.file);
    if (e.kind === "secure" && v.exitCode !== 0) {
      row.falseRefusals++;
      row.refusedSecure.push(`${e.file}: ${v.line} ${[...v.rules, ...v.blind].join("; ")}`);
    }
    byClass.set(e.class, row);
    process.stderr.write(`[${i + 1}/${entries.length}] ${verdictMeetsExpectation(e, v) ? "ok  " : "MISS"} exit ${v.exitCode} ${e.file}${v.rules.length ? ` (${v.rules.join(", ")})` : ""}\n`);
  }
  console.log(`\ncorpus: ${entries.length} programs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log("CLASS          CASES  REFUSED  FALSE REFUSALS");
  for (const [c, r] of byClass) console.log(`${c.padEnd(14)} ${String(r.cases).padStart(5)}  ${String(r.refused).padStart(7)}  ${String(r.falseRefusals).padStart(14)}`);
  for (const r of byClass.values()) {
    for (const f of r.passedInsecure) console.log(`PASSED (insecure): ${f}`);
    for (const f of r.refusedSecure) console.log(`REFUSED (secure): ${f}`);
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((e: unknown) => {
    console.error(e);
    process.exit(3);
  });
}
