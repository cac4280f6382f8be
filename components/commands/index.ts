export * from "./documents";
export * from "./commandDocuments";
export * from "./runOnEvent";
