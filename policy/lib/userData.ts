// User data as the instance will see it: plain text, base64 (launch templates, userDataBase64) and
// gzip, and the files a #cloud-config writes (write_files, content plain, b64 or gzip+base64).
import * as zlib from "node:zlib";
import { parse as parseYaml } from "yaml";
import { asArray, isRecord, readKnown } from "./values";

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}$/;

function isGzip(buf: Buffer): boolean {
  return buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

function printable(text: string): boolean {
  if (text.length === 0 || text.includes("\uFFFD")) return false;
  // eslint-disable-next-line no-control-regex
  const control = text.match(/[\x00-\x08\x0E-\x1F]/g)?.length ?? 0;
  return control === 0;
}

/** A base64 (optionally gzipped) text decoded, or undefined when `s` is not one. */
export function decodeBase64Text(s: string): string | undefined {
  const compact = s.replace(/\s+/g, "");
  if (compact.length < 8 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  let buf = Buffer.from(compact, "base64");
  if (isGzip(buf)) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch {
      return undefined;
    }
  }
  const text = buf.toString("utf8");
  return printable(text) ? text : undefined;
}

function gunzipText(buf: Buffer): string | undefined {
  try {
    return zlib.gunzipSync(buf).toString("utf8");
  } catch {
    return undefined;
  }
}

/** The user data text of an Instance or LaunchTemplate, decoded; undefined when it has none (or it is not known yet). */
export function userDataText(props: Record<string, unknown>): string | undefined {
  const b64 = readKnown(props, "userDataBase64", undefined);
  if (typeof b64 === "string" && b64.length > 0) return decodeBase64Text(b64);
  const ud = readKnown(props, "userData", undefined);
  if (typeof ud !== "string" || ud.length === 0) return undefined;
  // Launch templates take base64; an Instance's userData may also carry base64 text.
  return decodeBase64Text(ud) ?? ud;
}

export interface WrittenFile {
  path: string;
  /** Decoded content, or undefined when the encoding could not be decoded. */
  content?: string;
  encoding: string;
}

/** The files a #cloud-config user data writes (write_files). Not cloud-config: []. */
export function cloudConfigFiles(userData: string): WrittenFile[] {
  if (!/^#cloud-config\s/.test(userData)) return [];
  let doc: unknown;
  try {
    doc = parseYaml(userData);
  } catch {
    return [];
  }
  if (!isRecord(doc)) return [];
  const files: WrittenFile[] = [];
  for (const f of asArray(doc.write_files)) {
    if (!isRecord(f) || typeof f.path !== "string") continue;
    const encoding = typeof f.encoding === "string" ? f.encoding.toLowerCase() : "text/plain";
    const raw = typeof f.content === "string" ? f.content : "";
    files.push({ path: f.path, encoding, content: decodeContent(raw, encoding) });
  }
  return files;
}

// cloud-init's accepted spellings (cc_write_files.py).
function decodeContent(raw: string, encoding: string): string | undefined {
  switch (encoding) {
    case "b64":
    case "base64":
      return Buffer.from(raw.replace(/\s+/g, ""), "base64").toString("utf8");
    case "gz":
    case "gzip":
      return gunzipText(Buffer.from(raw, "latin1"));
    case "gz+base64":
    case "gzip+base64":
    case "gz+b64":
    case "gzip+b64":
      return gunzipText(Buffer.from(raw.replace(/\s+/g, ""), "base64"));
    case "text/plain":
      return raw;
    default:
      return undefined;
  }
}

/**
 * The files of a host bundle, the S3 object a #cloud-config fetches when a host's files outgrow
 * user data (clawkeep's own format: gzip'd JSON [{path, content (base64)}]). [] for any other object.
 */
export function hostBundleFiles(props: Record<string, unknown>): WrittenFile[] {
  const b64 = readKnown(props, "contentBase64", undefined);
  if (typeof b64 !== "string" || b64.length === 0) return [];
  const buf = Buffer.from(b64, "base64");
  const text = isGzip(buf) ? gunzipText(buf) : buf.toString("utf8");
  let entries: unknown;
  try {
    entries = JSON.parse(text ?? "");
  } catch {
    return [];
  }
  return asArray(entries).flatMap((e) =>
    isRecord(e) && typeof e.path === "string" && typeof e.content === "string"
      ? [{ path: e.path, encoding: "base64", content: Buffer.from(e.content, "base64").toString("utf8") }]
      : [],
  );
}

/** Every file a resource delivers to a host: what its cloud-config writes, or what its host bundle holds. */
export function shippedFiles(props: Record<string, unknown>): WrittenFile[] {
  const ud = userDataText(props);
  return [...(ud === undefined ? [] : cloudConfigFiles(ud)), ...hostBundleFiles(props)];
}

/** Every text a host receives in clear: the user data itself, each file it writes, each bundled file. */
export function userDataTexts(props: Record<string, unknown>): Array<{ where: string; text: string }> {
  const ud = userDataText(props);
  const out = ud === undefined ? [] : [{ where: "user data", text: ud }];
  if (ud !== undefined) {
    for (const f of cloudConfigFiles(ud)) {
      if (f.content !== undefined && f.encoding !== "text/plain") out.push({ where: `user data file ${f.path}`, text: f.content });
    }
  }
  for (const f of hostBundleFiles(props)) if (f.content !== undefined) out.push({ where: `host bundle file ${f.path}`, text: f.content });
  return out;
}
