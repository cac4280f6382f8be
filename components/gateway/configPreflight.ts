import { createHash } from "node:crypto";
import * as path from "node:path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

export interface ConfigPreflightArgs {
  /** The rendered openclaw.json, exactly as the host receives it. */
  openclawJson: string;
  openclawVersion: string;
}

/** The repository root: the command runs the kit's own preflight with the kit's own Node 24. */
const KIT_ROOT = path.resolve(__dirname, "..", "..");

/** The command line the preflight runs; also what the tests run, so the two cannot drift. */
export function preflightCommand(openclawVersion: string): string {
  return `node_modules/.bin/tsx ops/preflight.ts ${openclawVersion}`;
}

/**
 * Before the host is created or replaced, the pinned OpenClaw's `config validate` must accept the
 * config on the deploying machine: a key OpenClaw does not know would otherwise stop the gateway on
 * the host (exit 78) after a full boot. Runs again whenever the config or the version changes.
 */
export class ConfigPreflight extends pulumi.ComponentResource {
  public readonly check: command.local.Command;

  constructor(name: string, args: ConfigPreflightArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:gateway:ConfigPreflight", name, {}, opts);
    const digest = createHash("sha256").update(args.openclawJson).digest("hex");
    this.check = new command.local.Command(
      `${name}-validate`,
      {
        create: preflightCommand(args.openclawVersion),
        stdin: args.openclawJson,
        dir: KIT_ROOT,
        triggers: [digest, args.openclawVersion],
        logging: "stdoutAndStderr",
      },
      { parent: this },
    );
    this.registerOutputs({ stdout: this.check.stdout });
  }
}
