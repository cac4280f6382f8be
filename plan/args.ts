// Command-line flags of `npm run plan`. Bad input is a UsageError: exit 2, nothing planned.

export interface PlanArgs {
  stack?: string;
  program?: string;
  out?: string;
  /** A directory an earlier `--out` wrote: say what this plan does to a cell running that one. */
  against?: string;
  json: boolean;
  /** Report format: text for a person, json, sarif (code scanning), junit (test reports). */
  format: ReportFormat;
  /** A pack config file, as `pulumi preview --policy-pack-config FILE` takes it. */
  policyPackConfig?: string;
  /** With --program: the program's stack file, whose clawkeep:policyExceptions apply (as the pack reads them online). */
  stackFile?: string;
  config: string[];
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export { USAGE } from "./help";

export const REPORT_FORMATS = ["text", "json", "sarif", "junit"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function parseArgs(argv: string[]): PlanArgs {
  const args: PlanArgs = { json: false, format: "text", config: [], help: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=") && !a.startsWith("--config=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const take = () => inline ?? value(i++, flag);
    switch (flag) {
      case "--stack":
        args.stack = take();
        break;
      case "--program":
        args.program = take();
        break;
      case "--out":
        args.out = take();
        break;
      case "--against":
        args.against = take();
        break;
      case "--config":
        args.config.push(take());
        break;
      case "--json":
        args.json = true;
        args.format = "json";
        break;
      case "--format": {
        const f = take();
        if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format: got ${JSON.stringify(f)}; allowed: one of ${REPORT_FORMATS.join(", ")}`);
        args.format = f as ReportFormat;
        args.json = f === "json";
        break;
      }
      case "--stack-file":
        args.stackFile = take();
        break;
      case "--policy-pack-config":
        args.policyPackConfig = take();
        break;
      case "--help":
      case "-h":
        args.help = true;
        break;
      default:
        if (a.startsWith("--config=")) {
          args.config.push(a.slice("--config=".length));
          break;
        }
        throw new UsageError(`unknown flag or argument: ${a}`);
    }
  }
  if (!args.help && !args.stack === !args.program) throw new UsageError("give exactly one of --stack NAME or --program FILE");
  if (args.program && args.config.length > 0) throw new UsageError("--config applies to --stack only");
  if (args.program && args.against !== undefined) throw new UsageError("--against applies to --stack only");
  if (args.stackFile !== undefined && !args.program) throw new UsageError("--stack-file applies to --program only (a --stack reads its own stack file)");
  return args;
}
