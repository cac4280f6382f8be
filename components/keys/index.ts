export * from "./keyPolicies";
export * from "./cellKeys";
