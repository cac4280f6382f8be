// Protects: the gateway from unauthenticated callers, loopback included (any local process or a
// web page can reach localhost). The guides require token authentication with a generated token
// ("openssl rand -hex 32"): password, none and trusted-proxy are refused at every level, and so is
// a token written into the config (readable by whoever reads the user data or the bucket), a
// human-chosen one, one passed on the command line, a rate limit looser than OpenClaw's defaults,
// and a Control UI that accepts any origin. Judged on configs and on `openclaw gateway` flags.
// Also the settings of the pinned OpenClaw 2026.9.6 that weaken auth or pairing without a dangerously*
// name (policy/lib/openclaw.ts authWeakeningProblems), each from the package's own files:
//   gateway.controlUi.allowInsecureAuth: dist/legacy-*.mjs (retired path) and research/openclaw-hardening-settings.md ("never set");
//   gateway.controlUi.allowInsecure: docs/cli/policy/rules.md (device-identity invariant);
//   gateway.nodes.pairing.autoApproveCidrs, .sshVerify(.cidrs): docs/gateway/config-gateway.md, docs/gateway/security/trust-model.md;
//   gateway.auth.trustedProxy.deviceAutoApprove.enabled: docs/gateway/trusted-proxy-auth.md;
//   gateway.auth.rateLimit.exemptLoopback, gateway.allowRealIpFallback, gateway.trustedProxies: docs/gateway/config-gateway.md;
//   gateway.auth.allowTailscale (true, or unset under tailscale.mode "serve" or --tailscale serve): dist/auth-resolve-*.mjs.
// Checklist: best practice 2, gateway token authentication; mistake 1, trusting loopback connections.
// Fix: gateway.auth.mode "token" with the token from a SecretRef fed from Secrets Manager.
import { OPENCLAW_TYPES, authProblems, openclawSetup, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";

export const openclawGatewayAuth: ResourceRule = {
  kind: "resource",
  name: "openclaw-gateway-auth",
  description:
    'The OpenClaw gateway requires token authentication (gateway.auth.mode "token", no --auth/--password flag), with the token from a SecretRef (not written in the config or on the command line, never human-chosen), a rate limit no looser than OpenClaw\'s defaults (loopback not exempt), no wildcard Control UI origin, no insecure Control UI auth, no node pairing approved by address, no trusted proxy or real-IP fallback that believes any client, no Tailscale identity in place of the token.',
  protects: "the gateway's full operator control plane from unauthenticated or guessing callers",
  checklistItems: ["gateway-token-auth", "no-loopback-trust"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation:
    'Set gateway.auth.mode to "token" and gateway.auth.token to a SecretRef ({source: "file"|"env", ...}) filled from Secrets Manager at start; generate the token with `openssl rand -hex 32`; keep gateway.auth.rateLimit at or under 10 attempts per minute with a 5-minute lockout and exemptLoopback false; list exact controlUi.allowedOrigins; remove controlUi.allowInsecure(Auth), nodes.pairing.autoApproveCidrs, trustedProxy.deviceAutoApprove and allowRealIpFallback; list exact trustedProxies; set gateway.auth.allowTailscale to false (OpenClaw turns it on with Tailscale Serve).',
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(type, props) {
    return authProblems(openclawSetup(type, props));
  },
};
