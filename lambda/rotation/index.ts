// What the rest of the kit uses: the CLI's operator actions, the env contract the Pulumi component
// sets on the function, and the host contract.
export { rotateNow, revokeGatewayToken, type RotateNowOptions } from "./operations";
export { ROTATION_ENV, STRATEGY_NAMES, DEFAULT_HOST_TIMEOUT_SECONDS, type StrategyName } from "./config";
export { pickupCommandParameters, ssmHostPort, type HostPort } from "./host";
export { RotationError, RotationRefused, STEPS, type RotationEvent } from "./protocol";
export { parseProviderKey, type ProviderKey } from "./strategies/providerKey";
