// The host bundle: every host file but the unpacker, as one gzip'd JSON object in the cell's private
// S3 bucket. EC2 caps user data at 16 KB, and the kit's files (scripts, units, keys, configs) outgrow
// it; the user data keeps only the unpacker and the bundle's address and SHA-256, so what boots is
// still pinned by the user data, and nothing else can swap it.
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import { PATHS } from "../base/layout";
import { hostFileBytes, type HostFile } from "../base/hostFile";

export interface BundleRef {
  bucket: string;
  key: string;
  sha256: string;
  region: string;
}

export interface PackedBundle {
  /** gzip'd JSON: [{path, mode, owner, content (base64)}]. */
  gz: Buffer;
  sha256: string;
  /** Content-addressed: a changed bundle is a new object, so a booting host never reads a half-new one. */
  key: string;
}

export const UNPACK_SCRIPT_PATH = `${PATHS.libexecDir}/unpack-bundle`;
export const BUNDLE_DOWNLOAD = "/run/clawkeep-host-bundle.json.gz";

export function packBundle(files: HostFile[]): PackedBundle {
  const json = JSON.stringify(files.map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, content: hostFileBytes(f).toString("base64") })));
  // mtime 0: the same files give the same bytes, so the key and hash are stable across runs.
  const gz = zlib.gzipSync(Buffer.from(json, "utf8"), { level: 9 });
  gz.writeUInt32LE(0, 4);
  const sha256 = createHash("sha256").update(gz).digest("hex");
  return { gz, sha256, key: `host-bundle/${sha256}.json.gz` };
}

/** Read a packed bundle back (for tests and review): the inverse of packBundle; a file that is not UTF-8 stays base64. */
export function unpackBundle(gz: Buffer): HostFile[] {
  const entries = JSON.parse(zlib.gunzipSync(gz).toString("utf8")) as Array<HostFile & { content: string }>;
  return entries.map((e) => {
    const bytes = Buffer.from(e.content, "base64");
    const text = bytes.toString("utf8");
    return Buffer.from(text, "utf8").equals(bytes) && !text.includes("\0") ? { ...e, content: text } : { ...e, content: e.content, encoding: "base64" as const };
  });
}

/**
 * Checks the bundle against the SHA-256 the user data pins, then writes each file atomically with its
 * mode and owner. Python: cloud-init (and so python3) is on every host that runs this.
 */
export function renderUnpackScript(): string {
  return `#!/usr/bin/python3 -I
"""clawkeep: verify the host bundle against its pinned SHA-256, then install its files."""
import base64, grp, gzip, hashlib, json, os, pwd, sys

path, want = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
got = hashlib.sha256(data).hexdigest()
if got != want:
    sys.exit(f"unpack-bundle: {path} has SHA-256 {got}, the user data pins {want}; nothing installed")
for entry in json.loads(gzip.decompress(data)):
    target = entry["path"]
    if not target.startswith("/") or ".." in target.split("/"):
        sys.exit(f"unpack-bundle: refusing path {target!r}")
    user, group = entry["owner"].split(":")
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    tmp = f"{target}.clawkeep-new"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, base64.b64decode(entry["content"]))
        os.fchown(fd, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
        os.fchmod(fd, int(entry["mode"], 8))
    finally:
        os.close(fd)
    os.replace(tmp, target)
    print(f"unpack-bundle: {entry['mode']} {entry['owner']} {target}")
`;
}

export function unpackScriptFile(): HostFile {
  return { path: UNPACK_SCRIPT_PATH, content: renderUnpackScript(), mode: "0750", owner: "root:root" };
}

/** runcmd steps that fetch the bundle with the instance role and install it, before anything else runs. */
export function bundleRuncmd(ref: BundleRef): string[][] {
  return [
    ["aws", "s3", "cp", "--only-show-errors", "--region", ref.region, `s3://${ref.bucket}/${ref.key}`, BUNDLE_DOWNLOAD],
    [UNPACK_SCRIPT_PATH, BUNDLE_DOWNLOAD, ref.sha256],
    ["rm", "-f", BUNDLE_DOWNLOAD],
  ];
}
