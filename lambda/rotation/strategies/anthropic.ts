// Anthropic: its Admin API can list, read and update API keys (name; status active, inactive or
// archived) but has no endpoint to create one, so a function cannot mint a key. We refuse, say why,
// and leave the secret as it was; a person follows the runbook instead.
import { RotationRefused, type RotationStrategy } from "../protocol";

export const ANTHROPIC_REFUSAL =
  "Anthropic API keys cannot be rotated automatically: the Anthropic Admin API has no endpoint that " +
  "creates an API key (it can only list, retrieve and update keys). The secret was not changed. " +
  "Rotate by hand: create a key in the Claude Console, store it with `aws secretsmanager put-secret-value`, " +
  "confirm the gateway picked it up, then set the old key's status to inactive through the Admin API.";

function refuse(): Promise<never> {
  return Promise.reject(new RotationRefused(ANTHROPIC_REFUSAL));
}

export const anthropicStrategy: RotationStrategy = {
  name: "anthropic",
  create: refuse,
  set: refuse,
  test: refuse,
};
