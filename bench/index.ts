// `npm run bench`: speed and size figures, as medians of repeated runs. Nothing here is a pass/fail
// test; the numbers go in notes and reviews.
import * as fs from "node:fs";
import * as path from "node:path";
import { benchRotation, median } from "../lambda/bench";
import { evaluateProgram } from "../plan/evaluate";
import { planStack } from "../plan/planStack";
import { judge } from "../policy/judge";
import { table } from "../plan/table";
import { listCorpus, runCorpus } from "../test/corpus/corpus";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// One corpus run evaluates ~200 programs (about a minute on 2 cores): three give a median.
const CORPUS_RUNS = Number(process.env.BENCH_CORPUS_RUNS ?? 3);
/** Issue 15: judging a 1,000-resource program takes at most this long. */
const SYNTHETIC_TARGET_MS = 1000;
const log = (m: string) => process.stderr.write(`${m}\n`);
const ms = (n: number) => n.toFixed(1);

async function timed<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const v = await f();
  return [v, Number(process.hrtime.bigint() - t) / 1e6];
}

async function main(): Promise<void> {
  const rows: string[][] = [];

  for (const stack of ["level0", "level1", "level2", "level3"]) {
    log(`plan ${stack}: ${RUNS} runs`);
    const times: number[] = [];
    let resources = 0;
    for (let i = 0; i < RUNS; i++) {
      const [plan, t] = await timed(() => planStack(stack));
      times.push(t);
      resources = plan.rows.length;
    }
    rows.push([`offline plan ${stack} (${resources} resources)`, `${ms(median(times))} ms`, `min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}`]);
  }

  log("policy evaluation: level3 and a synthetic 1,000-resource program");
  const level3 = await planStack("level3");
  const l3 = await Promise.all(Array.from({ length: RUNS }, () => timed(() => judge(level3.evaluation)))).then((r) => r.map(([, t]) => t));
  rows.push([`policy judge level3 (${level3.evaluation.resources.length} resources)`, `${ms(median(l3))} ms`, `${(median(l3) / level3.evaluation.resources.length * 1000).toFixed(1)} µs/resource`]);
  const synthetic = await evaluateProgram({ program: path.join(__dirname, "synthetic-1000.ts"), project: "bench", stack: "bench", config: {} });
  const syn = await Promise.all(Array.from({ length: RUNS }, () => timed(() => judge(synthetic)))).then((r) => r.map(([, t]) => t));
  const synMedian = median(syn);
  rows.push([
    `policy judge synthetic (${synthetic.resources.length} resources)`,
    `${ms(synMedian)} ms`,
    `${(synMedian / synthetic.resources.length * 1000).toFixed(1)} µs/resource; target ≤ ${SYNTHETIC_TARGET_MS} ms: ${synMedian <= SYNTHETIC_TARGET_MS ? "met" : "MISSED"}`,
  ]);

  const corpus = listCorpus();
  log(`corpus: ${CORPUS_RUNS} runs of ${corpus.length} programs, each evaluated and judged as npm run corpus does`);
  const corpusRuns = [];
  for (let i = 0; i < CORPUS_RUNS; i++) corpusRuns.push(await runCorpus(corpus));
  const total = corpusRuns.map((r) => r.totalMs);
  const judged = corpusRuns.map((r) => r.judgeMs);
  rows.push([
    `corpus (${corpus.length} programs, evaluate + judge)`,
    `${ms(median(total) / 1000)} s`,
    `judge alone ${ms(median(judged))} ms; runs: ${total.map((t) => ms(t / 1000)).join(", ")} s`,
  ]);

  log(`rotation: bundle and ${RUNS} full rotations against moto`);
  const rot = await benchRotation(RUNS);
  rows.push(["rotation function bundle", `${rot.zipBytes} bytes zip`, `${rot.bundleBytes} bytes index.js`]);
  rows.push(["full gateway-token rotation on moto", `${ms(rot.medianMs)} ms`, `runs: ${rot.rotationMs.map(ms).join(", ")}`]);

  // Day two, from the last VM run (npm run test:vm records it; a TCG VM is too slow to repeat here).
  const record = path.join(__dirname, "records", "vm-day-two.json");
  if (fs.existsSync(record)) {
    const r = JSON.parse(fs.readFileSync(record, "utf8")) as { recordedAt: string; stack: string; host: string; inPlaceApplySeconds: number; replacementSeconds: number; replacementOldHostOffSeconds: number; replacementLevels?: string; firstBootToHealthySeconds: number | null };
    const when = `${r.stack}, ${r.host}, recorded ${r.recordedAt.slice(0, 10)}`;
    rows.push(["in-place apply: promotion, gateway restart (VM)", `${r.inPlaceApplySeconds} s`, `one run; ${when}`]);
    rows.push(["replacement host, state reattached (VM)", `${r.replacementSeconds} s`, `${r.replacementLevels ? `level ${r.replacementLevels}; ` : ""}old host off after ${r.replacementOldHostOffSeconds} s; one run`]);
    rows.push(["replacement / in-place apply", `${(r.replacementSeconds / r.inPlaceApplySeconds).toFixed(1)}x`, `first boot to healthy ${r.firstBootToHealthySeconds ?? "?"} s`]);
  } else {
    rows.push(["in-place apply vs replacement (VM)", "not recorded", "npm run test:vm writes bench/records/vm-day-two.json"]);
  }

  process.stdout.write(`${table(["MEASURE", "MEDIAN", "DETAIL"], rows)}\n`);
}

main().catch((e: unknown) => {
  log(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
