// The unit every host renderer produces: one file as it lands on the host.

/** One file as it lands on the host. */
export interface HostFile {
  path: string;
  content: string;
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
