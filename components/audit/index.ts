export * from "./names";
export * from "./filterPattern";
export * from "./metricFilters";
export * from "./dataProtection";
export * from "./policies";
export * from "./dashboard";
export * from "./auditLogging";
export * from "./securityAlarms";
