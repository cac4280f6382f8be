export * from "./policies";
export * from "./stateBackup";
