// `--out DIR`: checked before anything is evaluated, so an unusable directory costs nothing and writes
// nothing. A plan records what it wrote in DIR/.clawkeep-plan-manifest.json; the next plan into DIR
// removes exactly those files (and the directories that leaves empty) and nothing else. A directory
// holding other files and no manifest is refused, naming them.
import * as fs from "node:fs";
import * as path from "node:path";

export const MANIFEST = ".clawkeep-plan-manifest.json";
const MANIFEST_KIND = "clawkeep-offline-plan-files";

/** Why DIR cannot take a plan; exit 2 with this message. */
export class OutDirError extends Error {
  constructor(
    readonly dir: string,
    readonly why: string,
  ) {
    super(`--out ${dir}: ${why}`);
    this.name = "OutDirError";
  }
}

/** DIR, checked: where it is, and the files an earlier plan wrote there (relative to DIR). */
export interface OutDir {
  dir: string;
  previous: string[];
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? "error";

function assertWritable(dir: string, shown: string, what: string): void {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    const code = errno(e);
    const why = code === "EROFS" ? "is on a read-only file system" : code === "EACCES" || code === "EPERM" ? "is not writable by this user" : `cannot be written (${code})`;
    throw new OutDirError(shown, `${what} ${why} (${code})`);
  }
}

/** A manifest entry must stay inside DIR: relative, no `..`, no absolute path. */
function insideEntry(rel: unknown): rel is string {
  return typeof rel === "string" && rel !== "" && !path.isAbsolute(rel) && !rel.split(/[\\/]/).includes("..");
}

function readManifest(dir: string, shown: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), "utf8"));
  } catch (e) {
    throw new OutDirError(shown, `${MANIFEST} cannot be read (${e instanceof SyntaxError ? "not JSON" : errno(e)}); remove it, or choose another directory`);
  }
  const files = (parsed as { kind?: unknown; files?: unknown }).files;
  if ((parsed as { kind?: unknown }).kind !== MANIFEST_KIND || !Array.isArray(files)) {
    throw new OutDirError(shown, `${MANIFEST} is not a clawkeep plan manifest; remove it, or choose another directory`);
  }
  const outside = files.filter((f) => !insideEntry(f));
  if (outside.length > 0) throw new OutDirError(shown, `${MANIFEST} lists paths outside the directory (${outside.slice(0, 3).map(String).join(", ")}); refusing to remove anything`);
  return files as string[];
}

/** Check DIR before any evaluation; throws OutDirError naming the path and why. */
export function checkOutDir(dir: string): OutDir {
  const abs = path.resolve(dir);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    if (errno(e) === "ENOTDIR") {
      // Some component of the path is a file.
      let up = path.dirname(abs);
      while (up !== path.dirname(up) && !(fs.existsSync(up) && fs.statSync(up).isDirectory())) up = path.dirname(up);
      throw new OutDirError(dir, `a part of the path is a file, not a directory (ENOTDIR, below ${up})`);
    }
    if (errno(e) !== "ENOENT") throw new OutDirError(dir, `cannot be read (${errno(e)})`);
  }
  if (st && !st.isDirectory()) throw new OutDirError(dir, "is a file, not a directory (ENOTDIR)");
  if (!st) {
    // A new directory: its nearest existing ancestor must be a directory we may create entries in.
    let up = path.dirname(abs);
    while (!fs.existsSync(up)) up = path.dirname(up);
    if (!fs.statSync(up).isDirectory()) throw new OutDirError(dir, `${up} is a file, not a directory (ENOTDIR)`);
    assertWritable(up, dir, `cannot be created: ${up}`);
    return { dir: abs, previous: [] };
  }
  assertWritable(abs, dir, "the directory");
  const entries = fs.readdirSync(abs);
  if (entries.length === 0) return { dir: abs, previous: [] };
  if (entries.includes(MANIFEST)) return { dir: abs, previous: readManifest(abs, dir) };
  const shown = entries.sort().slice(0, 5).join(", ");
  throw new OutDirError(dir, `holds files the kit did not write (${shown}${entries.length > 5 ? `, and ${entries.length - 5} more` : ""}) and no ${MANIFEST}; choose a new or empty directory`);
}

/** Is `target` (after following any symlinked directory on the way) still inside `root`? */
function resolvesInside(root: string, target: string): boolean {
  const realRoot = fs.realpathSync(root);
  let parent = path.dirname(target);
  while (!fs.existsSync(parent)) parent = path.dirname(parent);
  const real = path.join(fs.realpathSync(parent), path.relative(parent, target));
  return real === realRoot || real.startsWith(`${realRoot}${path.sep}`);
}

/** Remove the earlier plan's files (only those) and the directories that leaves empty. */
function removePrevious(out: OutDir): void {
  for (const rel of out.previous) {
    const target = path.join(out.dir, rel);
    if (!resolvesInside(out.dir, target)) continue;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(target);
    } catch {
      continue;
    }
    // A directory where the plan wrote a file was put there by someone else: leave it.
    if (st.isDirectory()) continue;
    fs.unlinkSync(target);
    for (let d = path.dirname(target); d.startsWith(`${out.dir}${path.sep}`); d = path.dirname(d)) {
      if (fs.readdirSync(d).length > 0) break;
      fs.rmdirSync(d);
    }
  }
}

/**
 * Replace the earlier plan in DIR with `files` (paths relative to DIR). Nothing is removed or written
 * when a file to write would land on something the kit did not write, or outside DIR through a link.
 * The manifest is written first, so a run cut short still leaves one naming everything it may have written.
 */
export function writePlanFiles(out: OutDir, files: ReadonlyArray<{ rel: string; content: string | Buffer }>): string[] {
  try {
    const previous = new Set(out.previous);
    for (const f of files) {
      if (!insideEntry(f.rel)) throw new OutDirError(out.dir, `refusing to write outside the directory: ${f.rel}`);
      const target = path.join(out.dir, f.rel);
      if (fs.existsSync(out.dir) && !resolvesInside(out.dir, target)) throw new OutDirError(out.dir, `${f.rel} would land outside the directory through a symbolic link`);
      if (!previous.has(f.rel) && lexists(target)) throw new OutDirError(out.dir, `${f.rel} is already there and the kit did not write it; nothing was replaced`);
    }
    removePrevious(out);
    fs.mkdirSync(out.dir, { recursive: true });
    fs.writeFileSync(path.join(out.dir, MANIFEST), `${JSON.stringify({ kind: MANIFEST_KIND, files: files.map((f) => f.rel) }, null, 2)}\n`);
    const written: string[] = [];
    for (const f of files) {
      const target = path.join(out.dir, f.rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content);
      written.push(target);
    }
    return written;
  } catch (e) {
    if (e instanceof OutDirError) throw e;
    throw new OutDirError(out.dir, `writing failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function lexists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
