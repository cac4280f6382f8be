// Evaluates a Pulumi TypeScript program offline under Pulumi's mock runtime and returns the
// resource graph it would register: what `pulumi preview` would send to the engine, minus the cloud.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue } from "../policy/lib/engineValues";
import { mockCall, mockState } from "./mocks";

export const REDACTED = "[secret]";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** Parent URN, or "" for a top-level resource. */
  parent: string;
  /** false for component resources. */
  custom: boolean;
  /** Inputs as the engine receives them; secrets still wrapped (see isSecretValue). */
  inputs: Record<string, unknown>;
  /** Outputs as the mock returns them (inputs plus computed ids and ARNs). */
  state: Record<string, unknown>;
  dependencies: string[];
}

export interface EvaluateOptions {
  /** Absolute or cwd-relative path to the program's entry file (index.ts). */
  program: string;
  project: string;
  stack: string;
  /** Namespaced config (`clawkeep:trustLevel`), values as the Pulumi runtime holds them: strings. */
  config: Record<string, string>;
  secretKeys?: string[];
  region?: string;
}

export interface Evaluation {
  resources: PlannedResource[];
  /** The program's stack outputs (export const ...), resolved. */
  outputs: Record<string, unknown>;
  /** Errors the program raised while running (thrown at load or inside an apply). */
  errors: Error[];
}

export class ProgramLoadError extends Error {
  constructor(
    message: string,
    readonly causes: Error[],
  ) {
    super(message);
    this.name = "ProgramLoadError";
  }
}

/** Replace every secret (and any string that contains a known secret value) with REDACTED. */
export function redact(value: unknown, knownSecrets: readonly string[] = []): unknown {
  if (isSecretValue(value)) return REDACTED;
  if (typeof value === "string") {
    return knownSecrets.some((s) => s.length >= 8 && value.includes(s)) ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, knownSecrets));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, knownSecrets)]));
  }
  return value;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
}
interface RegisterResponse {
  getUrn(): string;
}
interface MonitorLike {
  registerResource(req: RegisterRequest, cb: (err: unknown, resp?: RegisterResponse) => void): Promise<void>;
}
// waitForRPCs drains the runtime's RPC queue; it is exported by the runtime's JS, not its typings.
interface RuntimeSettings {
  waitForRPCs(): Promise<void>;
}

async function resolveOutputs(exports: unknown): Promise<Record<string, unknown>> {
  if (exports === null || typeof exports !== "object") return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(exports as Record<string, unknown>)) {
    if (pulumi.Output.isInstance(v)) {
      out[k] = await new Promise((resolve) => v.apply((x) => resolve(x)));
    } else if (v instanceof Promise) {
      out[k] = await v;
    } else if (typeof v !== "function") {
      out[k] = v;
    }
  }
  return out;
}

/**
 * Load a TypeScript program the way `pulumi up` would (CommonJS, compiled on the fly), fresh each
 * time: tsx's scoped loader compiles it whatever runs us (the tsx CLI or vitest).
 */
function loadTypeScript(programPath: string): unknown {
  // tsx's CJS API; a namespace per load re-executes the program and its local modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { register } = require("tsx/cjs/api") as { register(o: { namespace: string }): { require(id: string, from: string): unknown; unregister(): void } };
  const api = register({ namespace: `clawkeep-plan-${++loads}` });
  try {
    return api.require(programPath, __filename);
  } finally {
    api.unregister();
  }
}
let loads = 0;

/**
 * Run `program` under the mock runtime with `config` and collect every resource it registers.
 * Evaluations run one at a time in a process (the Pulumi runtime is global state).
 */
export async function evaluateProgram(opts: EvaluateOptions): Promise<Evaluation> {
  const region = opts.region ?? "us-east-1";
  const errors: Error[] = [];
  const byUrn = new Map<string, PlannedResource>();
  const pending = new Map<string, { inputs: Record<string, unknown>; state: Record<string, unknown> }>();

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const state = mockState(args.type, args.name, args.inputs, region);
        // Keyed by type and name: the monitor wrapper below pairs it with the URN and parent.
        pending.set(`${args.type}::${args.name}`, { inputs: args.inputs, state: state.state });
        return state;
      },
      call: (args) => mockCall(args.token, args.inputs, region),
    },
    opts.project,
    opts.stack,
    false,
  );
  pulumi.runtime.setAllConfig(opts.config, opts.secretKeys ?? []);

  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    original(req, (err, resp) => {
      if (!err && resp) {
        const urn = resp.getUrn();
        const key = `${req.getType()}::${req.getName()}`;
        const seen = pending.get(key);
        if (byUrn.has(urn)) errors.push(new Error(`duplicate resource URN ${urn} (a real deployment would fail)`));
        byUrn.set(urn, {
          urn,
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          custom: req.getCustom(),
          inputs: seen?.inputs ?? {},
          state: seen?.state ?? {},
          dependencies: req.getDependenciesList(),
        });
      }
      cb(err, resp);
    });

  const onRejection = (reason: unknown) => errors.push(reason instanceof Error ? reason : new Error(String(reason)));
  process.on("unhandledRejection", onRejection);
  const logError = pulumi.log.error;
  pulumi.log.error = async (msg: string) => {
    errors.push(new Error(msg));
  };
  try {
    const programPath = path.resolve(opts.program);
    let exported: unknown;
    try {
      exported = loadTypeScript(programPath);
    } catch (e) {
      throw new ProgramLoadError(`cannot load program ${opts.program}: ${(e as Error).message}`, [e as Error]);
    }
    const outputs = await resolveOutputs(exported);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await (require("@pulumi/pulumi/runtime/settings") as RuntimeSettings).waitForRPCs();
    return { resources: [...byUrn.values()], outputs, errors };
  } finally {
    process.off("unhandledRejection", onRejection);
    pulumi.log.error = logError;
  }
}
