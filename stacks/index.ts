export * from "./trustLevels";
export * from "./schema";
export * from "./load";
