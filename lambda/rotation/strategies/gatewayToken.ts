// Gateway token: a fresh random value; the host takes it in setSecret and proves in testSecret that
// the gateway accepts it. The gateway holds one token, so the old one stops working at setSecret;
// any later failure puts the host back on AWSCURRENT.
import { randomBytes } from "node:crypto";
import type { HostPort } from "../host";
import type { RotationStrategy } from "../protocol";

/** 32 random bytes (256 bits), base64url: 43 characters, above OpenClaw's 24-character audit floor. */
export function newGatewayToken(): string {
  return randomBytes(32).toString("base64url");
}

export function gatewayTokenStrategy(host: HostPort): RotationStrategy {
  return {
    name: "gateway-token",
    create: async () => newGatewayToken(),
    set: (ctx) => host.install(ctx.token),
    test: (ctx) => host.verify(ctx.token),
    restore: (_ctx, currentVersionId) => host.install(currentVersionId),
  };
}
