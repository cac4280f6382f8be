// `--out DIR`: what an unusable directory is told, and how a plan replaces an earlier one there (its
// own files only, never through a link, never over a file it did not write).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { MANIFEST, OutDirError, checkOutDir, writePlanFiles } from "./outDir";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-outdir-"));
const refusal = (dir: string): string => {
  try {
    checkOutDir(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(OutDirError);
    return (e as Error).message;
  }
  throw new Error(`${dir} was accepted`);
};
const tree = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();

describe("checkOutDir", () => {
  it("accepts a new directory under a writable one, and an empty one", () => {
    const base = tmp();
    expect(checkOutDir(path.join(base, "a", "b"))).toEqual({ dir: path.join(base, "a", "b"), previous: [] });
    expect(checkOutDir(base).previous).toEqual([]);
    expect(fs.readdirSync(base)).toEqual([]); // checking creates nothing
  });

  it("names a file where a directory is wanted, and a path through a file (ENOTDIR)", () => {
    const base = tmp();
    const file = path.join(base, "plan.txt");
    fs.writeFileSync(file, "x");
    expect(refusal(file)).toBe(`--out ${file}: is a file, not a directory (ENOTDIR)`);
    expect(refusal(path.join(file, "sub"))).toMatch(new RegExp(`^--out ${file}/sub: .*not a directory \\(ENOTDIR`));
  });

  it("names a place nobody may create a directory in (read-only /proc/self), with the reason", () => {
    expect(refusal("/proc/self/clawkeep-plan")).toMatch(/^--out \/proc\/self\/clawkeep-plan: cannot be created: \/proc\/self is not writable by this user \((EPERM|EACCES)\)$/);
  });

  it.skipIf(process.getuid?.() === 0)("names a directory this user may not write (EACCES; root bypasses modes, so it runs only as non-root)", () => {
    const dir = tmp();
    fs.chmodSync(dir, 0o500);
    expect(refusal(dir)).toMatch(/the directory is not writable by this user \(EACCES\)/);
  });

  it("refuses a directory with files the kit did not write and no manifest, naming them", () => {
    const dir = tmp();
    for (const f of ["a", "b", "c", "d", "e", "f", "g"]) fs.writeFileSync(path.join(dir, f), f);
    expect(refusal(dir)).toBe(`--out ${dir}: holds files the kit did not write (a, b, c, d, e, and 2 more) and no ${MANIFEST}; choose a new or empty directory`);
  });

  it("refuses a manifest that is not JSON, not the kit's, or names a path outside the directory", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, MANIFEST), "{");
    expect(refusal(dir)).toMatch(/cannot be read \(not JSON\)/);
    fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify({ files: [] }));
    expect(refusal(dir)).toMatch(/is not a clawkeep plan manifest/);
    fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify({ kind: "clawkeep-offline-plan-files", files: ["plan.json", "../../etc/passwd", "/etc/shadow"] }));
    expect(refusal(dir)).toMatch(/lists paths outside the directory \(\.\.\/\.\.\/etc\/passwd, \/etc\/shadow\)/);
  });
});

describe("writePlanFiles", () => {
  it("replaces an earlier plan's files, prunes the directories that leaves empty, keeps everything else", () => {
    const dir = tmp();
    writePlanFiles(checkOutDir(dir), [
      { rel: "plan.json", content: "1" },
      { rel: "host/etc/tailscale/join", content: "old" },
      { rel: "host/etc/openclaw/openclaw.json", content: "old" },
      { rel: "tailnet-policy.hujson", content: "old" },
    ]);
    fs.writeFileSync(path.join(dir, "review-notes.md"), "mine");
    fs.writeFileSync(path.join(dir, "host", "etc", "openclaw", "notes"), "mine too");
    const again = checkOutDir(dir);
    expect(again.previous).toEqual(["plan.json", "host/etc/tailscale/join", "host/etc/openclaw/openclaw.json", "tailnet-policy.hujson"]);
    writePlanFiles(again, [
      { rel: "plan.json", content: "2" },
      { rel: "host/etc/openclaw/openclaw.json", content: "new" },
    ]);
    expect(tree(dir)).toEqual([MANIFEST, "host/etc/openclaw/notes", "host/etc/openclaw/openclaw.json", "plan.json", "review-notes.md"]);
    expect(fs.existsSync(path.join(dir, "host", "etc", "tailscale"))).toBe(false);
    expect(fs.readFileSync(path.join(dir, "plan.json"), "utf8")).toBe("2");
    expect(JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), "utf8")).files).toEqual(["plan.json", "host/etc/openclaw/openclaw.json"]);
  });

  it("writes nothing over a file the kit did not write, and removes nothing then either", () => {
    const dir = tmp();
    writePlanFiles(checkOutDir(dir), [{ rel: "plan.json", content: "1" }]);
    fs.writeFileSync(path.join(dir, "user-data.yaml"), "someone's own");
    expect(() => writePlanFiles(checkOutDir(dir), [{ rel: "plan.json", content: "2" }, { rel: "user-data.yaml", content: "kit" }])).toThrow(
      /user-data\.yaml is already there and the kit did not write it; nothing was replaced/,
    );
    expect(fs.readFileSync(path.join(dir, "plan.json"), "utf8")).toBe("1");
    expect(fs.readFileSync(path.join(dir, "user-data.yaml"), "utf8")).toBe("someone's own");
  });

  it("never removes or writes through a symbolic link that leads out of the directory", () => {
    const dir = tmp();
    const outside = tmp();
    fs.writeFileSync(path.join(outside, "precious"), "keep");
    writePlanFiles(checkOutDir(dir), [{ rel: "host/precious", content: "kit" }]);
    fs.rmSync(path.join(dir, "host"), { recursive: true });
    fs.symlinkSync(outside, path.join(dir, "host"));
    expect(() => writePlanFiles(checkOutDir(dir), [{ rel: "host/precious", content: "kit" }])).toThrow(/host\/precious would land outside the directory through a symbolic link/);
    expect(fs.readFileSync(path.join(outside, "precious"), "utf8")).toBe("keep");
    writePlanFiles(checkOutDir(dir), [{ rel: "plan.json", content: "kit" }]);
    expect(fs.readFileSync(path.join(outside, "precious"), "utf8")).toBe("keep");
  });
});
