export * from "./stateVolume";
export * from "./hostFiles";
