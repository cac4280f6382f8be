// Names of the cell's AWS resources and secrets, and the tags every resource carries: deterministic,
// so the host, the functions and the operator tools find each other by name before anything exists.
import { TRUST_LEVEL_TAG, type TrustLevel } from "../../stacks/trustLevels";

export const STACK_TAG = "clawkeep:stack";
export const CELL_TAG = "clawkeep:cell";

/** The tags of every resource of a cell: the one place the trust-level tag is written. */
export function cellTags(stack: string, cellName: string, trustLevel: TrustLevel, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [STACK_TAG]: stack, [CELL_TAG]: cellName, [TRUST_LEVEL_TAG]: String(trustLevel) };
}

/** Every secret the host may read sits under its cell's prefix; the instance role is scoped to it. */
export function cellSecretPrefix(stack: string, cellName: string): string {
  return `clawkeep/${stack}/${cellName}/`;
}

/** Name of the gateway token's secret: deterministic, so the boot script can ask for it by name. */
export function tokenSecretName(stack: string, cellName: string): string {
  return `${cellSecretPrefix(stack, cellName)}gateway-token`;
}

export function providerKeySecretName(stack: string, cellName: string, provider: string): string {
  return `${cellSecretPrefix(stack, cellName)}${provider}-api-key`;
}

/** Admin credentials (the OpenAI admin key) live outside the cell prefix: the host can never read them. */
export function adminSecretName(stack: string, cellName: string, what: string): string {
  return `clawkeep-admin/${stack}/${cellName}/${what}`;
}

/** The join document's secret: deterministic, so the host's tailscale.env can name it. */
export function tailscaleJoinSecretName(stack: string, cellName: string): string {
  return `${cellSecretPrefix(stack, cellName)}tailscale-join`;
}

/** The node's name in the tailnet (a DNS label). */
export function tailscaleHostname(stack: string, cellName: string): string {
  return `clawkeep-${stack}-${cellName}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 63);
}

/** S3 bucket names are global: the account, stack and cell make it unique and predictable. */
export function bundleBucketName(accountId: string, stack: string, cellName: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  return `clawkeep-${accountId}-${clean(stack)}-${clean(cellName)}`.slice(0, 63).replace(/-+$/, "");
}

/** Fixed, so the admin key's policy can name the role before it exists. */
export function openaiRotationRoleName(stack: string, cellName: string): string {
  return `clawkeep-${stack}-${cellName}-openai-rotation`.slice(0, 64);
}

/** Every IAM role of a cell sits under this path: the cell's Admin may read its roles by prefix, and nothing else. */
export function cellRolePath(stack: string, cellName: string): string {
  return `/clawkeep/${stack}/${cellName}/`;
}

/** A role name fixed in advance, where a policy must name the role before it exists (unique per account). */
export function cellRoleName(stack: string, cellName: string, what: string): string {
  return `clawkeep-${stack}-${cellName}-${what}`.slice(0, 64);
}

/** The ARN of a role of the cell named with cellRoleName. */
export function cellRoleArn(accountId: string, stack: string, cellName: string, what: string): string {
  return `arn:aws:iam::${accountId}:role${cellRolePath(stack, cellName)}${cellRoleName(stack, cellName, what)}`;
}
