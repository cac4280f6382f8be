// Operator commands for a leaked or suspect credential: rotate it now, or revoke the gateway token at
// once (the guides' "immediate revocation"). AWS endpoints follow the SDK's standard variables
// (AWS_ENDPOINT_URL...), which is how the tests run these commands against moto.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient, SendCommandCommand } from "@aws-sdk/client-ssm";
import { GATEWAY_UNIT } from "../components/base/layout";
import { providerKeySecretName, tokenSecretName } from "../components/base/names";
import { commandDocumentName, gatewayParameters } from "../components/commands/documents";
import { revokeGatewayToken, rotateNow } from "../lambda/rotation";
import type { StackModel } from "../stacks";

/** The names an operator may give to --secret, and the secret each stands for. */
export function credentialNames(model: StackModel, stack: string): Record<string, string> {
  const names: Record<string, string> = { "gateway-token": tokenSecretName(stack, model.cellName) };
  for (const p of model.providers) names[`${p}-api-key`] = providerKeySecretName(stack, model.cellName, p);
  return names;
}

/** SSM targets the cell's gateway host by its tags: no instance id needed, and no other host matches. */
export function hostTargets(model: StackModel, stack: string) {
  return [
    { Key: "tag:clawkeep:stack", Values: [stack] },
    { Key: "tag:clawkeep:cell", Values: [model.cellName] },
  ];
}

export interface Clients {
  sm: SecretsManagerClient;
  ssm: SSMClient;
}

export function clients(region: string): Clients {
  return { sm: new SecretsManagerClient({ region }), ssm: new SSMClient({ region }) };
}

export async function rotateCredential(c: Clients, secretId: string, abandonStalled: boolean) {
  return rotateNow(c.sm, secretId, { abandonStalledRotation: abandonStalled });
}

/**
 * Revoke: first stop the gateway through the cell's gateway document (nobody can use any token while it
 * is down), then make a fresh random token AWSCURRENT so the old one is invalid everywhere. The gateway
 * stays stopped until an operator starts it with the same document (README: "Revocation").
 */
export async function revokeGateway(c: Clients, model: StackModel, stack: string): Promise<{ commandId: string; versionId: string; revokedVersionId: string | undefined }> {
  const sent = await c.ssm.send(
    new SendCommandCommand({
      DocumentName: commandDocumentName(stack, model.cellName, "gateway"),
      Targets: hostTargets(model, stack),
      Comment: `clawkeep revoke: stop ${GATEWAY_UNIT}`,
      Parameters: gatewayParameters("stop"),
      TimeoutSeconds: 60,
    }),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new Error("SSM accepted no command: the gateway was not stopped; nothing revoked");
  const { versionId, revokedVersionId } = await revokeGatewayToken(c.sm, tokenSecretName(stack, model.cellName));
  return { commandId, versionId, revokedVersionId };
}

