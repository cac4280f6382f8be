// The host bundle's format, read back: shared by the plan (which must reach no renderer) and the tests.
import * as zlib from "node:zlib";
import type { HostFile } from "../base/hostFile";

/** One entry as it travels: the file, and the actions a change to it needs on a running host (effects.ts). */
export interface BundleEntry {
  path: string;
  mode: string;
  owner: string;
  /** base64 */
  content: string;
  effect: string[];
}

/** The raw entries of a packed bundle, effect tags included. */
export function bundleEntries(gz: Buffer): BundleEntry[] {
  return JSON.parse(zlib.gunzipSync(gz).toString("utf8")) as BundleEntry[];
}

/** Read a packed bundle back (for review and the plan): the inverse of packBundle; a file that is not UTF-8 stays base64. */
export function unpackBundle(gz: Buffer): HostFile[] {
  return bundleEntries(gz).map((e) => {
    const bytes = Buffer.from(e.content, "base64");
    const text = bytes.toString("utf8");
    const file = { path: e.path, mode: e.mode, owner: e.owner };
    return Buffer.from(text, "utf8").equals(bytes) && !text.includes("\0") ? { ...file, content: text } : { ...file, content: e.content, encoding: "base64" as const };
  });
}
