export * from "./gatewayCell";
