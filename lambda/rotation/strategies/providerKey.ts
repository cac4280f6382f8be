// How a provider API key sits in its secret: JSON {"apiKey": "...", "keyId": "..."} so a later
// rotation can delete the key by id; a bare key string (put by hand) is accepted too, without an id.
import { RotationError } from "../protocol";

export interface ProviderKey {
  readonly apiKey: string;
  readonly keyId: string | undefined;
}

export function parseProviderKey(secretString: string): ProviderKey {
  const text = secretString.trim();
  if (!text.startsWith("{")) {
    if (text.length === 0) throw new RotationError("The secret holds an empty API key");
    return { apiKey: text, keyId: undefined };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RotationError('The secret is not valid JSON; expected {"apiKey": "...", "keyId": "..."}');
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  if (typeof record.apiKey !== "string" || record.apiKey.length === 0) {
    throw new RotationError('The secret JSON has no "apiKey" string');
  }
  return { apiKey: record.apiKey, keyId: typeof record.keyId === "string" && record.keyId ? record.keyId : undefined };
}

export function formatProviderKey(key: { apiKey: string; keyId: string }): string {
  return JSON.stringify({ apiKey: key.apiKey, keyId: key.keyId });
}
