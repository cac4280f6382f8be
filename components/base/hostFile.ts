// The unit every host renderer produces: one file as it lands on the host.

/** One file as it lands on the host. */
export interface HostFile {
  path: string;
  /** The file's text, or its bytes in base64 when `encoding` says so. */
  content: string;
  /** "base64" for a binary file (the git wrapper's ELF front). */
  encoding?: "base64";
  /** Octal, e.g. "0640". */
  mode: string;
  /** user:group */
  owner: string;
}

export const ROOT_OWNER = "root:root";
export const SYSTEMD_UNIT_DIR = "/etc/systemd/system";

/** A root-owned systemd unit file. */
export function unitFile(name: string, content: string): HostFile {
  return { path: `${SYSTEMD_UNIT_DIR}/${name}`, content, mode: "0644", owner: ROOT_OWNER };
}

/** A host file's bytes as they land on the host. */
export function hostFileBytes(f: HostFile): Buffer {
  return f.encoding === "base64" ? Buffer.from(f.content, "base64") : Buffer.from(f.content, "utf8");
}
