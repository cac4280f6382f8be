// Assets and archives as a rule sees them, online and offline alike. Pulumi hands both the offline
// evaluation and CrossGuard policies Asset objects whose text, path or URI is a Promise, which a
// synchronous rule cannot read; resolveAssetViews replaces each one, in place, by a plain view first.
import { isRecord } from "./values";

/** A StringAsset's text, a FileAsset's path (its bytes are on the deploying machine), a RemoteAsset's URI; archives alike. */
export type AssetView =
  | { assetText: string }
  | { assetPath: string }
  | { assetUri: string }
  | { archiveAssets: Record<string, unknown> }
  | { archivePath: string }
  | { archiveUri: string };

export function isAssetView(v: unknown): v is AssetView {
  return isRecord(v) && ["assetText", "assetPath", "assetUri", "archiveAssets", "archivePath", "archiveUri"].some((k) => k in v);
}

// Pulumi's own brand fields (asset.Asset / asset.Archive isInstance), so policy/ needs no SDK import here.
const isAsset = (v: Record<string, unknown>) => v.__pulumiAsset === true;
const isArchive = (v: Record<string, unknown>) => v.__pulumiArchive === true;

async function viewOf(v: Record<string, unknown>): Promise<AssetView | undefined> {
  const read = async (k: string): Promise<unknown> => (k in v ? await v[k] : undefined);
  if (isAsset(v)) {
    const [text, path, uri] = await Promise.all([read("text"), read("path"), read("uri")]);
    if (typeof text === "string") return { assetText: text };
    if (typeof path === "string") return { assetPath: path };
    if (typeof uri === "string") return { assetUri: uri };
    return undefined;
  }
  const [assets, path, uri] = await Promise.all([read("assets"), read("path"), read("uri")]);
  if (isRecord(assets)) {
    const out: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(assets)) out[name] = isRecord(a) && (isAsset(a) || isArchive(a)) ? ((await viewOf(a)) ?? {}) : a;
    return { archiveAssets: out };
  }
  if (typeof path === "string") return { archivePath: path };
  if (typeof uri === "string") return { archiveUri: uri };
  return undefined;
}

/** Replace every Asset/Archive object inside `value` (plain objects and arrays) by its view, in place. */
export async function resolveAssetViews(value: unknown, depth = 0): Promise<void> {
  if (depth > 32 || value === null || typeof value !== "object") return;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    if (!isRecord(v)) {
      if (Array.isArray(v)) await resolveAssetViews(v, depth + 1);
      continue;
    }
    if (isAsset(v) || isArchive(v)) {
      const view = await viewOf(v);
      if (view) (value as Record<string | number, unknown>)[k] = view;
      continue;
    }
    await resolveAssetViews(v, depth + 1);
  }
}
