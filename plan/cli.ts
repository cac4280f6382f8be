// `npm run plan`: the offline plan. Exit 0 clean, 1 mandatory policy violation, 2 bad input.
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../stacks";
import { USAGE, UsageError, parseArgs, type PlanArgs } from "./args";
import { ProgramLoadError } from "./evaluate";
import { planStack, type StackPlan } from "./planStack";
import { table } from "./table";

const err = (msg: string) => process.stderr.write(`${msg}\n`);

function progressPrinter(): (msg: string) => void {
  const start = Date.now();
  return (msg) => err(`[${((Date.now() - start) / 1000).toFixed(1)}s] ${msg}`);
}

export function planJson(plan: StackPlan): Record<string, unknown> {
  return {
    kind: "clawkeep-offline-plan",
    stack: plan.stack,
    region: plan.region,
    trustLevel: plan.trustLevel,
    capabilities: plan.model.capabilities.name,
    resources: plan.rows,
    hostFiles: plan.host.files.map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, bytes: Buffer.byteLength(f.content) })),
    userDataBytes: plan.host.userDataBytes,
    cost: plan.cost,
  };
}

/** Write the rendered host files under DIR/host/<absolute path>, the user data and plan.json. */
export function writeOut(plan: StackPlan, dir: string): string[] {
  const written: string[] = [];
  const put = (rel: string, content: string) => {
    const target = path.join(dir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    written.push(target);
  };
  for (const f of plan.host.files) put(path.join("host", f.path), f.content);
  put("user-data.yaml", plan.host.userData);
  put("plan.json", `${JSON.stringify(planJson(plan), null, 2)}\n`);
  return written;
}

function report(plan: StackPlan, outDir: string | undefined): string {
  const lines: string[] = [];
  lines.push(`clawkeep offline plan: stack ${plan.stack}, trust level ${plan.trustLevel} (${plan.model.capabilities.name}), region ${plan.region}`, "");
  lines.push(`Resources (${plan.rows.length})`);
  lines.push(table(["TYPE", "NAME", "SECURITY"], plan.rows.map((r) => [r.type.replace(/^aws:/, ""), r.name, r.security]), 90));
  lines.push("", `Host files (${plan.host.files.length}, user data ${plan.host.userDataBytes} of 16384 bytes gzipped)${outDir ? ` written under ${path.join(outDir, "host")}` : "; write them with --out DIR"}`);
  lines.push(table(["PATH", "MODE", "OWNER", "BYTES"], plan.host.files.map((f) => [f.path, f.mode, f.owner, String(Buffer.byteLength(f.content))])));
  const c = plan.cost;
  lines.push("", `Monthly cost estimate (on-demand us-east-1 list prices read ${c.pricesReadOn}${plan.region === "us-east-1" ? "" : `; stack region ${plan.region} may differ`})`);
  lines.push(table(["ITEM", "RESOURCE", "USD/MONTH", "BASIS"], c.lines.map((l) => [l.item, l.resource, l.monthlyUsd === null ? "?" : l.monthlyUsd.toFixed(2), l.basis])));
  lines.push(`total: $${c.totalUsd.toFixed(2)}/month${c.unpriced.length ? ` plus unpriced: ${c.unpriced.join(", ")}` : ""}`);
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  let args: PlanArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const progress = progressPrinter();
  try {
    const plan = await planStack(args.stack as string, { overrides: args.config, progress });
    const written = args.out ? writeOut(plan, args.out) : [];
    if (args.json) process.stdout.write(`${JSON.stringify(planJson(plan), null, 2)}\n`);
    else process.stdout.write(`${report(plan, args.out)}\n`);
    if (written.length) progress(`wrote ${written.length} files under ${args.out}`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ProgramLoadError) {
      err(`error: ${e.message}\nnothing was planned or written.`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      err(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(3);
    },
  );
}
