// The layers of ../shared/DESIGN.md, enforced: stacks/ at the bottom, pure renderers above it that load
// no Pulumi SDK, components on top, plan/ beside policy/ and never imported by it, and no import cycle.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "..");
const SOURCE_DIRS = ["stacks", "components", "policy", "plan", "lambda", "ops", "bootstrap", "bench"];

export interface ImportGraph {
  /** Kit module (repo-relative path) -> kit modules it imports. */
  local: Map<string, Set<string>>;
  /** Kit module -> npm packages it imports (package names). */
  packages: Map<string, Set<string>>;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.join(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, "index.ts")].find((c) => fs.existsSync(path.join(ROOT, c)));
}

const packageName = (spec: string) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);

/** Every import, export-from and require() of the kit's source files, type-only ones included. */
export function importGraph(files: string[]): ImportGraph {
  const local = new Map<string, Set<string>>();
  const packages = new Map<string, Set<string>>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true);
    const mine = new Set<string>();
    const pkgs = new Set<string>();
    for (const ref of info.importedFiles) {
      const spec = ref.fileName;
      if (spec.startsWith(".")) {
        const target = resolveLocal(file, spec);
        if (!target) throw new Error(`${file}: cannot resolve ${spec}`);
        mine.add(target);
      } else if (!spec.startsWith("node:")) {
        pkgs.add(packageName(spec));
      }
    }
    local.set(file, mine);
    packages.set(file, pkgs);
  }
  return { local, packages };
}

/** Every module `from` reaches, itself included. */
export function closure(graph: ImportGraph, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const f = stack.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const next of graph.local.get(f) ?? []) stack.push(next);
  }
  return seen;
}

/** One cycle per strongly connected component of more than one module (or a module importing itself). */
export function cycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.local.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.local.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of graph.local.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folder = (file: string) => file.split(path.sep)[0];
const PULUMI = /^@pulumi\//;
const loadsPulumi = (graph: ImportGraph, file: string) => [...(graph.packages.get(file) ?? [])].some((p) => PULUMI.test(p));

/** Breaches of the layering rules, one line each; [] when the code keeps to DESIGN.md. */
export function layeringProblems(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph.local) {
    for (const target of targets) {
      if (folder(file) === "stacks" && folder(target) !== "stacks") problems.push(`${file} imports ${target}: stacks/ imports nothing outside stacks/`);
      if (folder(file) === "policy" && folder(target) === "plan") problems.push(`${file} imports ${target}: policy/ never imports plan/`);
      if (file.startsWith(`components${path.sep}base${path.sep}`) && !(folder(target) === "stacks" || target.startsWith(`components${path.sep}base${path.sep}`))) {
        problems.push(`${file} imports ${target}: the host base imports only stacks/ and components/base/`);
      }
    }
  }
  // A module under components/ that loads no Pulumi SDK itself (a barrel index.ts aside) is a pure
  // renderer or helper: nothing it reaches may.
  for (const file of graph.local.keys()) {
    if (folder(file) !== "components" || path.basename(file) === "index.ts" || loadsPulumi(graph, file)) continue;
    const impure = [...closure(graph, file)].filter((f) => loadsPulumi(graph, f));
    if (impure.length > 0) problems.push(`${file} loads no Pulumi SDK itself but reaches ${impure.sort().join(", ")}`);
  }
  for (const c of cycles(graph)) problems.push(`import cycle: ${c.join(" -> ")}`);
  return problems;
}

describe("layering (DESIGN.md, 'Layers and tests')", () => {
  const graph = importGraph(SOURCE_DIRS.flatMap(sourceFiles).concat("index.ts"));

  it("holds for the kit's source", () => {
    expect(layeringProblems(graph)).toEqual([]);
  });

  it("the renderer of every host file loads no Pulumi SDK", () => {
    const renderHost = path.join("components", "host", "hostFiles.ts");
    const reached = [...closure(graph, renderHost)];
    expect(reached.filter((f) => loadsPulumi(graph, f))).toEqual([]);
    // It reaches the gateway, sandbox and Tailscale renderers, so the rule above covers them too.
    expect(reached).toEqual(expect.arrayContaining([path.join("components", "gateway", "openclawConfig.ts"), path.join("components", "netsandbox", "hostFiles.ts"), path.join("components", "tailscale", "hostFiles.ts")]));
  });

  it("finds each kind of breach (a check that cannot fail is no check)", () => {
    const bad: ImportGraph = {
      local: new Map([
        ["stacks/schema.ts", new Set(["components/base/layout.ts"])],
        ["components/base/layout.ts", new Set(["stacks/schema.ts", "components/host/userData.ts"])],
        ["components/host/userData.ts", new Set(["components/tailscale/index.ts"])],
        ["components/tailscale/index.ts", new Set<string>()],
        ["policy/judge.ts", new Set(["plan/evaluate.ts"])],
        ["plan/evaluate.ts", new Set<string>()],
      ]),
      packages: new Map([["components/tailscale/index.ts", new Set(["@pulumi/tailscale"])]]),
    };
    const problems = layeringProblems(bad).join("\n");
    expect(problems).toContain("stacks/schema.ts imports components/base/layout.ts");
    expect(problems).toContain("policy/judge.ts imports plan/evaluate.ts");
    expect(problems).toContain("components/base/layout.ts imports components/host/userData.ts: the host base");
    expect(problems).toContain("components/host/userData.ts loads no Pulumi SDK itself but reaches components/tailscale/index.ts");
    expect(problems).toContain("import cycle: components/base/layout.ts -> stacks/schema.ts");
  });
});
