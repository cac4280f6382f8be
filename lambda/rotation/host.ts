// The gateway host as the rotation sees it: a small port, and its production form, SSM Run Command
// of the cell's kit-owned pickup document (never a shell document). Only a version id travels to the
// host, checked by the document's allowedPattern; the host reads the value from Secrets Manager
// itself, so no secret ever lands in SSM command history.
import {
  GetCommandInvocationCommand,
  SendCommandCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { pickupParameters } from "../../components/commands/documents";
import { assertSafeToken } from "./protocol";

export interface HostPort {
  /** The host fetches this version of the token and the gateway starts using it. */
  install(versionId: string): Promise<void>;
  /** The gateway accepts this version's token (and refuses the one it replaces). */
  verify(versionId: string): Promise<void>;
}

/** The pickup document's parameters for one version: the document runs `pickup-token --version-id ID [--test]`. */
export function pickupCommandParameters(versionId: string, test: boolean, timeoutSeconds: number): Record<string, string[]> {
  assertSafeToken(versionId); // checked here and by the document's allowedPattern before it reaches the host
  // The document's floor is 30 s, as SSM's own delivery timeout.
  return pickupParameters(versionId, test ? "test" : "install", Math.max(30, timeoutSeconds));
}

export class HostCommandFailed extends Error {
  override readonly name = "HostCommandFailed";
}

export interface SsmHostOptions {
  readonly ssm: SSMClient;
  readonly instanceId: string;
  /** The cell's pickup document (clawkeep-<stack>-<cell>-pickup). */
  readonly documentName: string;
  /** How long the script may run on the host; the wait for its result allows a little more. */
  readonly timeoutSeconds: number;
  /** First wait before asking for the result, then every `pollMs`. */
  readonly firstPollMs?: number;
  readonly pollMs?: number;
  /** Extra wait beyond `timeoutSeconds` for SSM to deliver the command and report (default 30 s). */
  readonly graceMs?: number;
}

const RUNNING = new Set(["Pending", "InProgress", "Delayed"]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function ssmHostPort(opts: SsmHostOptions): HostPort {
  const firstPollMs = opts.firstPollMs ?? 200;
  const pollMs = opts.pollMs ?? 1000;

  async function run(versionId: string, test: boolean): Promise<void> {
    const sent = await opts.ssm.send(
      new SendCommandCommand({
        DocumentName: opts.documentName,
        InstanceIds: [opts.instanceId],
        Parameters: pickupCommandParameters(versionId, test, opts.timeoutSeconds),
        TimeoutSeconds: Math.max(30, opts.timeoutSeconds), // SSM's minimum delivery timeout is 30 s
        Comment: `clawkeep rotation: ${test ? "verify" : "install"} gateway token`,
      }),
    );
    const commandId = sent.Command?.CommandId;
    if (!commandId) throw new HostCommandFailed("SSM SendCommand returned no CommandId");

    const deadline = Date.now() + opts.timeoutSeconds * 1000 + (opts.graceMs ?? 30_000);
    await sleep(firstPollMs);
    for (;;) {
      try {
        const inv = await opts.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: opts.instanceId }));
        const status = inv.Status ?? "Pending";
        if (status === "Success") return;
        if (!RUNNING.has(status)) {
          const stderr = (inv.StandardErrorContent ?? "").trim().slice(-400);
          throw new HostCommandFailed(
            `pickup-token ${test ? "--test " : ""}on ${opts.instanceId} ended ${status} (exit ${inv.ResponseCode ?? "?"}, command ${commandId})${stderr ? `: ${stderr}` : ""}`,
          );
        }
      } catch (err) {
        // The invocation record can lag just behind SendCommand.
        if (!(err instanceof Error && err.name === "InvocationDoesNotExist")) throw err;
      }
      if (Date.now() >= deadline) throw new HostCommandFailed(`pickup-token on ${opts.instanceId} gave no result in time (command ${commandId})`);
      await sleep(pollMs);
    }
  }

  return {
    install: (versionId) => run(versionId, false),
    verify: (versionId) => run(versionId, true),
  };
}
