// What the CrossGuard pack reads before it judges anything, from the same places the offline plan
// reads them: the stack's reviewed exceptions (the Pulumi CLI hands the pack process the stack's
// config as PULUMI_CONFIG, as it does a program) and the pack's config (the engine's Configure call).
// Bad input stops the pack: exit 2 at start, or the Configure call refused, naming key, value and allowed.
import * as path from "node:path";
import { decodeConfigValue, formatIssues, parsePolicyExceptions, CONFIG_NAMESPACE, type ConfigIssue } from "../stacks";
import { exceptionIssues, type PolicyException } from "./lib/exceptions";
import { packConfigIssues, type PackConfig } from "./lib/packConfig";
import { isRecord } from "./lib/values";
import { RULES } from "./rules";

export const EXCEPTIONS_KEY = `${CONFIG_NAMESPACE}:policyExceptions`;

/** The stack's exceptions from the pack process's environment, or every issue with them. */
export function exceptionsFromEnv(env: NodeJS.ProcessEnv = process.env): { exceptions: PolicyException[]; issues: ConfigIssue[] } {
  let config: unknown = {};
  try {
    config = JSON.parse(env.PULUMI_CONFIG ?? "{}");
  } catch {
    return { exceptions: [], issues: [{ key: "(PULUMI_CONFIG)", given: "(not JSON)", allowed: "the stack config as the Pulumi CLI passes it: a JSON object" }] };
  }
  const raw = isRecord(config) ? config[EXCEPTIONS_KEY] : undefined;
  if (raw === undefined) return { exceptions: [], issues: [] };
  const { exceptions, issues } = parsePolicyExceptions(typeof raw === "string" ? decodeConfigValue(raw) : raw);
  return { exceptions, issues: [...issues, ...exceptionIssues(exceptions, RULES.map((r) => r.name))] };
}

/** The exceptions the pack applies; a bad list ends the process with exit 2 (the preview fails, nothing is judged). */
export function exceptionsOrExit(env: NodeJS.ProcessEnv = process.env): PolicyException[] {
  const { exceptions, issues } = exceptionsFromEnv(env);
  if (issues.length > 0) {
    process.stderr.write(`clawkeep policy pack: ${formatIssues(issues)}\n`);
    process.exit(2);
  }
  return exceptions;
}

interface ConfigureCall {
  request: { getPolicyconfigMap(): { entries(): Iterable<[string, { getProperties(): { toJavaScript(): unknown } | undefined; getEnforcementlevel(): number }]> } };
}
type Handler = (call: ConfigureCall, callback: (e: { code: number; details: string } | null, r?: unknown) => void) => void;
interface GrpcServer {
  addService(service: unknown, impl: Record<string, unknown>): void;
}

/** The engine's enforcement-level enum (pulumi/proto analyzer.proto) as the pack config names it. */
const LEVEL_NAMES: Readonly<Record<number, string>> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
const INVALID_ARGUMENT = 3;

/** The Configure call's policy config as PackConfig. */
function packConfigOf(call: ConfigureCall): PackConfig {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, v] of call.request.getPolicyconfigMap().entries()) {
    const props = v.getProperties()?.toJavaScript();
    out[name] = { ...(isRecord(props) ? props : {}), enforcementLevel: LEVEL_NAMES[v.getEnforcementlevel()] ?? String(v.getEnforcementlevel()) };
  }
  return out;
}

/**
 * Refuse a pack config that weakens an always-mandatory rule (or names what does not exist) at the
 * engine's Configure call, before @pulumi/policy's own handler stores it: the same check as offline.
 */
export function guardPackConfig(): void {
  // The grpc-js instance @pulumi/policy's server uses, whichever copy that is.
  const grpcPath = require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/policy"))] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require(grpcPath) as { Server: { prototype: GrpcServer } };
  const original = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (this: GrpcServer, service: unknown, impl: Record<string, unknown>) {
    const configure = impl.configure as Handler | undefined;
    if (!configure) return original.call(this, service, impl);
    const guarded: Handler = (call, callback) => {
      const issues = packConfigIssues(packConfigOf(call), RULES);
      if (issues.length > 0) return callback({ code: INVALID_ARGUMENT, details: `clawkeep policy pack: ${formatIssues(issues)}` });
      return configure(call, callback);
    };
    return original.call(this, service, { ...impl, configure: guarded });
  };
}
