// Where raw config comes from: a stack file (offline) or the Pulumi runtime (pulumi up/preview).
// Both end in parseStackConfig, so the same rules hold online and offline.
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, parseDocument } from "yaml";
import { CONFIG_NAMESPACE, ConfigError, SECRET_KEYS, editDistance, parseStackConfig, type ConfigIssue, type SecretKey, type StackModel } from "./schema";

export const STACKS_DIR = path.join(__dirname);

export interface StackFile {
  stack: string;
  /** `clawkeep:` keys with the namespace removed. */
  raw: Record<string, unknown>;
  /** Every config key of the file, namespaced, as the Pulumi runtime would see it. */
  all: Record<string, unknown>;
  region: string;
  /** Where each `clawkeep:` key sits in the file ("stacks/Pulumi.x.yaml:4:3"), for error messages. */
  positions: Record<string, string>;
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

/** A path as a person finds it: relative inside the working directory, absolute outside it. */
const shown = (file: string) => {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
};

/** Read and parse a stack file; every YAML error (file, line, column) and every misspelt namespace in one ConfigError. */
export function readStackFile(stack: string, dir = STACKS_DIR): StackFile {
  const file = stackFilePath(stack, dir);
  if (!fs.existsSync(file)) {
    throw new ConfigError([{ key: "(stack)", given: stack, allowed: `one of ${listStacks(dir).join(", ")} (a file ${path.basename(file)} in stacks/)` }]);
  }
  const text = fs.readFileSync(file, "utf8");
  const lines = text.split(/\r?\n/);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const at = (line: number, col: number) => `${shown(file)}:${line}:${col}`;
  const issues: ConfigIssue[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    return {
      key: "(yaml)",
      at: at(pos.line, pos.col),
      given: (lines[pos.line - 1] ?? "").trim(),
      allowed: `valid YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
    };
  });
  if (issues.length > 0) throw new ConfigError(issues);
  const top: unknown = doc.toJS();
  const config: unknown = top === null || top === undefined ? {} : typeof top === "object" && !Array.isArray(top) ? ((top as { config?: unknown }).config ?? {}) : top;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError([{ key: "(config)", at: at(1, 1), given: config, allowed: `a stack file whose top level is a mapping with a \`config:\` mapping of ${CONFIG_NAMESPACE}:<key>: <value> entries` }]);
  }
  const all = config as Record<string, unknown>;
  // A misspelt namespace would drop the key silently (other namespaces pass through untouched).
  const positions: Record<string, string> = {};
  const configNode = isMap(doc.contents) ? doc.contents.get("config", true) : undefined;
  for (const item of isMap(configNode) ? configNode.items : []) {
    if (!isScalar(item.key) || !item.key.range) continue;
    const lc = lineCol(text, item.key.range[0]);
    const [ns, ...rest] = String(item.key.value).split(":");
    if (ns === CONFIG_NAMESPACE) positions[rest.join(":")] = at(lc.line, lc.col);
    if (ns !== CONFIG_NAMESPACE && rest.length > 0 && editDistance(ns, CONFIG_NAMESPACE) <= 2) {
      issues.push({ key: String(item.key.value), at: at(lc.line, lc.col), given: all[String(item.key.value)], allowed: `a key of the ${CONFIG_NAMESPACE}: namespace (did you mean ${CONFIG_NAMESPACE}:${rest.join(":")}?)` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const region = typeof all["aws:region"] === "string" ? (all["aws:region"] as string) : "us-east-1";
  return { stack, raw: namespaced(all), all, region, positions };
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split(/\n/);
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/**
 * `key=value` (namespace optional); the value is read as YAML so numbers, booleans and lists work.
 * Every bad override is reported; the good ones are applied, so the rest of the config can be checked too.
 */
export function collectOverrides(raw: Record<string, unknown>, overrides: string[]): { raw: Record<string, unknown>; issues: ConfigIssue[] } {
  const out = { ...raw };
  const issues: ConfigIssue[] = [];
  for (const o of overrides) {
    const eq = o.indexOf("=");
    if (eq <= 0) {
      issues.push({ key: "(--config)", given: o, allowed: "key=value, e.g. trustLevel=2" });
      continue;
    }
    const key = o.slice(0, eq).replace(new RegExp(`^${CONFIG_NAMESPACE}:`), "");
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      issues.push({ key, given: "(redacted)", allowed: "secrets only from the stack file's {secure: ...} or pulumi config set --secret" });
      continue;
    }
    const value = parseDocument(o.slice(eq + 1));
    if (value.errors.length > 0) {
      issues.push({ key, given: o.slice(eq + 1), allowed: `a YAML value (${value.errors[0].message.split("\n")[0]})` });
      continue;
    }
    out[key] = value.toJS();
  }
  return { raw: out, issues };
}

/** collectOverrides, throwing every bad override at once. */
export function applyOverrides(raw: Record<string, unknown>, overrides: string[]): Record<string, unknown> {
  const { raw: out, issues } = collectOverrides(raw, overrides);
  if (issues.length > 0) throw new ConfigError(issues);
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
