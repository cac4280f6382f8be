// Real tools the tests use. A test that needs one asks here: when it is missing, the test is skipped
// with the reason, except under CI=true, where a missing tool is a failure (.ci/run installs them all).
import { spawnSync } from "node:child_process";

export const IN_CI = process.env.CI === "true";

export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/**
 * True when every command is on PATH. Missing under CI: throws, so the suite fails instead of
 * skipping. Missing elsewhere: false, and the caller skips with `describe.skipIf(!needTools(...))`.
 */
export function needTools(...cmds: string[]): boolean {
  const missing = cmds.filter((c) => !hasCommand(c));
  if (missing.length === 0) return true;
  const msg = `real tool(s) missing: ${missing.join(", ")} (npm run setup:tools installs them)`;
  if (IN_CI) throw new Error(`${msg}; CI=true, so this is a failure, not a skip`);
  console.warn(`skipping: ${msg}`);
  return false;
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}
