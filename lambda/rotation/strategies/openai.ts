// OpenAI: mint a new key for the project's service account through the Admin API, prove it with a
// cheap authenticated call, and delete the key one cycle later (the one that is AWSPREVIOUS when the
// next rotation finishes), so the host always has a working key while it picks up the new one.
//
// Endpoints (OpenAI API reference, Administration > Projects; mirrored 2026-11 at
// w3cschool.cn/openai_api/...; same paths in openai/openai-node src/resources/admin/organization/projects/):
//   POST   /v1/organization/projects/{project_id}/service_accounts/{service_account_id}/api_keys
//          body {name?, scopes?, expires_in_seconds?} -> {id, name, value, created_at, expires_at}
//   GET    /v1/organization/projects/{project_id}/api_keys?limit=1..100&after=ID
//          -> {data: [{id, name, owner: {type, service_account: {id}}}], has_more, last_id}
//   DELETE /v1/organization/projects/{project_id}/api_keys/{api_key_id}   (also service-account keys)
//   GET    /v1/models   (any valid project key; the cheap test)
// All admin calls authenticate with `Authorization: Bearer <admin key>`.
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, readVersion, RotationError, type RotationContext, type RotationStrategy } from "../protocol";
import { formatProviderKey, parseProviderKey } from "./providerKey";

export interface OpenAiRotationConfig {
  /** e.g. https://api.openai.com/v1 */
  readonly apiBase: string;
  readonly projectId: string;
  readonly serviceAccountId: string;
  /** The admin key's own secret, readable by the rotation function only. */
  readonly adminKeySecretId: string;
}

/** Keys we mint are named after the rotation's token, so leftovers of a failed attempt are findable. */
export const KEY_NAME_PREFIX = "clawkeep-rotation-";

export class ProviderApiError extends Error {
  override readonly name = "ProviderApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface ProjectApiKey {
  id: string;
  name?: string;
  owner?: { type?: string; service_account?: { id?: string } };
}

export function openAiStrategy(cfg: OpenAiRotationConfig, fetchImpl: typeof fetch = fetch): RotationStrategy {
  const base = cfg.apiBase.replace(/\/+$/, "");
  const projectPath = `/organization/projects/${encodeURIComponent(cfg.projectId)}`;

  // Error text carries the HTTP status and OpenAI's error code only: messages can echo key fragments.
  async function call(bearer: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetchImpl(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await res.json().catch(() => undefined);
    return { status: res.status, json };
  }

  function fail(what: string, status: number, json: unknown): never {
    const code = (json as { error?: { code?: unknown; type?: unknown } } | undefined)?.error;
    const detail = [code?.code, code?.type].filter((x) => typeof x === "string").join(", ");
    throw new ProviderApiError(`OpenAI ${what} failed: HTTP ${status}${detail ? ` (${detail})` : ""}`, status);
  }

  async function adminKey(ctx: RotationContext): Promise<string> {
    const stored = await readVersion(ctx.sm, cfg.adminKeySecretId, undefined, AWSCURRENT).catch((err: unknown) => {
      throw new RotationError(`Cannot read the OpenAI admin key secret ${cfg.adminKeySecretId}: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (stored === undefined) throw new RotationError(`The OpenAI admin key secret ${cfg.adminKeySecretId} has no AWSCURRENT value`);
    return parseProviderKey(stored).apiKey;
  }

  async function keyIdAt(ctx: RotationContext, versionId: string | undefined, stage: string): Promise<string | undefined> {
    if (!versionId) return undefined;
    const stored = await readVersion(ctx.sm, ctx.secretId, versionId, stage);
    return stored === undefined ? undefined : parseProviderKey(stored).keyId;
  }

  async function serviceAccountKeys(admin: string): Promise<ProjectApiKey[]> {
    const keys: ProjectApiKey[] = [];
    let after: string | undefined;
    for (;;) {
      const query = `?limit=100${after ? `&after=${encodeURIComponent(after)}` : ""}`;
      const { status, json } = await call(admin, "GET", `${projectPath}/api_keys${query}`);
      if (status !== 200) fail("list project API keys", status, json);
      const page = json as { data?: ProjectApiKey[]; has_more?: boolean; last_id?: string };
      const data = page.data ?? [];
      keys.push(...data.filter((k) => k.owner?.service_account?.id === cfg.serviceAccountId));
      after = page.last_id ?? data.at(-1)?.id;
      if (!page.has_more || !after) return keys;
    }
  }

  async function deleteKey(admin: string, keyId: string): Promise<"deleted" | "already-gone"> {
    const { status, json } = await call(admin, "DELETE", `${projectPath}/api_keys/${encodeURIComponent(keyId)}`);
    if (status === 404) return "already-gone";
    if (status !== 200) fail("delete API key", status, json);
    return "deleted";
  }

  return {
    name: "openai",

    async create(ctx) {
      const admin = await adminKey(ctx);
      // Keys a failed earlier attempt minted but never stored: ours by name, referenced by no label.
      const kept = new Set([await keyIdAt(ctx, ctx.currentVersionId, AWSCURRENT), await keyIdAt(ctx, ctx.previousVersionId, AWSPREVIOUS)]);
      for (const key of await serviceAccountKeys(admin)) {
        if (key.name?.startsWith(KEY_NAME_PREFIX) && !kept.has(key.id)) {
          await deleteKey(admin, key.id);
          ctx.log("deleted an orphaned key from an earlier attempt", { keyId: key.id });
        }
      }
      const path = `${projectPath}/service_accounts/${encodeURIComponent(cfg.serviceAccountId)}/api_keys`;
      const { status, json } = await call(admin, "POST", path, { name: `${KEY_NAME_PREFIX}${ctx.token}` });
      if (status !== 200 && status !== 201) fail("create service-account API key", status, json);
      const minted = json as { id?: unknown; value?: unknown };
      if (typeof minted.id !== "string" || typeof minted.value !== "string") {
        throw new ProviderApiError("OpenAI create service-account API key returned no id or value", status);
      }
      ctx.log("minted a service-account key", { keyId: minted.id });
      return formatProviderKey({ apiKey: minted.value, keyId: minted.id });
    },

    // OpenAI activates a key when it mints it; the host picks up AWSCURRENT after finishSecret.
    set: async () => undefined,

    async test(_ctx, pending) {
      const { status, json } = await call(parseProviderKey(pending).apiKey, "GET", "/models");
      if (status !== 200) fail("test of the new key (GET /models)", status, json);
    },

    async finish(ctx) {
      if (!ctx.previousVersionId) return;
      const retiring = await keyIdAt(ctx, ctx.previousVersionId, AWSPREVIOUS);
      if (!retiring) {
        ctx.log("AWSPREVIOUS holds a key without keyId; delete it by hand in the OpenAI dashboard", { versionId: ctx.previousVersionId });
        return;
      }
      const stillUsed = new Set([await keyIdAt(ctx, ctx.currentVersionId, AWSCURRENT), await keyIdAt(ctx, ctx.token, AWSPENDING)]);
      if (stillUsed.has(retiring)) return;
      const outcome = await deleteKey(await adminKey(ctx), retiring);
      ctx.log("retired the key from two rotations ago", { keyId: retiring, outcome });
    },
  };
}
