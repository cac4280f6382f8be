export * from "./gatewayToken";
