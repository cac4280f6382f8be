// The corpus runner's own logic (test/corpus/corpus.ts): its arguments, the README table it generates and
// the README block it replaces. Judging the corpus itself is `npm run corpus` and the parity suite.
import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../plan/evaluate";
import { README_BEGIN, README_END, corpusMarkdown, foreignResources, parseArgs, withCorpusTable, type CorpusRun } from "./corpus/corpus";

const run: CorpusRun = {
  programs: 6,
  totalMs: 12_345,
  judgeMs: 1_500,
  rows: [
    { class: "compute", kind: "insecure", cases: 3, refused: 2, cannotJudge: 1, passedInsecure: ["test/corpus/insecure/compute/c.ts"], refusedSecure: [], contaminated: [] },
    { class: "iam", kind: "insecure", cases: 1, refused: 1, cannotJudge: 0, passedInsecure: [], refusedSecure: [], contaminated: ["test/corpus/insecure/iam/i.ts: aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule late (test/corpus/insecure/compute/c.ts:9)"] },
    { class: "secure", kind: "secure", cases: 2, refused: 1, cannotJudge: 0, passedInsecure: [], refusedSecure: ["test/corpus/secure/s.ts: verdict: refused (1 mandatory violation) imds-root-only"], contaminated: [] },
  ],
};

describe("npm run corpus arguments", () => {
  it.each([
    [[], { filter: undefined, output: "text" }],
    [["network"], { filter: "network", output: "text" }],
    [["--markdown"], { filter: undefined, output: "markdown" }],
    [["--readme"], { filter: undefined, output: "readme" }],
  ])("%j", (argv, want) => expect(parseArgs(argv)).toEqual(want));

  it.each([
    [["--md"], /unknown option "--md": allowed are --markdown and --readme/],
    [["--markdown", "--readme"], /exclude each other/],
    [["a", "b"], /one FILTER at most, got "a", "b"/],
    [["network", "--readme"], /FILTER "network" with --readme: the README table covers the whole corpus/],
  ])("refuses %j, naming what and what is allowed", (argv, message) => expect(parseArgs(argv)).toMatch(message));
});

describe("the README table", () => {
  const md = corpusMarkdown(run, new Date("2026-12-09T10:00:00Z"));

  it("counts refusals for insecure classes and false refusals for the secure row, with totals, time, date and commit", () => {
    expect(md.split("\n").slice(0, 6)).toEqual([
      "| class | cases | refused | false refusals |",
      "|---|---:|---:|---:|",
      "| compute | 3 | 2 | — |",
      "| iam | 1 | 1 | — |",
      "| **all insecure** | **4** | **3** | — |",
      "| secure | 2 | — | 1 |",
    ]);
    expect(md).toMatch(/"cannot judge offline": 1 of the insecure programs\)\. 6 programs judged in 12\.3 s \(1\.5 s of it in the judge/);
    expect(md).toMatch(/2026-12-09, (commit [0-9a-f]{12}( \+ local changes)?|no git commit), \d+ cores\./);
  });

  it("lists every program not judged as intended", () => {
    expect(md).toContain("2 programs not judged as intended");
    expect(md).toContain("- passed: `test/corpus/insecure/compute/c.ts`");
    expect(md).toContain("- refused: `test/corpus/secure/s.ts`");
  });

  it("names each late registration left out of another program's evaluation", () => {
    expect(md).toContain("Late registrations left out of the evaluation they landed in");
    expect(md).toContain("test/corpus/insecure/iam/i.ts: aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule late (test/corpus/insecure/compute/c.ts:9)");
  });

  it("replaces only the generated block of the README", () => {
    const readme = `# x\n\nbefore\n${README_BEGIN}\nold table\n${README_END}\nafter\n`;
    expect(withCorpusTable(readme, "new table")).toBe(`# x\n\nbefore\n${README_BEGIN}\nnew table\n${README_END}\nafter\n`);
    expect(() => withCorpusTable("# no markers\n", "t")).toThrow(/must hold/);
    expect(() => withCorpusTable(`${README_BEGIN}\n${README_END}\n${README_BEGIN}\n${README_END}`, "t")).toThrow(/once/);
    expect(() => withCorpusTable(`${README_END}\n${README_BEGIN}\n`, "t")).toThrow(/followed by/);
  });
});

describe("a resource another corpus program registered late", () => {
  const at = (site: string | undefined, name: string): PlannedResource => ({ urn: `urn:${name}`, type: "aws:ec2/vpc:Vpc", name, parent: "", custom: true, inputs: {}, state: {}, dependencies: [], site });
  const evaluation = { outputs: {}, errors: [], blind: [], lookups: [], resources: [at("test/corpus/insecure/iam/a.ts:3", "own"), at("components/network/network.ts:34", "kit"), at(undefined, "unsited"), at("test/corpus/insecure/fail-closed/late.ts:13", "late")] };

  it("is found by its construction site; the program's own, the kit's components and unsited ones are not", () => {
    expect(foreignResources("test/corpus/insecure/iam/a.ts", evaluation)).toEqual(["aws:ec2/vpc:Vpc late (test/corpus/insecure/fail-closed/late.ts:13)"]);
    expect(foreignResources("test/corpus/insecure/iam/a.ts", undefined)).toEqual([]);
  });
});
