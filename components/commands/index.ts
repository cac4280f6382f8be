export * from "./documents";
export * from "./commandDocuments";
