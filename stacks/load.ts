// Where raw config comes from: a stack file (offline) or the Pulumi runtime (pulumi up/preview).
// Both end in parseStackConfig, so the same rules hold online and offline.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE, ConfigError, SECRET_KEYS, parseStackConfig, type SecretKey, type StackModel } from "./schema";

export const STACKS_DIR = path.join(__dirname);

export interface StackFile {
  stack: string;
  /** `clawkeep:` keys with the namespace removed. */
  raw: Record<string, unknown>;
  /** Every config key of the file, namespaced, as the Pulumi runtime would see it. */
  all: Record<string, unknown>;
  region: string;
}

export function stackFilePath(stack: string, dir = STACKS_DIR): string {
  return path.join(dir, `Pulumi.${stack}.yaml`);
}

export function listStacks(dir = STACKS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort();
}

/** Split namespaced config into the kit's raw object. Keys of other namespaces (aws:, tailscale:) pass through. */
export function namespaced(all: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) {
    const [ns, ...rest] = k.split(":");
    if (ns === CONFIG_NAMESPACE && rest.length > 0) raw[rest.join(":")] = v;
  }
  return raw;
}

export function readStackFile(stack: string, dir = STACKS_DIR): StackFile {
  const file = stackFilePath(stack, dir);
  if (!fs.existsSync(file)) {
    throw new ConfigError([{ key: "(stack)", given: stack, allowed: `one of ${listStacks(dir).join(", ")} (a file ${path.basename(file)} in stacks/)` }]);
  }
  const doc: unknown = parseYaml(fs.readFileSync(file, "utf8"));
  const config = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
  const region = typeof config["aws:region"] === "string" ? (config["aws:region"] as string) : "us-east-1";
  return { stack, raw: namespaced(config), all: config, region };
}

/** `key=value` (namespace optional); the value is read as YAML so numbers, booleans and lists work. */
export function applyOverrides(raw: Record<string, unknown>, overrides: string[]): Record<string, unknown> {
  const out = { ...raw };
  for (const o of overrides) {
    const eq = o.indexOf("=");
    if (eq <= 0) throw new ConfigError([{ key: "(--config)", given: o, allowed: "key=value, e.g. trustLevel=2" }]);
    const key = o.slice(0, eq).replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "");
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError([{ key, given: "(redacted)", allowed: "secrets only from the stack file's {secure: ...} or pulumi config set --secret" }]);
    }
    out[key] = parseYaml(o.slice(eq + 1));
  }
  return out;
}

export function loadStackFile(stack: string, overrides: string[] = [], dir = STACKS_DIR): StackModel & { stack: string; region: string } {
  const file = readStackFile(stack, dir);
  return { ...parseStackConfig(applyOverrides(file.raw, overrides)), stack, region: file.region };
}

// isConfigSecret is exported by the runtime's JS but not its typings; the shape is narrowed here.
interface RuntimeConfig {
  allConfig(): Record<string, string>;
  isConfigSecret(k: string): boolean;
}

/** Read the stack's config as `pulumi up` sees it. A secret key that is not encrypted is an error. */
export function loadPulumiConfig(): StackModel {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as RuntimeConfig;
  const all = runtimeConfig.allConfig();
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(namespaced(all))) {
    const fullKey = `${CONFIG_NAMESPACE}:${k}`;
    if ((SECRET_KEYS as readonly string[]).includes(k)) {
      if (!runtimeConfig.isConfigSecret(fullKey)) {
        throw new ConfigError([{ key: k as SecretKey, given: "a plain-text value", allowed: `a secret: pulumi config set --secret ${fullKey}` }]);
      }
      raw[k] = { __decryptedSecret: String(v) };
      continue;
    }
    raw[k] = decodeConfigValue(String(v));
  }
  return parseStackConfig(raw);
}

/** The runtime hands every value over as a string; structured values are JSON. */
export function decodeConfigValue(v: string): unknown {
  if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(v) || /^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}
