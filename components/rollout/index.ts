export * from "./bundleRollout";
