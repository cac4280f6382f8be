// The host bundle: every host file but the apply machinery, as one gzip'd JSON object in the cell's
// private S3 bucket, content-addressed by its SHA-256. The cell's bundle pointer (an SSM parameter)
// names the SHA-256 the host must run; apply-bundle fetches that object, checks the hash and installs
// it. Each entry carries the actions a change to it needs on a running host (effects.ts).
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import { hostFileBytes, type HostFile } from "../base/hostFile";
import { bundleKey } from "../base/names";
import type { BundleEntry } from "./bundleFormat";
import { hostFileActions } from "./effects";

export interface PackedBundle {
  /** gzip'd JSON: [{path, mode, owner, content (base64), effect}]. */
  gz: Buffer;
  sha256: string;
  /** Content-addressed: a changed bundle is a new object, so a booting host never reads a half-new one. */
  key: string;
}

export function packBundle(files: HostFile[]): PackedBundle {
  const entries: BundleEntry[] = files.map((f) => {
    const effect = hostFileActions(f.path);
    if (effect === null) throw new Error(`host file ${f.path} has no classification in components/host/effects.ts: say what a change to it needs on a running host`);
    return { path: f.path, mode: f.mode, owner: f.owner, content: hostFileBytes(f).toString("base64"), effect };
  });
  // mtime 0: the same files give the same bytes, so the key and hash are stable across runs.
  const gz = zlib.gzipSync(Buffer.from(JSON.stringify(entries), "utf8"), { level: 9 });
  gz.writeUInt32LE(0, 4);
  const sha256 = createHash("sha256").update(gz).digest("hex");
  return { gz, sha256, key: bundleKey(sha256) };
}

export { bundleEntries, unpackBundle, type BundleEntry } from "./bundleFormat";
