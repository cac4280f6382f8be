export * from "./securityRules";
export * from "./network";
