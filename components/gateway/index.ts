export * from "./openclawConfig";
export * from "./configPreflight";
