// Evaluates a Pulumi TypeScript program offline under Pulumi's mock runtime and returns the
// resource graph it would register: what `pulumi preview` would send to the engine, minus the cloud.
// It fails closed: whatever the mock runtime cannot reproduce (a lookup it cannot answer, transforms,
// dynamic providers, remote components, stack references, a crash, a resource that never registered)
// is a blind spot with what and where, never a silently smaller resource list.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { resolveAssetViews } from "../policy/lib/assets";
import { isSecretValue } from "../policy/lib/engineValues";
import { unknownValue, type BlindSpot } from "../policy/lib/unknown";
import { MockCloud, NoOfflineAnswer, type AnsweredLookup } from "./mocks";

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
  /** file:line of the program that constructed it. */
  site?: string;
  /** The explicit provider's reference (`<urn>::<id>`); absent for the default provider. */
  provider?: string;
  /** Resource options the engine keeps in state (a destroy leaves a retained resource in the cloud). */
  retainOnDelete?: boolean;
  protect?: boolean;
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
  /** Give up on a program that has not settled after this long (a promise that never resolves). */
  timeoutMs?: number;
}

export interface Evaluation {
  resources: PlannedResource[];
  /** The program's stack outputs (export const ...), resolved. */
  outputs: Record<string, unknown>;
  /** Outputs the program marked secret (pulumi.secret): Pulumi encrypts them in the state and masks them. */
  secretOutputs?: string[];
  /** Errors the program raised while running (thrown at load or inside an apply). */
  errors: Error[];
  /** What the offline evaluation could not reproduce; any entry means no verdict but "cannot judge". */
  blind: BlindSpot[];
  /** Every lookup the program made and which of its answers are unknown offline. */
  lookups: AnsweredLookup[];
  /** The region of the default aws provider (the stack's aws:region; the mock answers lookups with it). */
  region?: string;
}

export class ProgramLoadError extends Error {
  constructor(
    message: string,
    readonly causes: Error[],
    /** The blind spots up to the failure, the failure itself last. */
    readonly blind: BlindSpot[] = [],
    /** What the program registered before it failed. */
    readonly partial?: Evaluation,
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
  getRetainondelete(): boolean | undefined;
  getProtect(): boolean | undefined;
  getProvider(): string;
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
/** The SDK's internal registration entry points (runtime/resource.js), called by every Resource constructor. */
interface ResourceModule {
  registerResource(res: unknown, parent: unknown, t: string, name: string, custom: boolean, remote: boolean, ...rest: unknown[]): void;
  readResource(res: unknown, parent: unknown, t: string, name: string, props: Record<string, unknown>, ...rest: unknown[]): void;
}
type Patchable = Record<string, unknown>;

/** The hidden argument that carries an invoke's call site to the mock (stripped before answering). */
const SITE_ARG = "__clawkeepCallSite";
const OWN_FILES = [__filename, path.join(__dirname, "mocks.ts")].map((f) => f.replace(/\.ts$/, ""));

/** file:line of the first stack frame in the program (not in node_modules, node internals or the plan itself). */
export function programSite(stack: string | undefined): string | undefined {
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const m = /(?:\(|^at )((?:file:\/\/)?\/[^():]+?)(?:\?[^:]*)?:(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, "");
    if (file.includes(`${path.sep}node_modules${path.sep}`) || OWN_FILES.includes(file.replace(/\.[cm]?[jt]s$/, ""))) continue;
    return `${path.relative(process.cwd(), file) || file}:${m[2]}`;
  }
  return undefined;
}

/** An Output's value through the SDK's own promise (in its JS, not its typings): it rejects when the Output failed. */
interface OutputInternals {
  promise(withUnknowns?: boolean): Promise<unknown>;
  isSecret: Promise<boolean>;
}

/** The program's exports, resolved; an export that fails is recorded and left out. */
async function resolveOutputs(exports: unknown, onError: (e: unknown) => void): Promise<{ values: Record<string, unknown>; secret: string[] }> {
  if (exports === null || typeof exports !== "object") return { values: {}, secret: [] };
  const out: Record<string, unknown> = {};
  const secret: string[] = [];
  for (const [k, v] of Object.entries(exports as Record<string, unknown>)) {
    try {
      if (pulumi.Output.isInstance(v)) {
        out[k] = await (v as unknown as OutputInternals).promise();
        if (await (v as unknown as OutputInternals).isSecret) secret.push(k);
      } else if (v instanceof Promise) out[k] = await v;
      else if (typeof v !== "function") out[k] = v;
    } catch (e) {
      onError(e);
    }
  }
  return { values: out, secret };
}

/**
 * Load a TypeScript program the way `pulumi up` would (CommonJS, compiled on the fly), fresh each
 * time: tsx's scoped loader compiles it whatever runs us (the tsx CLI or vitest).
 */
function loadTypeScript(programPath: string, beforeLoad: (requireForProgram: (id: string) => unknown) => void): unknown {
  // tsx's CJS API; a namespace per load re-executes the program and the modules it loads, the
  // Pulumi SDK included: `beforeLoad` gets the program's own copy of a module to instrument.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { register } = require("tsx/cjs/api") as { register(o: { namespace: string }): { require(id: string, from: string): unknown; unregister(): void } };
  const api = register({ namespace: `clawkeep-plan-${++loads}` });
  try {
    beforeLoad((id) => api.require(id, programPath));
    return api.require(programPath, __filename);
  } finally {
    api.unregister();
  }
}
let loads = 0;

/** Thrown in place of process.exit inside the program: the plan's own process must survive it. */
class ProgramExit extends Error {
  constructor(readonly code: unknown) {
    super(`the program called process.exit(${code === undefined ? "" : String(code)})`);
    this.name = "ProgramExit";
  }
}

const firstLine = (e: Error) => e.message.split("\n")[0];
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/**
 * The timers a program starts while it is evaluated (`fromProgram` tells by the call stack: the SDK's own
 * keepalives and retries are not the program's): one-shot timers still to fire, intervals still running.
 */
function programTimers(fromProgram: () => boolean) {
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const realSetInterval = globalThis.setInterval;
  const realClearInterval = globalThis.clearInterval;
  const pending = new Set<NodeJS.Timeout>();
  const intervals = new Set<NodeJS.Timeout>();
  let fired: Array<() => void> = [];
  const notify = () => {
    if (pending.size > 0) return;
    const waiting = fired;
    fired = [];
    for (const w of waiting) w();
  };
  const patched = {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (!fromProgram()) return realSetTimeout(fn, ms, ...args);
      const handle: NodeJS.Timeout = realSetTimeout(() => {
        pending.delete(handle);
        try {
          fn(...args);
        } finally {
          notify();
        }
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout: (handle?: NodeJS.Timeout | string | number) => {
      if (handle !== undefined && typeof handle === "object") pending.delete(handle);
      realClearTimeout(handle);
      notify();
    },
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const handle = realSetInterval(fn, ms, ...args);
      if (!fromProgram()) return handle;
      intervals.add(handle);
      return handle;
    },
    clearInterval: (handle?: NodeJS.Timeout | string | number) => {
      if (handle !== undefined && typeof handle === "object") intervals.delete(handle);
      realClearInterval(handle);
    },
  };
  Object.assign(globalThis, patched);
  return {
    pending,
    intervals,
    realSetTimeout,
    /** Resolves once no one-shot timer of the program is pending. */
    allFired: () => new Promise<void>((resolve) => (pending.size === 0 ? resolve() : fired.push(resolve))),
    restore: () => {
      Object.assign(globalThis, { setTimeout: realSetTimeout, clearTimeout: realClearTimeout, setInterval: realSetInterval, clearInterval: realClearInterval });
      for (const handle of intervals) realClearInterval(handle);
    },
  };
}

/**
 * Run `program` under the mock runtime with `config` and collect every resource it registers.
 * Evaluations run one at a time in a process (the Pulumi runtime is global state).
 */
export async function evaluateProgram(opts: EvaluateOptions): Promise<Evaluation> {
  const region = opts.region ?? "us-east-1";
  const programPath = path.resolve(opts.program);
  const programWhere = path.relative(process.cwd(), programPath) || programPath;
  const cloud = new MockCloud(region);
  const errors: Error[] = [];
  const blind: BlindSpot[] = [];
  const byUrn = new Map<string, PlannedResource>();
  const pending = new Map<string, { inputs: Record<string, unknown>; state: Record<string, unknown> }>();
  /** type::name -> call sites of each construction, and output names of each `.get`. */
  const constructed = new Map<string, string[]>();
  const readOutputs = new Map<string, string[]>();
  const siteOrProgram = (s: string | undefined) => s ?? programWhere;

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const key = `${args.type}::${args.name}`;
        const state = cloud.newResource(args.type, args.name, args.inputs, args.id && args.id !== "" ? args.id : undefined, readOutputs.get(key));
        // Keyed by type and name: the monitor wrapper below pairs it with the URN and parent.
        pending.set(key, { inputs: args.inputs, state: state.state });
        return state;
      },
      call: (args) => {
        const { [SITE_ARG]: site, ...inputs } = args.inputs as Record<string, unknown>;
        try {
          return cloud.call(args.token, inputs, typeof site === "string" ? site : undefined);
        } catch (e) {
          if (e instanceof NoOfflineAnswer) {
            blind.push({ what: `the lookup ${args.token} has no offline answer; whatever the program builds from it cannot be planned`, where: siteOrProgram(typeof site === "string" ? site : undefined) });
          }
          throw e;
        }
      },
      // Backstops: the wrappers below name the line; these catch a transform registered some other way.
      registerTransform: () => {
        if (!blind.some((b) => b.what.startsWith("a stack transform"))) blind.push({ what: "a stack transform (it does not run offline, so the resources judged are not the ones deployed)", where: programWhere });
      },
      registerInvokeTransform: () => {
        if (!blind.some((b) => b.what.startsWith("an invoke transform"))) blind.push({ what: "an invoke transform (it does not run offline)", where: programWhere });
      },
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
          site: constructed.get(key)?.[0],
          ...(req.getProvider() ? { provider: req.getProvider() } : {}),
          retainOnDelete: req.getRetainondelete(),
          protect: req.getProtect(),
        });
      }
      cb(err, resp);
    });

  // Wrap the SDK's entry points for the program's lifetime; every wrapper is undone in `finally`.
  const restore: Array<() => void> = [];
  const patch = <T extends Patchable>(target: T, key: string, make: (orig: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown) => {
    const orig = target[key] as (...a: unknown[]) => unknown;
    (target as Patchable)[key] = make(orig);
    restore.push(() => {
      (target as Patchable)[key] = orig;
    });
  };
  const here = () => programSite(new Error().stack);
  /**
   * Instrument the Pulumi SDK the program runs on. tsx's namespaced loader gives the program fresh
   * copies of some SDK modules and shares others with this process, depending on how each is
   * required; so the program's SDK is loaded first and every copy of the two modules is wrapped.
   */
  const instrument = (requireForProgram: (id: string) => unknown) => {
    try {
      requireForProgram("@pulumi/pulumi");
    } catch {
      // A program that cannot load the SDK fails on its own, as a load error.
    }
    const copies = (file: string) => {
      const re = new RegExp(`[\\\\/]node_modules[\\\\/]@pulumi[\\\\/]pulumi[\\\\/]runtime[\\\\/]${file}\\.js(\\?.*)?$`);
      return [...new Set(Object.entries(require.cache).flatMap(([k, m]) => (re.test(k) && m?.exports ? [m.exports as Patchable] : [])))];
    };
    for (const runtimeIndex of copies("index")) instrumentRuntime(runtimeIndex);
    const configModules = [...new Set(Object.entries(require.cache).flatMap(([k, m]) => (/[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]config\.js(\?.*)?$/.test(k) && m?.exports ? [m.exports as { Config?: { prototype: Patchable } }] : [])))];
    for (const configModule of configModules) if (configModule.Config) instrumentConfig(configModule.Config.prototype);
    for (const resourceModule of copies("resource")) instrumentResources(resourceModule as ResourceModule & Patchable);
  };
  const instrumentRuntime = (runtimeIndex: Patchable) => {
    for (const fn of ["invoke", "invokeOutput", "invokeSingle", "invokeSingleOutput"]) {
      patch(runtimeIndex, fn, (orig) => (tok, props, ...rest) => orig(tok, { ...((props ?? {}) as object), [SITE_ARG]: here() ?? programWhere }, ...rest));
    }
    const refuseTransform = (what: string) => () => {
      blind.push({ what, where: siteOrProgram(here()) });
    };
    patch(runtimeIndex, "registerResourceTransform", () => refuseTransform("a stack transform (registerResourceTransform; it does not run offline, so the resources judged are not the ones deployed)"));
    patch(runtimeIndex, "registerStackTransform", () => refuseTransform("a stack transform (registerStackTransform; it does not run offline, so the resources judged are not the ones deployed)"));
    patch(runtimeIndex, "registerStackTransformation", () => refuseTransform("a stack transformation (registerStackTransformation; it needs the root stack resource, which the offline evaluation does not have)"));
    patch(runtimeIndex, "registerInvokeTransform", () => refuseTransform("an invoke transform (registerInvokeTransform; it does not run offline)"));
  };
  // A program judged with --program has no stack config: a required string or secret it reads becomes an
  // unknown marker, so rules that need its value cannot judge, and the rest of the program is still seen.
  // Numbers, booleans and objects cannot carry a marker: those still fail, as a crash (cannot judge).
  const instrumentConfig = (configPrototype: Patchable) => {
    const missing = (self: unknown, key: unknown) => (self as { get(k: unknown): unknown }).get(key) === undefined;
    const what = (self: unknown, key: unknown) => `stack config ${String((self as { name?: unknown }).name ?? "")}:${String(key)} (not set offline)`;
    patch(configPrototype, "require", (orig) =>
      function (this: unknown, key: unknown, ...rest: unknown[]) {
        return missing(this, key) ? unknownValue(what(this, key)) : orig.call(this, key, ...rest);
      },
    );
    patch(configPrototype, "requireSecret", (orig) =>
      function (this: unknown, key: unknown, ...rest: unknown[]) {
        return missing(this, key) ? pulumi.secret(unknownValue(what(this, key))) : orig.call(this, key, ...rest);
      },
    );
  };
  const instrumentResources = (resourceModule: ResourceModule & Patchable) => {
    patch(resourceModule, "registerResource", (orig) => (res, parent, t, name, custom, remote, newDependency, props, resOpts, ...rest) => {
      const site = here();
      const key = `${String(t)}::${String(name)}`;
      constructed.set(key, [...(constructed.get(key) ?? []), siteOrProgram(site)]);
      const where = `${String(t)} ${String(name)} (${siteOrProgram(site)})`;
      const o = (resOpts ?? {}) as { transforms?: unknown[] };
      if (Array.isArray(o.transforms) && o.transforms.length > 0) blind.push({ what: "resource transforms (the `transforms` option; they do not run offline, so its inputs here are not the ones deployed)", where });
      if (remote === true) blind.push({ what: "a multi-language (remote) component: its provider plugin creates its children at deploy time, and the offline evaluation sees none of them", where });
      return orig(res, parent, t, name, custom, remote, newDependency, props, resOpts, ...rest);
    });
    patch(resourceModule, "readResource", (orig) => (res, parent, t, name, props, ...rest) => {
      readOutputs.set(`${String(t)}::${String(name)}`, Object.keys((props ?? {}) as object));
      if (t === "pulumi:pulumi:StackReference") blind.push({ what: "a stack reference: another stack's outputs exist only in the Pulumi backend", where: `${String(t)} ${String(name)} (${siteOrProgram(here())})` });
      return orig(res, parent, t, name, props, ...rest);
    });
  };
  patch(process as unknown as Patchable, "exit", () => (code) => {
    throw new ProgramExit(code);
  });

  const record = (e: unknown) => errors.push(e instanceof Error ? e : new Error(String(e)));
  process.on("unhandledRejection", record);
  process.on("uncaughtException", record);
  const logError = pulumi.log.error;
  pulumi.log.error = async (msg: string) => {
    errors.push(new Error(msg));
  };
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  // Program lines in blind spots are the source's lines: tsx compiles with inline source maps, which
  // Node applies to stack traces only when asked (the tsx CLI asks; vitest and other hosts may not).
  // A host's own stack formatter (vitest installs one) would bypass Node's source maps: set it aside meanwhile.
  const sourceMaps = process.sourceMapsEnabled;
  const prepare = Error.prepareStackTrace;
  process.setSourceMapsEnabled(true);
  delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as RuntimeSettings;
  // The engine waits for everything the program still has to do, timers included: a resource registered
  // from a setTimeout is deployed, so the offline plan waits for the program's timers too (intervals aside:
  // they never end, and what they would register later is a blind spot).
  const timers = programTimers(() => programSite(new Error().stack) !== undefined);
  /** Wait for the program's RPCs (and `also`), at most timeoutMs. */
  const settle = async (also: Promise<unknown> = Promise.resolve()) => {
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const timedOut = new Promise<"timeout">((r) => {
      timer = timers.realSetTimeout(() => r("timeout"), timeoutMs);
    });
    try {
      if ((await Promise.race([Promise.all([settings.waitForRPCs(), also]).then(() => "done" as const), timedOut])) === "timeout") {
        blind.push({ what: `the program had not settled after ${timeoutMs / 1000} s (a promise that never resolves?); what it registered is incomplete`, where: programWhere });
      }
    } finally {
      clearTimeout(timer);
    }
    // Rejections of the last RPCs surface a few turns of the event loop later.
    await ticks(3);
  };

  const finish = (outputs: Record<string, unknown>): Evaluation => {
    const resources = [...byUrn.values()];
    const registered = new Map<string, number>();
    for (const r of resources) registered.set(`${r.type}::${r.name}`, (registered.get(`${r.type}::${r.name}`) ?? 0) + 1);
    for (const [key, sites] of constructed) {
      const missing = sites.slice(registered.get(key) ?? 0);
      const [type, name] = key.split("::");
      for (const site of missing) blind.push({ what: `${type} ${name} was never registered: one of its inputs failed or never resolved, so the offline plan cannot see it`, where: site });
    }
    for (const e of errors) {
      if (e instanceof NoOfflineAnswer || e.message.includes("the offline plan has no answer for the lookup")) continue;
      if (e.message.startsWith("duplicate resource URN")) {
        blind.push({ what: e.message, where: programWhere });
        continue;
      }
      const exit = e instanceof ProgramExit || e.name === "ProgramExit";
      blind.push({ what: exit ? firstLine(e) : `the program crashed: ${firstLine(e)}`, where: siteOrProgram(programSite(e.stack)) });
    }
    if (resources.length === 0 && blind.length === 0) blind.push({ what: "the program registered no resource: there is nothing to judge", where: programWhere });
    const seen = new Set<string>();
    const unique = blind.filter((b) => !seen.has(`${b.what}|${b.where}`) && Boolean(seen.add(`${b.what}|${b.where}`)));
    return { resources, outputs, errors, blind: unique, lookups: cloud.lookups, region };
  };

  try {
    let exported: unknown;
    try {
      exported = loadTypeScript(programPath, instrument);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      await settle().catch(() => undefined);
      const partial = finish({});
      const what = err instanceof ProgramExit ? `${firstLine(err)} while loading` : `the program threw while loading: ${firstLine(err)}`;
      const failure: BlindSpot = { what, where: siteOrProgram(programSite(err.stack)) };
      throw new ProgramLoadError(`cannot load program ${opts.program}: ${err.message}`, [err], [...partial.blind.filter((b) => !b.what.startsWith("the program registered no resource")), failure], partial);
    }
    let outputs: Record<string, unknown> = {};
    let secretOutputs: string[] = [];
    await settle(
      resolveOutputs(exported, record).then((o) => {
        outputs = o.values;
        secretOutputs = o.secret;
      }),
    );
    while (timers.pending.size > 0) await settle(timers.allFired());
    if (timers.intervals.size > 0) blind.push({ what: "the program keeps an interval timer running: whatever it registers later is deployed but not seen here", where: programWhere });
    // Asset text/paths are Promises: resolved here, so the synchronous rules read them as CrossGuard's adapter gives them.
    for (const r of byUrn.values()) for (const v of [r.inputs, r.state]) await resolveAssetViews(v);
    return { ...finish(outputs), secretOutputs };
  } finally {
    timers.restore();
    Error.stackTraceLimit = stackLimit;
    process.setSourceMapsEnabled(sourceMaps);
    if (prepare) Error.prepareStackTrace = prepare;
    process.off("unhandledRejection", record);
    process.off("uncaughtException", record);
    pulumi.log.error = logError;
    for (const undo of restore.reverse()) undo();
  }
}
