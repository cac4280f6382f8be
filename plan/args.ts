// Command-line flags of `npm run plan`. Bad input is a UsageError: exit 2, nothing planned.

export interface PlanArgs {
  stack?: string;
  program?: string;
  out?: string;
  /** A directory an earlier `--out` wrote: say what this plan does to a cell running that one. */
  against?: string;
  json: boolean;
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

export function parseArgs(argv: string[]): PlanArgs {
  const args: PlanArgs = { json: false, config: [], help: false };
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
  return args;
}
