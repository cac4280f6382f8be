// Failure injection on a real SDK client: after `skip` calls pass, the next `times` calls of one
// command fail before they leave the process, as a throttled or dropped request would.
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

export class InjectedFault extends Error {
  override readonly name = "InjectedFault";
}

export function failNext(client: SecretsManagerClient, commandName: string, opts: { times?: number; skip?: number } = {}): () => void {
  let toSkip = opts.skip ?? 0;
  let left = opts.times ?? 1;
  const name = `inject-fault-${commandName}-${Math.random().toString(36).slice(2)}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName && toSkip > 0) toSkip -= 1;
      else if (context.commandName === commandName && left > 0) {
        left -= 1;
        throw new InjectedFault(`injected failure in ${commandName}`);
      }
      return next(args);
    },
    { step: "initialize", name },
  );
  return () => {
    client.middlewareStack.remove(name);
  };
}
