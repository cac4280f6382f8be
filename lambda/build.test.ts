// The Lambda bundle cache: a build is reused while no file esbuild read for it has changed, and a
// changed input builds again. The bundle itself (zip, size, a rotation on moto) is proven in
// build.integration.test.ts.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFunction, buildRotationBundle, lambdaCacheSlot } from "./build";

const made: string[] = [];
const tmp = (prefix: string): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const indexJs = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name, "index.js"), "utf8");

describe("Lambda bundle cache", () => {
  it("gives the bytes a fresh esbuild build gives", async () => {
    const cached = await buildRotationBundle(tmp("clawkeep-bundle-"));
    const fresh = await buildRotationBundle(tmp("clawkeep-bundle-"), { cache: false });
    expect(fs.readFileSync(cached.zipPath).equals(fs.readFileSync(fresh.zipPath))).toBe(true);
    expect(cached.bundleBytes).toBe(fresh.bundleBytes);
  });

  it("serves a stored build while its inputs are unchanged, and rebuilds when one changes", async () => {
    const src = tmp("clawkeep-bundle-src-");
    const entry = path.join(src, "entry.ts");
    const dep = path.join(src, "dep.ts");
    fs.writeFileSync(entry, 'import { word } from "./dep";\nexport const handler = async () => word;\n');
    fs.writeFileSync(dep, 'export const word = "first";\n');
    const name = `cache-test-${process.pid}`;
    const slot = lambdaCacheSlot(entry, name);
    made.push(slot);

    const first = tmp("clawkeep-bundle-out-");
    await bundleFunction(entry, first, name);
    expect(indexJs(first, name)).toContain('"first"');
    const manifest = JSON.parse(fs.readFileSync(path.join(slot, "manifest.json"), "utf8")) as { inputs: Record<string, string>; js: string };
    expect(Object.keys(manifest.inputs).map((f) => path.basename(f))).toEqual(expect.arrayContaining(["tsconfig.json", "entry.ts", "dep.ts"]));

    // A stored build stands in for esbuild: a marked copy (with its own hash) is what comes back.
    const marked = `${fs.readFileSync(path.join(slot, "index.js"), "utf8")}// served from the cache\n`;
    fs.writeFileSync(path.join(slot, "index.js"), marked);
    fs.writeFileSync(path.join(slot, "manifest.json"), JSON.stringify({ ...manifest, js: createHash("sha256").update(marked).digest("hex") }));
    const second = tmp("clawkeep-bundle-out-");
    await bundleFunction(entry, second, name);
    expect(indexJs(second, name)).toBe(marked);

    // One changed import: esbuild runs again and the cache takes the new build.
    fs.writeFileSync(dep, 'export const word = "second";\n');
    const third = tmp("clawkeep-bundle-out-");
    await bundleFunction(entry, third, name);
    expect(indexJs(third, name)).toContain('"second"');
    expect(indexJs(third, name)).not.toContain("served from the cache");

    // A stored index.js that does not match its recorded hash is never served.
    fs.writeFileSync(path.join(slot, "index.js"), "tampered");
    const fourth = tmp("clawkeep-bundle-out-");
    await bundleFunction(entry, fourth, name);
    expect(indexJs(fourth, name)).toContain('"second"');
  });

  it("builds when a program calls it while the offline plan loads it (tsx namespace), as the kit's components do", async () => {
    const src = tmp("clawkeep-bundle-ns-");
    const out = tmp("clawkeep-bundle-ns-out-");
    fs.writeFileSync(path.join(src, "entry.ts"), "export const handler = async () => 42;\n");
    const program = path.join(src, "program.ts");
    fs.writeFileSync(program, `import { bundleFunction } from ${JSON.stringify(path.join(__dirname, "build"))};\nexport const built = bundleFunction(${JSON.stringify(path.join(src, "entry.ts"))}, ${JSON.stringify(out)}, "ns-test", { cache: false });\n`);
    // What plan/evaluate.ts does: load the program in a tsx namespace of its own, unregistered once loaded.
    const { register } = createRequire(__filename)("tsx/cjs/api") as { register(o: { namespace: string }): { require(id: string, from: string): unknown; unregister(): void } };
    const api = register({ namespace: `clawkeep-build-test-${process.pid}` });
    const loaded = api.require(program, __filename) as { built: Promise<{ bundleBytes: number }> };
    api.unregister();
    expect((await loaded.built).bundleBytes).toBeGreaterThan(0);
    expect(indexJs(out, "ns-test")).toContain("42");
  });
});
