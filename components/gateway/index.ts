export * from "./openclawConfig";
